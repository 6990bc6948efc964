from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import get_project_for_user
from .models import Project


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.visible_to(request.user).select_related("team").distinct().order_by("team__name", "-created_at")
    groups = [(team, list(items)) for team, items in groupby(projects, key=lambda p: p.team)]
    return render(request, "projects/project_list.html", {"groups": groups})


@login_required
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    return render(request, "projects/project_detail.html", {"project": project, "can_edit": project.can_edit(request.user)})

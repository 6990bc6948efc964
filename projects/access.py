"""The one place where a request's access to a project is decided."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Project


def get_project_for_user(user, project_id: int, *, edit: bool = False) -> Project:
    """The project if the user's team can see it; 404 for anyone outside the team (so its
    existence is not revealed), 403 for a viewer asking to change it."""
    project = get_object_or_404(Project.objects.visible_to(user).select_related("team").distinct(), pk=project_id)
    if edit and not project.can_edit(user):
        raise PermissionDenied("Viewers can look at this project but not change it.")
    return project

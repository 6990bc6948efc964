"""A staff page in the admin listing the django-q2 clusters that are running now."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_q.brokers import get_broker
from django_q.status import Stat


@staff_member_required
def task_workers(request: HttpRequest) -> HttpResponse:
    broker = get_broker()
    clusters = sorted(Stat.get_all(broker), key=lambda s: (s.host, s.cluster_id))
    context = {
        **admin.site.each_context(request),
        "title": "Task workers",
        "clusters": clusters,
        "broker": broker.info(),
        "queued": broker.queue_size(),
    }
    return render(request, "admin/task_workers.html", context)

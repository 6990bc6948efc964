"""The project page and its status endpoint cost the same number of queries for 5 tasks as for 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orchestration.models import TaskRun

from .ui_helpers import make_run, make_version, plan_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.scaleout]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _project_with_tasks(alice, team_a, count: int):
    from projects.models import Project

    project = Project.objects.create(team=team_a, created_by=alice, title=f"{count} tasks", request="A shop for hats.")
    version = make_version(project, tasks=plan_tasks(count))
    statuses = {t["key"]: TaskRun.Status.SUCCEEDED for t in version.tasks[: count // 2]}
    make_run(version, statuses=statuses)
    return project


@pytest.mark.parametrize("name", ["detail", "status", "versions"])
def test_queries_do_not_grow_with_the_number_of_tasks(client, alice, team_a, name):
    small, large = _project_with_tasks(alice, team_a, 5), _project_with_tasks(alice, team_a, 30)
    client.force_login(alice)
    client.get(reverse("projects:list"))  # the session and user are loaded the same way for both below
    assert _queries(client, reverse(f"projects:{name}", args=[small.pk])) == _queries(client, reverse(f"projects:{name}", args=[large.pk]))


def test_the_project_list_does_not_query_per_project(client, alice, team_a):
    _project_with_tasks(alice, team_a, 5)
    client.force_login(alice)
    few = _queries(client, reverse("projects:list"))
    for count in (6, 7, 8, 9):
        _project_with_tasks(alice, team_a, count)
    assert _queries(client, reverse("projects:list")) == few

"""The project page and its status endpoint cost the same number of queries for 5 tasks as for 30, and
for 2 proven acceptance criteria as for 20."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents.spec import Criterion
from orchestration.models import CriterionResult, Run, TaskAttempt, TaskRun
from projects.models import Project
from testbed.rich_specs import rich_spec

from .ui_helpers import BACKEND_TASK, VERIFY_TASK, make_run, make_version, plan_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.scaleout]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _project_with_tasks(alice, team_a, count: int):
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
    assert _queries(client, reverse(f"projects:{name}", args=[small.pk])) == _queries(
        client, reverse(f"projects:{name}", args=[large.pk])
    )


def test_the_project_list_does_not_query_per_project(client, alice, team_a):
    _project_with_tasks(alice, team_a, 5)
    client.force_login(alice)
    few = _queries(client, reverse("projects:list"))
    for count in (6, 7, 8, 9):
        _project_with_tasks(alice, team_a, count)
    assert _queries(client, reverse("projects:list")) == few


def _project_with_proven_criteria(alice, team_a, count: int):
    """A running project whose verify task has proven `count` acceptance criteria, each with a test."""
    criteria = [Criterion(id=f"own-{n}", text=f"It does thing {n}.", by="person") for n in range(1, count + 1)]
    spec = rich_spec("tool-shed").model_copy(update={"criteria": criteria})
    project = Project.objects.create(
        team=team_a, created_by=alice, title=f"{count} criteria", request="A shop for hats."
    )
    version = make_version(project, tasks=[BACKEND_TASK, VERIFY_TASK], spec=spec.model_dump(mode="json"))
    run = make_run(
        version,
        statuses={"backend-1": TaskRun.Status.SUCCEEDED, "verify": TaskRun.Status.RUNNING},
        status=Run.Status.RUNNING,
    )
    verify = run.task_runs.get(key="verify")
    TaskAttempt.objects.create(task_run=verify, number=1, started_at=verify.started_at)
    CriterionResult.objects.bulk_create(
        CriterionResult(
            run=run,
            task_run=verify,
            attempt=1,
            round=0,
            criterion=c.id,
            text=c.text,
            status="passed",
            tests=[{"part": "backend", "file": "tests/criteria.test.ts", "name": f"{c.id}: works", "status": "passed"}],
        )
        for c in criteria
    )
    return project


@pytest.mark.parametrize("name", ["detail", "status"])
def test_queries_do_not_grow_with_the_number_of_proven_criteria(client, alice, team_a, name):
    few, many = _project_with_proven_criteria(alice, team_a, 2), _project_with_proven_criteria(alice, team_a, 20)
    client.force_login(alice)
    client.get(reverse("projects:list"))
    assert _queries(client, reverse(f"projects:{name}", args=[few.pk])) == _queries(
        client, reverse(f"projects:{name}", args=[many.pk])
    )

"""Staff retry and cancel runs from the admin's run list."""

import pytest
from django.urls import reverse

from orchestration.models import Run
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from testbed.clusters import make_plan, probe_task

pytestmark = [pytest.mark.django_db(transaction=True)]


def _run_action(client, action: str, run: Run):
    url = reverse("admin:orchestration_run_changelist")
    return client.post(url, {"action": action, "_selected_action": [run.pk]}, follow=True)


def test_staff_retry_the_failed_tasks_of_a_run(client, staff, project_a, settings):
    settings.TASK_MAX_ATTEMPTS = 1
    run = run_inline(start_run(make_plan(project_a, [probe_task("a", fail_times=1), probe_task("b", "a")])))
    client.force_login(staff)

    page = _run_action(client, "retry_failed_tasks", run).content.decode()

    assert "2 failed or skipped tasks of 1 run(s) will run again." in page
    assert dict(run.task_runs.values_list("key", "status")) == {"a": "queued", "b": "pending"}
    run.refresh_from_db()
    assert run.status == Run.Status.RUNNING


def test_staff_cancel_a_run(client, staff, project_a):
    run = start_run(make_plan(project_a, [probe_task("a"), probe_task("b", "a")]))
    client.force_login(staff)

    page = _run_action(client, "cancel_runs", run).content.decode()

    assert "Cancelled 1 run(s)" in page
    run.refresh_from_db()
    assert run.status == Run.Status.CANCELLED
    assert set(run.task_runs.values_list("status", flat=True)) == {"cancelled"}

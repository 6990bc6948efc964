"""A join (a task with several dependencies) waits for all of them: it is queued only when every
dependency has succeeded, and skipped when any fails for good. Each dependency is executed by hand
here, so the order in which siblings finish is chosen by the test, not by ids or timing."""

import pytest

from orchestration.models import TaskRun
from orchestration.runs import start_run
from orchestration.tasks import execute_task
from testbed.clusters import make_plan, probe_task

pytestmark = [pytest.mark.django_db(transaction=True)]


def _diamond(project, *, c_fails: bool = False):
    """a, then b and c side by side, then the join d."""
    c = probe_task("c", "a", fail_times=99) if c_fails else probe_task("c", "a")
    run = start_run(make_plan(project, [probe_task("a"), probe_task("b", "a"), c, probe_task("d", "b", "c")]))
    return run, {task.key: task.pk for task in run.task_runs.all()}


def _statuses(run) -> dict[str, str]:
    return dict(run.task_runs.values_list("key", "status"))


@pytest.mark.parametrize("first, second", [("b", "c"), ("c", "b")])
def test_a_join_stays_pending_until_its_last_dependency_succeeds(project_a, first, second):
    run, ids = _diamond(project_a)
    execute_task(ids["a"])
    execute_task(ids[first])

    # One dependency done, the other still queued (as if held by a slow worker): the join waits.
    assert _statuses(run) == {"a": "succeeded", first: "succeeded", second: "queued", "d": "pending"}

    execute_task(ids[second])
    assert _statuses(run)["d"] == TaskRun.Status.QUEUED
    execute_task(ids["d"])
    run.refresh_from_db()
    assert run.status == "succeeded"


@pytest.mark.parametrize("c_first", [True, False], ids=["failing-one-first", "succeeding-one-first"])
def test_a_join_is_skipped_when_one_dependency_fails_for_good_whichever_finishes_first(project_a, settings, c_first):
    settings.TASK_MAX_ATTEMPTS = 1
    run, ids = _diamond(project_a, c_fails=True)
    execute_task(ids["a"])
    for key in ("c", "b") if c_first else ("b", "c"):
        execute_task(ids[key])

    assert _statuses(run) == {"a": "succeeded", "b": "succeeded", "c": "failed", "d": "skipped"}
    run.refresh_from_db()
    assert run.status == "failed"

"""Cancelling a run, and retrying its failed tasks."""

import pytest

from orchestration.models import Artifact, Run, TaskRun
from orchestration.runs import cancel_run, retry_failed, start_run
from orchestration.tasks import execute_task, run_inline
from testbed.clusters import make_plan, probe_task, run_inline_in_thread, wait_for

pytestmark = [pytest.mark.django_db(transaction=True)]


def _statuses(run: Run) -> dict[str, str]:
    return dict(run.task_runs.values_list("key", "status"))


def test_cancelling_a_run_in_the_middle_stops_its_running_task_and_discards_its_output(project_a, alice):
    run = start_run(make_plan(project_a, [probe_task("a", sleep=30, files={"a.txt": "a"}), probe_task("b", "a")]))

    executor = run_inline_in_thread(run)
    wait_for(lambda: run.task_runs.filter(key="a", status=TaskRun.Status.RUNNING).exists(), what="task a to start")

    cancel_run(run, user=alice)
    executor.join(timeout=10)

    assert not executor.is_alive(), "the running task did not stop at its next checkpoint"
    run.refresh_from_db()
    assert run.status == Run.Status.CANCELLED
    assert _statuses(run) == {"a": "cancelled", "b": "cancelled"}
    assert run.task_runs.get(key="a").attempts.get().error == "Stopped: the run was cancelled by alice."
    assert not Artifact.objects.filter(run=run).exists()


def test_a_cancelled_runs_queued_tasks_are_not_run_when_delivered(project_a):
    run = start_run(make_plan(project_a, [probe_task("a"), probe_task("b", "a")]))

    cancel_run(run)

    assert _statuses(run) == {"a": "cancelled", "b": "cancelled"}
    assert "was not queued" in execute_task(run.task_runs.get(key="a").pk)
    assert not run.task_runs.get(key="a").attempts.exists()


def test_cancelling_a_finished_run_changes_nothing(project_a):
    run = run_inline(start_run(make_plan(project_a, [probe_task("a")])))

    cancel_run(run)

    run.refresh_from_db()
    assert run.status == Run.Status.SUCCEEDED
    assert _statuses(run) == {"a": "succeeded"}


def test_retrying_a_failed_run_runs_the_failed_task_and_its_skipped_descendants_again(project_a, settings):
    settings.TASK_MAX_ATTEMPTS = 2
    settings.TASK_BACKOFF_BASE_S = 0.05
    plan = make_plan(
        project_a,
        [
            probe_task("a", fail_times=2, files={"a.txt": "attempt {attempt}"}),
            probe_task("b", "a", files={"b.txt": "b"}),
            probe_task("side", files={"side.txt": "side"}),
        ],
    )
    run = run_inline(start_run(plan))
    assert run.status == Run.Status.FAILED

    reset = retry_failed(run)
    run.refresh_from_db()
    assert (reset, run.status, run.finished_at) == (2, Run.Status.RUNNING, None)
    assert _statuses(run) == {"a": "queued", "b": "pending", "side": "succeeded"}

    run = run_inline(run)

    assert run.status == Run.Status.SUCCEEDED
    a = run.task_runs.get(key="a")
    assert a.attempt == 1  # a new round of attempts...
    assert list(a.attempts.values_list("number", "succeeded")) == [(1, False), (2, False), (3, True)]  # ...history kept
    assert run.task_runs.get(key="side").attempts.count() == 1
    assert dict(Artifact.objects.filter(run=run).values_list("path", "content")) == {
        "a.txt": "attempt 3",
        "b.txt": "b",
        "side.txt": "side",
    }


def test_retrying_a_run_without_failed_tasks_does_nothing(project_a):
    run = run_inline(start_run(make_plan(project_a, [probe_task("a")])))

    assert retry_failed(run) == 0
    run.refresh_from_db()
    assert run.status == Run.Status.SUCCEEDED


def test_a_cancelled_run_is_not_retried(project_a):
    run = start_run(make_plan(project_a, [probe_task("a")]))
    cancel_run(run)

    assert retry_failed(run) == 0
    assert _statuses(run) == {"a": "cancelled"}

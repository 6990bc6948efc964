"""A task's status changes only as TASK_TRANSITIONS says: each change is guarded by the statuses it
may leave, so a late or duplicate writer (a worker whose task was cancelled or handed to another, a
second delivery of one queue message) changes nothing. The table itself is checked for the shape a
reader relies on: every status reachable, succeeded and cancelled final, failed and skipped left
only by a retry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orchestration import statements
from orchestration.models import TASK_TRANSITIONS, Claim, TaskRun, TaskStatus
from orchestration.runs import start_run
from testbed.clusters import make_plan, probe_task

pytestmark = [pytest.mark.django_db, pytest.mark.scaleout]

WORKER, STARTED = "host:1", timezone.now()


def _ids(rows) -> list[int]:
    return list(rows.values_list("pk", flat=True))


def _claim(task: TaskRun) -> Claim:
    return Claim(task.pk, task.run_id, WORKER, 1, STARTED, 1)


# How each transition is asked for, as its callers ask (every attempt's own, in SQL, by task id).
CALLS = {
    "queue": lambda rows: len(statements.queue(_ids(rows))),
    "skip": lambda rows: rows.skip(error="Skipped because “a” failed."),
    "claim": lambda rows: int(statements.claim(rows.get().pk, worker=WORKER, lease_s=30) is not None),
    "mark_succeeded": lambda rows: int(statements.succeed(_claim(rows.get()), reasoning="done")),
    "mark_retry_wait": lambda rows: rows.mark_retry_wait(error="rate limited", delay_s=0),
    "mark_requeued": lambda rows: rows.mark_requeued(error="its worker died"),
    "mark_failed": lambda rows: rows.mark_failed(error="broken"),
    "release_retries": lambda rows: rows.release_retries(timezone.now() + timedelta(seconds=1)),
    "cancel": lambda rows: rows.cancel(error="Cancelled."),
    "reset": lambda rows: rows.reset(),
}


def test_every_transition_is_asked_for_somewhere():
    assert set(CALLS) == set(TASK_TRANSITIONS)


@pytest.fixture
def task(project_a) -> TaskRun:
    return start_run(make_plan(project_a, [probe_task("a")])).task_runs.get()


@pytest.mark.parametrize("transition", sorted(TASK_TRANSITIONS))
@pytest.mark.parametrize("status", TaskStatus.values)
def test_a_transition_moves_a_task_only_from_the_statuses_it_may_leave(task, transition, status):
    # Held by a worker's claim, as a running task is, whatever its status: only the status decides.
    TaskRun.objects.filter(pk=task.pk).update(
        status=status, next_attempt_at=timezone.now(), worker=WORKER, attempt=1, started_at=STARTED
    )
    sources, target = TASK_TRANSITIONS[transition]

    changed = CALLS[transition](TaskRun.objects.filter(pk=task.pk))

    task.refresh_from_db()
    if status in sources:
        assert (changed, task.status) == (1, target)
    else:
        assert (changed, task.status) == (0, status)


def _reachable(start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        status = todo.pop()
        for sources, target in TASK_TRANSITIONS.values():
            if status in sources and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_every_status_can_be_reached_from_pending():
    assert _reachable(TaskStatus.PENDING) == set(TaskStatus.values)


def test_succeeded_and_cancelled_are_final_and_failed_or_skipped_leave_only_by_a_retry():
    leaving = {
        status: {name for name, (sources, _) in TASK_TRANSITIONS.items() if status in sources}
        for status in TaskStatus.values
    }
    assert leaving[TaskStatus.SUCCEEDED] == set()
    assert leaving[TaskStatus.CANCELLED] == set()
    assert leaving[TaskStatus.FAILED] == {"reset"}
    assert leaving[TaskStatus.SKIPPED] == {"reset"}
    # A running task is the only one whose outcome is written; a queued one can only be claimed or cancelled.
    assert leaving[TaskStatus.QUEUED] == {"claim", "cancel"}

"""Failed attempts: retries with backoff, failing for good, skipped descendants, timeouts."""

import random
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from orchestration.backoff import backoff_ceiling, full_jitter
from orchestration.models import Artifact, Run, TaskRun
from orchestration.runs import start_run
from orchestration.tasks import execute_task, release_due_retries, run_inline
from testbed.clusters import make_plan, probe_task, wait_for

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.TASK_MAX_ATTEMPTS = 3
    settings.TASK_BACKOFF_BASE_S = 0.2
    settings.TASK_BACKOFF_CAP_S = 5.0


def test_the_backoff_ceiling_doubles_with_each_attempt_up_to_the_cap():
    assert [backoff_ceiling(n, base=2.0, cap=60.0) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]


def test_a_backoff_delay_is_drawn_between_zero_and_the_ceiling():
    rng = random.Random(4)
    delays = [full_jitter(3, base=1.0, cap=60.0, rng=rng) for _ in range(500)]

    assert all(0 <= delay <= 4.0 for delay in delays)
    assert min(delays) < 0.5 and max(delays) > 3.5  # spread over the whole range, not bunched


def test_a_failing_task_is_retried_after_a_backoff_then_fails_for_good(project_a):
    run = run_inline(start_run(make_plan(project_a, [probe_task("a", fail_times=99)])))

    task = run.task_runs.get()
    attempts = list(task.attempts.order_by("number"))
    assert task.status == TaskRun.Status.FAILED
    assert task.error == "probe failed on attempt 3, as instructed"
    assert [a.succeeded for a in attempts] == [False, False, False]
    assert [a.error for a in attempts] == [f"probe failed on attempt {n}, as instructed" for n in (1, 2, 3)]
    # The delay before each retry is drawn under a ceiling that doubles; none follows the last attempt.
    assert 0 <= attempts[0].backoff_s <= 0.2 and 0 <= attempts[1].backoff_s <= 0.4
    assert attempts[2].backoff_s is None
    for earlier, later in zip(attempts, attempts[1:], strict=False):
        assert (later.started_at - earlier.finished_at).total_seconds() >= earlier.backoff_s


def test_a_task_failing_for_good_skips_its_descendants_while_an_independent_branch_succeeds(project_a):
    plan = make_plan(
        project_a,
        [
            probe_task("a", fail_times=99),
            probe_task("b", "a"),
            probe_task("c", "b"),
            probe_task("side", files={"side.txt": "ok"}),
            probe_task("after-side", "side"),
        ],
    )

    run = run_inline(start_run(plan))

    assert run.status == Run.Status.FAILED
    assert dict(run.task_runs.values_list("key", "status")) == {
        "a": "failed",
        "b": "skipped",
        "c": "skipped",
        "side": "succeeded",
        "after-side": "succeeded",
    }
    assert run.task_runs.get(key="c").error == "Skipped because “Probe a” failed."
    assert list(Artifact.objects.filter(run=run).values_list("path", flat=True)) == ["side.txt"]


def test_a_task_that_fails_once_succeeds_on_its_next_attempt(project_a):
    run = run_inline(
        start_run(make_plan(project_a, [probe_task("a", fail_times=1, files={"a.txt": "attempt {attempt}"})]))
    )

    task = run.task_runs.get()
    assert run.status == Run.Status.SUCCEEDED
    assert (task.status, task.attempt, task.error) == ("succeeded", 2, "")
    assert Artifact.objects.get(run=run).content == "attempt 2"


def test_a_permanent_failure_is_not_retried(project_a):
    run = run_inline(start_run(make_plan(project_a, [probe_task("a", fail_times=1, permanent=True)])))

    task = run.task_runs.get()
    assert task.status == TaskRun.Status.FAILED
    assert task.attempts.count() == 1


def test_a_failed_attempt_leaves_the_task_waiting_to_retry_without_holding_a_worker(project_a):
    run = start_run(make_plan(project_a, [probe_task("a", fail_times=1)]))
    task = run.task_runs.get()

    execute_task(task.pk)  # returns at once: the wait is a row in the database, not a sleeping worker

    task.refresh_from_db()
    attempt = task.attempts.get()
    assert task.status == TaskRun.Status.RETRY_WAIT
    waited = (task.next_attempt_at - attempt.finished_at).total_seconds()
    assert waited == pytest.approx(attempt.backoff_s, abs=1.0)


def test_each_retry_waits_the_jittered_delay_drawn_under_a_ceiling_that_doubles(project_a, settings):
    # Long waits, so that a wait of zero (or the ceiling itself) cannot pass for the drawn delay.
    settings.TASK_BACKOFF_BASE_S, settings.TASK_BACKOFF_CAP_S = 30.0, 600.0
    run = start_run(make_plan(project_a, [probe_task("a", fail_times=2)]))
    task = TaskRun.objects.get(pk=run.task_runs.get().pk)
    state = random.getstate()
    random.seed(1729)
    try:
        execute_task(task.pk)
        TaskRun.objects.filter(pk=task.pk).update(next_attempt_at=timezone.now())  # skip the wait
        assert release_due_retries() == 1
        execute_task(task.pk)
    finally:
        random.setstate(state)

    same_draws = random.Random(1729)
    expected = [same_draws.uniform(0, 30.0), same_draws.uniform(0, 60.0)]
    first, second = task.attempts.order_by("number")
    assert [first.backoff_s, second.backoff_s] == pytest.approx(expected)
    task.refresh_from_db()
    assert task.status == TaskRun.Status.RETRY_WAIT
    waited = (task.next_attempt_at - second.finished_at).total_seconds()
    assert waited == pytest.approx(expected[1], abs=0.5)


def test_a_waiting_task_is_queued_again_only_once_its_backoff_has_passed(project_a):
    run = start_run(make_plan(project_a, [probe_task("a", fail_times=1)]))
    task = run.task_runs.get()
    execute_task(task.pk)
    waiting = TaskRun.objects.filter(pk=task.pk)

    waiting.update(next_attempt_at=timezone.now() + timedelta(minutes=1))
    assert release_due_retries() == 0

    waiting.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert release_due_retries() == 1
    assert waiting.get().status == TaskRun.Status.QUEUED


def test_a_task_past_its_timeout_is_stopped_and_retried(project_a):
    plan = make_plan(project_a, [probe_task("a", timeout_s=1, hang_times=1, files={"a.txt": "attempt {attempt}"})])

    run = run_inline(start_run(plan))

    task = run.task_runs.get()
    first, second = task.attempts.order_by("number")
    assert first.error == "Timed out after 1 s."
    assert second.succeeded
    assert run.status == Run.Status.SUCCEEDED
    assert Artifact.objects.get(run=run).content == "attempt 2"
    # The first attempt's agent really stopped: its thread ends at its next checkpoint.
    stopped = wait_for(
        lambda: not any(t.name == f"task-run-{task.pk}-attempt-1" for t in threading.enumerate()),
        timeout=5,
        what="the timed-out attempt's thread to end",
    )
    assert stopped

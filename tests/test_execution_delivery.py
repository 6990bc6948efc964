"""Deliveries the broker gets wrong: twice, concurrently, to a worker that then dies, or never."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule

from orchestration.models import Artifact, Run, TaskRun
from orchestration.recovery import SCHEDULE_NAME, ensure_schedule, recover, reenqueue_unclaimed, requeue_expired_leases
from orchestration.runs import retry_failed, start_run
from orchestration.tasks import claim_task, complete_attempt, execute_task, run_inline
from testbed.clusters import make_plan, probe_task, run_inline_in_thread

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.scaleout]


def _expire_lease(task: TaskRun) -> None:
    TaskRun.objects.filter(pk=task.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))


def test_the_same_task_delivered_twice_runs_once(project_a):
    run = start_run(make_plan(project_a, [probe_task("a", files={"a.txt": "a"})]))
    task = run.task_runs.get()

    execute_task(task.pk)
    second = execute_task(task.pk)

    assert "was not queued" in second
    assert task.attempts.count() == 1
    assert Artifact.objects.filter(run=run).count() == 1


def test_the_same_task_delivered_to_two_workers_at_once_runs_once(project_a):
    run = start_run(make_plan(project_a, [probe_task("a", sleep=0.3, files={"a.txt": "a"})]))
    task = run.task_runs.get()
    barrier = threading.Barrier(2)

    def deliver() -> None:
        barrier.wait()
        try:
            execute_task(task.pk)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    task.refresh_from_db()
    assert task.status == TaskRun.Status.SUCCEEDED
    assert task.attempts.count() == 1
    assert Artifact.objects.filter(run=run).count() == 1


def test_a_task_whose_worker_stopped_renewing_its_lease_is_queued_again(project_a):
    run = start_run(make_plan(project_a, [probe_task("a")]))
    task = run.task_runs.get()
    claim_task(task.pk, worker="dead-host:1")
    _expire_lease(task)

    assert requeue_expired_leases() == 1

    task.refresh_from_db()
    assert task.status == TaskRun.Status.QUEUED
    assert task.error == "The worker dead-host:1 stopped responding (its lease expired)."
    assert task.attempts.get().error == task.error


def test_a_live_lease_is_left_alone(project_a):
    run = start_run(make_plan(project_a, [probe_task("a")]))
    task = run.task_runs.get()
    claim_task(task.pk, worker="busy-host:1")

    assert requeue_expired_leases() == 0
    assert TaskRun.objects.get(pk=task.pk).status == TaskRun.Status.RUNNING


def test_a_task_running_twice_keeps_exactly_one_set_of_files(project_a):
    run = start_run(make_plan(project_a, [probe_task("a", files={"a.txt": "attempt {attempt}"}), probe_task("b", "a")]))
    task = run.task_runs.get(key="a")
    stale = claim_task(task.pk, worker="slow-host:1")
    _expire_lease(task)
    recover()

    run = run_inline(run)
    # The first worker wakes up and tries to store what it made: nothing of it is kept.
    stored = complete_attempt(stale, {"a.txt": "stale", "extra.txt": "stale"}, "late")

    assert stored is False
    assert run.status == Run.Status.SUCCEEDED
    assert list(Artifact.objects.filter(run=run).values_list("path", "content")) == [("a.txt", "attempt 2")]


def test_the_last_attempt_lost_with_its_worker_fails_the_task_and_skips_its_descendants(project_a, settings):
    settings.TASK_MAX_ATTEMPTS = 1
    run = start_run(make_plan(project_a, [probe_task("a"), probe_task("b", "a")]))
    task = run.task_runs.get(key="a")
    claim_task(task.pk, worker="dead-host:1")
    _expire_lease(task)

    requeue_expired_leases()

    run.refresh_from_db()
    assert dict(run.task_runs.values_list("key", "status")) == {"a": "failed", "b": "skipped"}
    assert run.status == Run.Status.FAILED


def test_a_queued_task_nobody_claimed_in_time_is_enqueued_again(project_a, settings):
    settings.QUEUED_STALE_S = 30
    broker = get_broker()
    broker.purge_queue()
    run = start_run(make_plan(project_a, [probe_task("a"), probe_task("b")]))
    TaskRun.objects.filter(run=run, key="a").update(queued_at=timezone.now() - timedelta(minutes=1))
    broker.purge_queue()  # as if the broker had lost both deliveries

    assert reenqueue_unclaimed() == 1

    assert broker.queue_size() == 1
    assert reenqueue_unclaimed() == 0  # its wait starts over


def test_migrating_sets_up_the_recovery_schedule_once(db):
    ensure_schedule()

    schedule = Schedule.objects.get(name=SCHEDULE_NAME)
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "orchestration.recovery.recover",
        Schedule.MINUTES,
        1,
    )


def test_the_recover_command_reports_what_it_repaired(project_a):
    run = start_run(make_plan(project_a, [probe_task("a")]))
    claim_task(run.task_runs.get().pk, worker="dead-host:1")
    _expire_lease(run.task_runs.get())
    out = StringIO()

    call_command("recover", stdout=out)

    assert out.getvalue().strip() == "Recovered: requeued=1 released=0 reenqueued=0"


def test_a_worker_stuck_since_an_earlier_round_cannot_finish_the_task_after_a_retry(project_a, settings):
    settings.TASK_MAX_ATTEMPTS = 1
    run = start_run(make_plan(project_a, [probe_task("a")]))
    task = run.task_runs.get()
    stuck = claim_task(task.pk, worker="host:1")
    _expire_lease(task)
    requeue_expired_leases()  # its only attempt: the task fails
    retry_failed(run)
    current = claim_task(task.pk, worker="host:1")  # the same worker process takes the new round

    assert (current.worker, current.attempt) == (stuck.worker, stuck.attempt)
    assert complete_attempt(stuck, {"a.txt": "stale"}, "") is False
    assert complete_attempt(current, {"a.txt": "fresh"}, "") is True
    assert list(Artifact.objects.filter(run=run).values_list("content", flat=True)) == ["fresh"]


def test_a_live_worker_keeps_its_lease_for_as_long_as_the_task_runs(project_a, settings):
    settings.TASK_LEASE_S = 0.6  # renewed every 0.2 s
    run = start_run(make_plan(project_a, [probe_task("a", sleep=2)]))

    executor = run_inline_in_thread(run)
    requeued = 0
    while executor.is_alive():
        requeued += requeue_expired_leases()
        executor.join(timeout=0.1)

    assert requeued == 0
    assert run.task_runs.get().attempts.count() == 1


def test_with_a_verify_queue_verify_tasks_go_to_the_workers_that_take_it(project_a, settings):
    settings.VERIFY_QUEUE = "verify-workers"
    site, verify = get_broker(), get_broker("verify-workers")
    site.purge_queue()
    verify.purge_queue()
    checks = {
        "key": "verify",
        "title": "Build and test the project",
        "agent": "verify",
        "instructions": "",
        "depends_on": ["a"],
        "scope": [],
        "timeout_s": None,
    }
    run = start_run(make_plan(project_a, [probe_task("a"), checks]))
    assert (site.queue_size(), verify.queue_size()) == (1, 0)

    execute_task(run.task_runs.get(key="a").pk)  # the probe succeeds; the verify task is queued

    assert run.task_runs.get(key="verify").status == TaskRun.Status.QUEUED
    assert (site.queue_size(), verify.queue_size()) == (1, 1)  # the probe's delivery is still in the site's queue
    assert verify.dequeue()[0][1]  # a delivery, signed as any other
    verify.purge_queue()

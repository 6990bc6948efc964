"""Runs of a plan: start, cancel, retry, and how a run's DAG moves on as its tasks end.

django-q2 has no DAG support (its chains are linear), so dependencies live in TaskRun rows and
each TaskRun is one django-q2 task, enqueued only once every task it depends on has succeeded.
Every change to a run's DAG happens under the run's row lock (Run.objects.lock), taken before
any task row is changed. The worker side is
orchestration.tasks; the periodic repairs are orchestration.recovery.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone
from django_q.brokers import Broker, get_broker
from django_q.tasks import async_task

from agents.registry import get_agent
from agents.safe_output import UnsafeOutput, check_files
from agents.verify import VerifyAgent

from .backoff import full_jitter
from .forecast import forecast_run, task_route
from .models import Artifact, PlanVersion, Run, TaskAttempt, TaskRun, TaskRunQuerySet, TaskStatus
from .plans import reachable
from .reuse import copy_outcomes

logger = logging.getLogger(__name__)

WEDGED_WORKER_MARGIN_S = 60

# True while run_inline drives a run in this thread: the tasks it queues are taken from the
# database by its own loop, not sent to a broker that no cluster may be reading.
_inline = contextvars.ContextVar("inline_run", default=False)


@dataclass(frozen=True)
class Claim:
    """One worker's hold on one attempt of a TaskRun."""

    task_run_id: int
    run_id: int
    worker: str
    attempt: int  # TaskRun.attempt: tries in this round (retry_failed starts a new round)
    started_at: datetime  # with worker and attempt, tells this claim from one of an earlier round
    number: int  # TaskAttempt.number: tries over the task's whole history

    def owned(self) -> TaskRunQuerySet:
        return TaskRun.objects.filter(pk=self.task_run_id).owned_by(self.worker, self.attempt, self.started_at)


# --- Starting, cancelling, retrying --------------------------------------------------------


class RunAlreadyActive(Exception):
    """start_run refused: the project has a run that has not finished yet."""

    def __init__(self, run: Run) -> None:
        super().__init__(f"A run is already going for this project (run {run.pk}).")
        self.run = run


def start_run(plan_version: PlanVersion, *, user=None, reuse: bool = True) -> Run:
    """A new run of the plan: one TaskRun per task; tasks without dependencies are queued and
    enqueued on django-q2 once the transaction commits. With `reuse`, a task whose inputs are those
    of an earlier run's task takes its files (orchestration.reuse); without, everything runs again.
    A project has at most one active run: RunAlreadyActive when it has one, whoever asks (a button
    pressed twice, an admin, a command)."""
    project = plan_version.project
    budget = settings.RUN_TOKEN_BUDGET if project.token_budget is None else project.token_budget
    forecast = forecast_run(plan_version, reuse_earlier=reuse).as_dict()
    now = timezone.now()
    with transaction.atomic():
        _refuse_a_second_active_run(project)
        run = Run.objects.create(
            plan_version=plan_version,
            status=Run.Status.RUNNING,
            triggered_by=user,
            provider=project.provider,
            token_budget=budget,
            started_at=now,
            reuse=reuse,
            forecast=forecast,
        )
        TaskRun.objects.bulk_create([_task_run(run, task, now) for task in plan_version.tasks])
        dispatch(dict(run.task_runs.filter(status=TaskStatus.QUEUED).values_list("pk", "timeout_s")))
    logger.info("run %s of %s started with %d tasks", run.pk, plan_version, len(plan_version.tasks))
    return run


def _refuse_a_second_active_run(project, *, reopening: Run | None = None) -> None:
    """RunAlreadyActive when the project has an unfinished run (other than `reopening`). Called in
    the transaction that would add one; the project's row lock (PostgreSQL; SQLite's IMMEDIATE
    transactions hold the write lock from BEGIN) puts simultaneous callers in a line, so each one
    sees the run of the one before. Taken before any run's lock: the order is project, then run."""
    list(type(project).objects.select_for_update().filter(pk=project.pk).values_list("pk"))
    active = Run.objects.filter(plan_version__project=project).active()
    if reopening is not None:
        active = active.exclude(pk=reopening.pk)
    if (first := active.first()) is not None:
        raise RunAlreadyActive(first)


def _task_run(run: Run, task: dict, now: datetime) -> TaskRun:
    is_root = not task.get("depends_on")
    provider, model = task_route(run.plan_version.project, task["agent"])
    return TaskRun(
        provider=provider,
        model=model,
        run=run,
        key=task["key"],
        agent=task["agent"],
        title=task["title"],
        instructions=task.get("instructions", ""),
        scope=task.get("scope") or [],
        depends_on=task.get("depends_on") or [],
        timeout_s=task.get("timeout_s") or _default_timeout(task["agent"]),
        max_attempts=settings.TASK_MAX_ATTEMPTS,
        status=TaskStatus.QUEUED if is_root else TaskStatus.PENDING,
        queued_at=now if is_root else None,
    )


def _default_timeout(agent: str) -> int:
    """A task's time limit when its plan gives none: its agent's setting (the verify task's is longer)."""
    try:
        return getattr(settings, get_agent(agent).timeout_setting)
    except KeyError:  # an agent that no longer exists: its task fails when it runs, saying so
        return settings.TASK_TIMEOUT_S


def cancel_run(run: Run, *, user=None) -> None:
    """Stop a run. Every unfinished task is cancelled at once; one that is running stops at its
    next checkpoint, when its worker finds the task no longer its own, and its output is discarded."""
    by = f" by {user}" if user else ""
    with transaction.atomic():
        Run.objects.lock(run.pk)
        if not Run.objects.filter(pk=run.pk).cancel():
            return
        TaskRun.objects.filter(run=run).cancel(error=f"Cancelled{by}.")
        TaskAttempt.objects.filter(task_run__run=run, finished_at__isnull=True).update(
            finished_at=timezone.now(), succeeded=False, error=f"Stopped: the run was cancelled{by}."
        )
    logger.info("run %s cancelled%s", run.pk, by)


def retry_failed(run: Run, *, user=None) -> int:
    """Run the failed tasks again, with their skipped descendants, in the same run. Each starts a
    new round of attempts; earlier attempts stay in its history. Returns how many tasks were reset.
    A finished run reopens only while no other run of its project is going: RunAlreadyActive."""
    with transaction.atomic():
        _refuse_a_second_active_run(run.plan_version.project, reopening=run)
        locked = Run.objects.lock(run.pk)
        has_failed = run.task_runs.filter(status=TaskStatus.FAILED).exists()
        if locked.status not in (Run.Status.FAILED, Run.Status.RUNNING) or not has_failed:
            return 0
        # A task is only ever skipped because a task it depends on failed, and all of those reset now.
        reset = run.task_runs.all().reset()
        Run.objects.filter(pk=run.pk).reopen()
        _advance(locked)
    logger.info("run %s: %d tasks retried%s", run.pk, reset, f" by {user}" if user else "")
    return reset


# --- Dispatch -----------------------------------------------------------------------------


def dispatch(timeouts: Mapping[int, int]) -> None:
    """Enqueue one django-q2 task per TaskRun (id -> its timeout_s, which the callers have at
    hand, so the hand-over reads nothing more) when the current transaction commits (at once
    outside one). An enqueue that fails or that the broker loses is repaired by recovery, which
    re-enqueues queued tasks nobody claimed."""
    if timeouts and not _inline.get():
        transaction.on_commit(functools.partial(_enqueue, dict(timeouts)), robust=True)


def _enqueue(timeouts: dict[int, int]) -> None:
    routed = _routed(timeouts)
    for pk, timeout_s in timeouts.items():
        async_task(
            "orchestration.tasks.execute_task",
            pk,
            task_name=f"task-run-{pk}",
            broker=_broker(routed.get(pk)),
            # save=False: our TaskRun rows hold the outcome; django-q2's result rows would only pile up.
            save=False,
            # The task's own timeout stops the agent; django-q2's, a margin later, kills a worker wedged beyond that.
            timeout=timeout_s + WEDGED_WORKER_MARGIN_S,
        )


def _routed(timeouts: dict[int, int]) -> dict[int, str]:
    """The tasks that go to a queue of their own: with VERIFY_QUEUE set, verify tasks go to the
    clusters started with WORKER_QUEUE set to it (the workers with the sandbox and the caches)."""
    if not settings.VERIFY_QUEUE:
        return {}
    verify = TaskRun.objects.filter(pk__in=list(timeouts), agent=VerifyAgent.name).values_list("pk", flat=True)
    return dict.fromkeys(verify, settings.VERIFY_QUEUE)


@functools.cache
def _broker(queue: str | None = None) -> Broker:
    # One broker per queue and process: get_broker() opens a new Redis connection pool on every call.
    return get_broker(queue)


# --- Attempts -----------------------------------------------------------------------------


def claim_task(task_run_id: int, *, worker: str) -> Claim | None:
    """Move a queued task to running under this worker, with a lease, and open its attempt
    record. None when the task was not queued: a duplicate delivery, or another worker was faster."""
    with transaction.atomic():
        if not TaskRun.objects.filter(pk=task_run_id).claim(worker=worker, lease_s=settings.TASK_LEASE_S):
            return None
        task = (
            TaskRun.objects.annotate(last=Max("attempts__number"))
            .values("run_id", "attempt", "started_at", "last")
            .get(pk=task_run_id)
        )
        number = (task["last"] or 0) + 1
        TaskAttempt.objects.create(task_run_id=task_run_id, number=number, worker=worker, started_at=task["started_at"])
    return Claim(task_run_id, task["run_id"], worker, task["attempt"], task["started_at"], number)


def current_claim(task: TaskRun) -> Claim:
    """The claim a running task is held under, as its worker knows it."""
    return Claim(task.pk, task.run_id, task.worker, task.attempt, task.started_at, TaskAttempt.last_number(task.pk))


def complete_attempt(
    claim: Claim, files: dict[str, str], reasoning: str, *, fingerprint: str = "", reused_from: TaskRun | None = None
) -> bool:
    """Store a successful attempt's files, mark the task succeeded (with its fingerprint, and the
    earlier task whose files it took, if any) and move the DAG on, in one transaction. False, with
    nothing written, when the claim is no longer current (the run was cancelled or the task handed
    to another worker). Unsafe output raises UnsafeOutput."""
    with transaction.atomic():
        others = Artifact.objects.filter(run_id=claim.run_id).exclude(task_run_id=claim.task_run_id)
        stored = others.aggregate(
            files=Count("pk"), bytes=Sum("size"), clash=Min("path", filter=Q(path__in=list(files)))
        )
        check_files(files, existing_files=stored["files"], existing_bytes=stored["bytes"] or 0)
        if stored["clash"]:
            raise UnsafeOutput(f"{stored['clash']!r} was already written by another task of this run")
        if not claim.owned().exists():
            return False
        try:
            with transaction.atomic():
                # Delete-then-insert: however often the task ran, it keeps exactly this attempt's files.
                Artifact.objects.filter(task_run_id=claim.task_run_id).delete()
                Artifact.objects.bulk_create(
                    Artifact.of(claim.run_id, claim.task_run_id, path, content) for path, content in files.items()
                )
        except IntegrityError:
            return False  # another attempt of this task stored its files first, and won
        # The files are written before the run's lock is taken, so that sibling tasks finishing
        # together hold it, one after the other, only for the hand-over itself. The order (run,
        # then task) is the one cancel_run, fail_attempt and recovery take too: no deadlock.
        run = Run.objects.lock(claim.run_id)
        if not claim.owned().mark_succeeded(reasoning=reasoning, fingerprint=fingerprint, reused_from=reused_from):
            transaction.set_rollback(True)
            return False
        if reused_from is not None:
            copy_outcomes(reused_from, claim.task_run_id, claim.run_id, claim.number)
        close_attempt(claim, succeeded=True)
        _advance(run)
    return True


def fail_attempt(
    claim: Claim, error: str, *, permanent: bool = False, backoff: bool = True, expired_before: datetime | None = None
) -> str | None:
    """Record a failed attempt. With attempts left and a failure another try may fix, the task
    waits out a backoff (or, with backoff=False, is queued again at once); otherwise it fails for
    good and its descendants are skipped. Returns the task's new status, or None when the claim
    is no longer current (or, with expired_before, its lease was renewed meanwhile)."""
    with transaction.atomic():
        run = Run.objects.lock(claim.run_id)
        owned = claim.owned()
        if expired_before is not None:
            owned = owned.filter(lease_expires_at__lt=expired_before)
        task = owned.only("pk", "key", "title", "max_attempts", "timeout_s").first()
        if task is None:
            return None
        if permanent or claim.attempt >= task.max_attempts:
            if not owned.mark_failed(error=error):
                return None
            close_attempt(claim, error=error)
            _skip_descendants(run, task)
            run.finish_if_done()
            return TaskStatus.FAILED
        if not backoff:
            if not owned.mark_requeued(error=error):
                return None
            close_attempt(claim, error=error)
            dispatch({task.pk: task.timeout_s})
            return TaskStatus.QUEUED
        delay = full_jitter(claim.attempt)
        if not owned.mark_retry_wait(error=error, delay_s=delay):
            return None
        close_attempt(claim, error=error, backoff_s=delay)
        return TaskStatus.RETRY_WAIT


def close_attempt(claim: Claim, *, succeeded: bool = False, error: str = "", backoff_s: float | None = None) -> None:
    """End the attempt's record, unless something (a cancel) ended it already."""
    TaskAttempt.objects.filter(task_run_id=claim.task_run_id, number=claim.number, finished_at__isnull=True).update(
        finished_at=timezone.now(), succeeded=succeeded, error=error, backoff_s=backoff_s
    )


def release_due_retries(*, run_id: int | None = None) -> int:
    """Queue and enqueue the waiting tasks whose backoff has passed. Returns how many."""
    now = timezone.now()
    waiting = TaskRun.objects.filter(status=TaskStatus.RETRY_WAIT, next_attempt_at__lte=now)
    if run_id is not None:
        waiting = waiting.filter(run_id=run_id)
    released = {
        pk: timeout_s
        for pk, timeout_s in waiting.values_list("pk", "timeout_s")
        if TaskRun.objects.filter(pk=pk).release_retries(now)
    }
    dispatch(released)
    return len(released)


def _advance(run: Run) -> None:
    """Queue every pending task whose dependencies have all succeeded, then end the run if
    nothing is left to do. Called with the run locked."""
    tasks = list(run.task_runs.values_list("pk", "key", "status", "depends_on", "timeout_s"))
    status = {key: task_status for _, key, task_status, _, _ in tasks}
    ready = {
        pk: timeout_s
        for pk, _, task_status, depends_on, timeout_s in tasks
        if task_status == TaskStatus.PENDING and all(status.get(dep) == TaskStatus.SUCCEEDED for dep in depends_on)
    }
    queued = {pk: timeout_s for pk, timeout_s in ready.items() if TaskRun.objects.filter(pk=pk).queue()}
    dispatch(queued)
    if not queued:  # with a task just queued the run is not done; else what was read still holds
        run.finish_if_done(set(status.values()))


def _skip_descendants(run: Run, failed: TaskRun) -> None:
    dependents: dict[str, list[str]] = {}
    for key, depends_on in run.task_runs.values_list("key", "depends_on"):
        for dep in depends_on:
            dependents.setdefault(dep, []).append(key)
    descendants = reachable(dependents, [failed.key])
    run.task_runs.filter(key__in=descendants).skip(error=f"Skipped because “{failed.title}” failed.")


# --- Running without a cluster ---------------------------------------------------------


def run_inline(run: Run, *, on_progress: Callable[[TaskRun], None] | None = None) -> Run:
    """Execute the run's queued tasks one by one in this process, through the same claim and
    finish steps a worker uses, waiting out retry backoffs, until nothing is left to run here.
    on_progress(task_run) is called after each attempt. Returns the run, refreshed."""
    from .tasks import execute_task  # orchestration.tasks imports this module

    token = _inline.set(True)
    try:
        while True:
            queued = run.task_runs.filter(status=TaskStatus.QUEUED).order_by("pk").values_list("pk", flat=True).first()
            if queued is not None:
                execute_task(queued)
                if on_progress is not None:
                    on_progress(TaskRun.objects.get(pk=queued))
                continue
            waiting = run.task_runs.filter(status=TaskStatus.RETRY_WAIT).order_by("next_attempt_at").first()
            if waiting is None:
                break
            time.sleep(max(0.0, (waiting.next_attempt_at - timezone.now()).total_seconds()))
            release_due_retries(run_id=run.pk)
    finally:
        _inline.reset(token)
    run.refresh_from_db()
    return run

"""The worker side of a run: one django-q2 task executes one attempt of one TaskRun, and the
steps every attempt goes through wherever it runs: claimed, finished (succeeded, waiting to
retry, failed) and handed over to the tasks that were waiting for it, which are enqueued here.
run_inline drives a run through the same steps in one process, without a cluster.

The agent runs in a thread while the calling thread watches it: it renews the task's lease,
notices when the run was cancelled or the task handed to another worker, and enforces the
task's timeout. Only the watching thread writes the outcome.

Why a thread and not a child process that could be killed: a forked child inherits this
worker's open database connections (neither SQLite nor PostgreSQL connections survive being
used across a fork) and the SDKs' HTTP pools, and starting a fresh interpreter per attempt costs
about a second of Django start-up, against a hand-over between tasks measured in milliseconds.
A thread shares nothing unsafe, and stopping it needs no kill: from the deadline on, the agent's
next checkpoint() raises, and whatever it still returns is ignored because the watcher has
already recorded the timeout. An agent blocked in one call keeps its thread until that call
returns; LLM calls are bounded by LLM_TIMEOUT_S.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import functools
import json
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from time import monotonic

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django_q.brokers import Broker, get_broker
from django_q.brokers.redis_broker import Redis as RedisBroker
from django_q.tasks import async_task

from agents import providers
from agents.base import Agent, AgentContext, AgentError, AgentResult, PermanentAgentError
from agents.registry import get_agent
from agents.safe_output import UnsafeOutput, check_files
from agents.verify import VerifyAgent, VerifyContext

from . import reuse, statements, telemetry
from .backoff import full_jitter
from .models import Artifact, Claim, Run, TaskAttempt, TaskRun, TaskStatus
from .plans import reachable
from .usage import llm_context
from .verification import RunChecks

logger = logging.getLogger(__name__)

# Lease renewals per lease period: two can be missed (a stalled database, a busy machine)
# before the lease runs out.
RENEWALS_PER_LEASE = 3
MAX_RENEWAL_INTERVAL_S = 1.0  # also how soon a running task notices that its run was cancelled


class Stopped(AgentError):
    """Raised by checkpoint() inside an agent whose attempt must end now."""


@dataclass
class TaskContext(AgentContext):
    attempt: int = 1  # which try this is over the task's whole history (TaskAttempt.number)


@dataclass
class VerifyTaskContext(TaskContext, VerifyContext):
    """The verify task's context: with the hooks that store its checks and repair other tasks' files."""


def worker_id() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def execute_task(task_run_id: int) -> str:
    """Run one attempt of a TaskRun: the django-q2 entry point. Returns what happened, for its log."""
    claim = claim_task(task_run_id, worker=worker_id())
    if claim is None:
        # A duplicate delivery (the ORM broker can deliver twice), or another worker was faster.
        return f"task run {task_run_id} was not queued; nothing to do"
    task = statements.task(task_run_id)
    with telemetry.attempt(task, claim):  # its ids on every log line, and its span in the run's trace
        return _attempt(claim, task)


def _attempt(claim: Claim, task: TaskRun) -> str:
    watch = _Watch(claim, task.timeout_s)
    try:
        agent = get_agent(task.agent)
        context = _context(task, claim, watch.checkpoint)
    except (
        KeyError,
        providers.ProviderError,
    ) as exc:  # an unknown agent or an unconfigured provider: no retry fixes it
        return _fail(claim, task, _describe(exc), permanent=True)
    fingerprint = reuse.fingerprint(agent, context)
    if task.run.reuse and (
        source := reuse.reusable(task.run.plan_version.project_id, task.agent, fingerprint, run_id=task.run_id)
    ):
        return _reuse(claim, task, source, fingerprint)
    thread = _AgentThread(agent, context, name=f"task-run-{task.pk}-attempt-{claim.number}")
    thread.start()
    watch.supervise(thread)
    return _finish(claim, task, thread, watch, fingerprint)


def _reuse(claim: Claim, task: TaskRun, source: TaskRun, fingerprint: str) -> str:
    """Succeed with the files of an earlier run's task whose inputs were the same: no agent runs."""
    try:
        if not complete_attempt(
            claim, reuse.files_of(source), source.reasoning, fingerprint=fingerprint, reused_from=source
        ):
            return f"{task.key}: output discarded"
    except PermanentAgentError as exc:  # the files no longer pass the safe writer's rules
        return _fail(claim, task, str(exc), permanent=True)
    logger.info("task %s of run %s reused the files of run %s", task.key, task.run_id, source.run_id)
    return f"{task.key}: reused from run {source.run_id}"


class _AgentThread(threading.Thread):
    def __init__(self, agent: Agent, context: AgentContext, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.agent = agent
        self.context = context
        self.result: AgentResult | None = None
        self.error: BaseException | None = None
        # A new thread starts with empty context variables: the agent gets the attempt's log ids and span.
        self.context_vars = contextvars.copy_context()

    def run(self) -> None:
        self.context_vars.run(self._run)

    def _run(self) -> None:
        try:
            self.result = self.agent.run(self.context)
        except BaseException as exc:
            self.error = exc
        finally:
            # The agent's provider records LLM calls on this thread's own connection.
            connections.close_all()


class _Watch:
    """The attempt's deadline and lease, shared by the watching thread and the agent's checkpoints."""

    def __init__(self, claim: Claim, timeout_s: int) -> None:
        self.claim = claim
        self.timeout_s = timeout_s
        self.deadline = monotonic() + timeout_s
        self.lost = threading.Event()  # the run was cancelled or the task handed to another worker

    def checkpoint(self) -> None:
        if self.lost.is_set():
            raise Stopped("Stopped: the run was cancelled or the task was handed to another worker.")
        if monotonic() >= self.deadline:
            raise Stopped(self.timeout_message)

    @property
    def timeout_message(self) -> str:
        return f"Timed out after {self.timeout_s} s."

    def supervise(self, thread: threading.Thread) -> None:
        """Wait for the agent until it ends, the deadline passes or the claim is lost, renewing the lease."""
        lease_s = settings.TASK_LEASE_S
        interval = min(MAX_RENEWAL_INTERVAL_S, lease_s / RENEWALS_PER_LEASE)
        while True:
            thread.join(max(0.0, min(interval, self.deadline - monotonic())))
            if not thread.is_alive() or monotonic() >= self.deadline:
                return
            if not self.claim.owned().renew_lease(lease_s=lease_s):
                self.lost.set()
                return


def _context(task: TaskRun, claim: Claim, checkpoint, *, purpose: str = "agent") -> TaskContext:
    """The agent's context for an attempt of `task` (`purpose` "repair" when the verify task asks
    the agent that wrote failing files to fix them)."""
    version = task.run.plan_version
    provider, llm_context = _provider(task, purpose)
    fields = dict(
        request=version.project.request,
        task_key=task.key,
        title=task.title,
        instructions=task.instructions,
        scope=list(task.scope),
        upstream=_upstream(task),
        spec=version.spec_model(),
        spec_edited=version.spec_edited,
        feedback=version.feedback,
        provider=provider,
        llm_context=llm_context,
        checkpoint=checkpoint,
        attempt=claim.number,
    )
    if isinstance(get_agent(task.agent), VerifyAgent):
        hooks = RunChecks(task, claim, lambda other, purpose: _context(other, claim, checkpoint, purpose=purpose))
        return VerifyTaskContext(**fields, hooks=hooks, model_wrote=_model_wrote(task))
    return TaskContext(**fields)


def _model_wrote(verify: TaskRun) -> bool:
    """Whether any other task of the run calls a model: with routes, a run of an offline project may still
    have code a model wrote, which is only ever checked in the sandbox and may be repaired."""
    run_provider = verify.run.provider or providers.default_provider_name()
    for provider in (
        TaskRun.objects.filter(run_id=verify.run_id).exclude(pk=verify.pk).values_list("provider", flat=True)
    ):
        named = providers.PROVIDERS.get(provider or run_provider)
        if named is None or not named.offline:  # a provider this server no longer knows: assume a model
            return True
    return False


def _provider(task: TaskRun, purpose: str) -> tuple[providers.Provider, providers.LLMContext]:
    """The provider and model the task's route named when the run started (a run started before runs
    kept routes: the run's provider)."""
    run = task.run
    provider = providers.get_provider(task.provider or run.provider or None, model=task.model)
    return provider, llm_context(
        run.plan_version.project, task, purpose=purpose, on_text=functools.partial(_record_progress, task.pk)
    )


# A file's path in an answer's JSON so far: {"path": "frontend/src/App.tsx", ...
_PATH = re.compile(r'"path"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _record_progress(task_run_id: int, text: str) -> None:
    """While a streamed answer comes in: the paths of the files it has produced so far, for the run's page."""
    paths = []
    for quoted in _PATH.findall(text):
        try:
            paths.append(json.loads(f'"{quoted}"'))
        except json.JSONDecodeError:
            continue
    TaskRun.objects.filter(pk=task_run_id, status=TaskStatus.RUNNING).update(progress=list(dict.fromkeys(paths)))


def _upstream(task: TaskRun) -> dict[str, str]:
    """path -> content of every file written by the task's dependencies, direct or not."""
    if not task.depends_on:
        return {}
    depends_on = {key: deps for _, key, _, deps, _ in statements.run_tasks(task.run_id)}
    return statements.files(task.run_id, reachable(depends_on, [task.key]))


def _finish(claim: Claim, task: TaskRun, thread: _AgentThread, watch: _Watch, fingerprint: str) -> str:
    if watch.lost.is_set():
        close_attempt(claim, error="Stopped: the run was cancelled or the task was handed to another worker.")
        return f"{task.key}: stopped, output discarded"
    if thread.is_alive() or isinstance(thread.error, Stopped):
        return _fail(claim, task, watch.timeout_message, permanent=False)
    if thread.error is not None:
        return _fail(claim, task, _describe(thread.error), permanent=isinstance(thread.error, PermanentAgentError))
    if not isinstance(thread.result, AgentResult) or not isinstance(thread.result.files, dict):
        return _fail(claim, task, f"The {task.agent} agent returned no files.", permanent=True)
    try:
        if not complete_attempt(claim, thread.result.files, thread.result.reasoning, fingerprint=fingerprint):
            close_attempt(
                claim, error="Output discarded: the run was cancelled or the task was handed to another worker."
            )
            return f"{task.key}: output discarded"
    except PermanentAgentError as exc:
        return _fail(claim, task, str(exc), permanent=True)
    logger.info("task %s of run %s succeeded on attempt %d", task.key, task.run_id, claim.number)
    return f"{task.key}: succeeded"


def _fail(claim: Claim, task: TaskRun, error: str, *, permanent: bool) -> str:
    status = fail_attempt(claim, error, permanent=permanent)
    logger.warning(
        "task %s of run %s, attempt %d: %s -> %s", task.key, task.run_id, claim.number, error, status or "discarded"
    )
    return f"{task.key}: {status or 'discarded'}: {error}"


def _describe(exc: BaseException) -> str:
    """The error as the task's error column shows it: our own errors are already in plain words."""
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    if isinstance(exc, AgentError):  # ProviderError and BudgetExceeded included
        return str(exc) or type(exc).__name__
    logger.error("unexpected error in an agent", exc_info=exc)
    return f"Unexpected error: {type(exc).__name__}: {exc}"


# --- Attempts: claim, finish, hand over ------------------------------------------------


WEDGED_WORKER_MARGIN_S = 60


# True while run_inline drives a run in this thread: the tasks it queues are taken from the
# database by its own loop, not sent to a broker that no cluster may be reading.
_inline = contextvars.ContextVar("inline_run", default=False)


def dispatch(timeouts: Mapping[int, int]) -> None:
    """Enqueue one django-q2 task per TaskRun (id -> its timeout_s, which the callers have at
    hand, so the hand-over reads nothing more) when the current transaction commits (at once
    outside one). An enqueue that fails or that the broker loses is repaired by recovery, which
    re-enqueues queued tasks nobody claimed."""
    if timeouts and not _inline.get():
        transaction.on_commit(functools.partial(_enqueue, dict(timeouts)), robust=True)


def _enqueue(timeouts: dict[int, int]) -> None:
    routed = _routed(timeouts)
    queues: dict[str | None, list[int]] = {}
    for pk in timeouts:
        queues.setdefault(routed.get(pk), []).append(pk)
    for queue, pks in queues.items():
        with _one_round_trip(queue_broker(queue), len(pks)) as broker:
            for pk in pks:
                async_task(
                    execute_task,
                    pk,
                    task_name=f"task-run-{pk}",
                    broker=broker,
                    # save=False: our TaskRun rows hold the outcome; django-q2's result rows would only pile up.
                    save=False,
                    # The task's own timeout stops the agent; django-q2's, a margin later, kills a worker wedged
                    # beyond that.
                    timeout=timeouts[pk] + WEDGED_WORKER_MARGIN_S,
                )


@contextlib.contextmanager
def _one_round_trip(broker: Broker, count: int) -> Iterator[Broker]:
    """The broker to enqueue `count` tasks with. On Redis, several go in one RPUSH when the block ends:
    pushed one by one, the first woke a worker that took the CPU from this process (2 cores) before it
    had pushed the rest, which then waited for it (bench/dispatch.py: p50 6.3 ms, 3.8 ms in one push)."""
    if count < 2 or not isinstance(broker, RedisBroker):
        yield broker
        return
    packages: list[str] = []

    def hold(package: str) -> int:
        packages.append(package)
        return len(packages)  # as RPUSH answers: the list's length, which django-q2 logs

    batch = copy.copy(broker)
    batch.enqueue = hold
    yield batch
    broker.connection.rpush(broker.list_key, *packages)


def _routed(timeouts: dict[int, int]) -> dict[int, str]:
    """The tasks that go to a queue of their own: with VERIFY_QUEUE set, verify tasks go to the
    clusters started with WORKER_QUEUE set to it (the workers with the sandbox and the caches)."""
    if not settings.VERIFY_QUEUE:
        return {}
    verify = TaskRun.objects.filter(pk__in=list(timeouts), agent=VerifyAgent.name).values_list("pk", flat=True)
    return dict.fromkeys(verify, settings.VERIFY_QUEUE)


@functools.cache
def queue_broker(queue: str | None = None) -> Broker:
    # One broker per queue and process: get_broker() opens a new Redis connection pool on every call.
    return get_broker(queue)


def claim_task(task_run_id: int, *, worker: str) -> Claim | None:
    """Move a queued task to running under this worker, with a lease, and open its attempt
    record. None when the task was not queued: a duplicate delivery, or another worker was faster."""
    return statements.claim(task_run_id, worker=worker, lease_s=settings.TASK_LEASE_S)


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
        # A first attempt that wrote nothing (a check, a probe) has no files to weigh, clear or store.
        if files or claim.number > 1:
            if not _store_files(claim, files):
                return False
        # The files are written before the run's lock is taken, so that sibling tasks finishing
        # together hold it, one after the other, only for the hand-over itself. The order (run,
        # then task) is the one cancel_run, fail_attempt and recovery take too: no deadlock.
        reused_from_id = None if reused_from is None else reused_from.pk
        if not statements.succeed(claim, reasoning=reasoning, fingerprint=fingerprint, reused_from_id=reused_from_id):
            transaction.set_rollback(True)
            return False
        if reused_from is not None:
            reuse.copy_outcomes(reused_from, claim.task_run_id, claim.run_id, claim.number)
        advance(claim.run_id)
    return True


def _store_files(claim: Claim, files: dict[str, str]) -> bool:
    """The attempt's files, in place of any an earlier attempt of the task stored; False, with nothing
    written, when the claim is no longer current or another attempt stored its files first."""
    others = Artifact.objects.filter(run_id=claim.run_id).exclude(task_run_id=claim.task_run_id)
    stored = others.aggregate(files=Count("pk"), bytes=Sum("size"), clash=Min("path", filter=Q(path__in=list(files))))
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
            Run.objects.finish_if_done(run.pk)
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
    statements.close_attempt(claim, succeeded=succeeded, error=error, backoff_s=backoff_s)


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


def advance(run_id: int) -> None:
    """Queue every pending task whose dependencies have all succeeded, then end the run if
    nothing is left to do. Called with the run locked."""
    tasks = statements.run_tasks(run_id, pending_only=True)
    status = {key: task_status for _, key, task_status, _, _ in tasks}
    ready = {
        pk: timeout_s
        for pk, _, task_status, depends_on, timeout_s in tasks
        if task_status == TaskStatus.PENDING and all(status.get(dep) == TaskStatus.SUCCEEDED for dep in depends_on)
    }
    queued = statements.queue(list(ready))
    dispatch({pk: ready[pk] for pk in queued})
    if not queued:  # with a task just queued the run is not done; else what was read still holds
        Run.objects.finish_if_done(run_id, set(status.values()))


def _skip_descendants(run: Run, failed: TaskRun) -> None:
    dependents: dict[str, list[str]] = {}
    for key, depends_on in run.task_runs.values_list("key", "depends_on"):
        for dep in depends_on:
            dependents.setdefault(dep, []).append(key)
    descendants = reachable(dependents, [failed.key])
    run.task_runs.filter(key__in=descendants).skip(error=f"Skipped because “{failed.title}” failed.")


def run_inline(run: Run, *, on_progress: Callable[[TaskRun], None] | None = None) -> Run:
    """Execute the run's queued tasks one by one in this process, through the same claim and
    finish steps a worker uses, waiting out retry backoffs, until nothing is left to run here.
    on_progress(task_run) is called after each attempt. Returns the run, refreshed."""
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

"""The worker side of a run: one django-q2 task executes one attempt of one TaskRun.

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

import functools
import json
import logging
import os
import re
import socket
import threading
from dataclasses import dataclass
from time import monotonic

from django.conf import settings
from django.db import connections

from agents import providers
from agents.base import Agent, AgentContext, AgentError, AgentResult, PermanentAgentError
from agents.registry import get_agent
from agents.verify import VerifyAgent, VerifyContext

from . import reuse
from .models import Artifact, TaskRun, TaskStatus
from .plans import reachable
from .runs import Claim, claim_task, close_attempt, complete_attempt, fail_attempt
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
    task = TaskRun.objects.select_related("run__plan_version__project").get(pk=task_run_id)
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

    def run(self) -> None:
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
    depends_on = dict(TaskRun.objects.filter(run_id=task.run_id).values_list("key", "depends_on"))
    ancestors = reachable(depends_on, [task.key])
    return dict(Artifact.objects.filter(run_id=task.run_id, task_run__key__in=ancestors).values_list("path", "content"))


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

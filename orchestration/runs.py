"""Runs of a plan as people start, cancel and retry them.

django-q2 has no DAG support (its chains are linear), so dependencies live in TaskRun rows and
each TaskRun is one django-q2 task, enqueued only once every task it depends on has succeeded.
Every change to a run's DAG happens under the run's row lock (Run.objects.lock), taken before
any task row is changed. How a task is claimed, run and handed over to the next is
orchestration.tasks; the periodic repairs are orchestration.recovery.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agents.registry import get_agent

from .forecast import forecast_run, task_route
from .models import PlanVersion, Run, TaskAttempt, TaskRun, TaskStatus
from .tasks import advance, dispatch
from .telemetry import current_traceparent, run_ids, tracer

logger = logging.getLogger(__name__)


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
    with transaction.atomic(), tracer.start_as_current_span("start run") as span:
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
            trace_parent=current_traceparent(),  # its tasks' spans, wherever they run, join this trace
        )
        span.set_attributes({"autodevos.run_id": run.pk, "autodevos.project_id": project.pk})
        created = TaskRun.objects.bulk_create([_task_run(run, task, now) for task in plan_version.tasks])
        dispatch({task.pk: task.timeout_s for task in created if task.status == TaskStatus.QUEUED})
    logger.info(
        "run %s of %s started with %d tasks",
        run.pk,
        plan_version,
        len(plan_version.tasks),
        extra=run_ids(run),
    )
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
    logger.info("run %s cancelled%s", run.pk, by, extra=run_ids(run))


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
        advance(locked.pk)
    logger.info("run %s: %d tasks retried%s", run.pk, reset, f" by {user}" if user else "", extra=run_ids(run))
    return reset

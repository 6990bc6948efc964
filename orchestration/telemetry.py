"""A run's work as logs and traces show it (autodevos_site.logs, autodevos_site.traces).

A run keeps the W3C traceparent of the span that started it (Run.trace_parent): each attempt of each
task, on whichever worker or machine picks it up from the queue, starts its span as a child of that
one, so one trace holds the whole run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from autodevos_site.logs import log_context

from .models import Claim, Run, TaskRun, TaskStatus

tracer = trace.get_tracer(__name__)
_traceparent = TraceContextTextMapPropagator()


def current_traceparent() -> str:
    """The current span as a traceparent header value; "" when no span is recording (tracing is off)."""
    carrier: dict[str, str] = {}
    _traceparent.inject(carrier)
    return carrier.get("traceparent", "")


def run_ids(run: Run) -> dict[str, int]:
    """A run's ids for a log line's `extra`: its own, its project's and its team's."""
    project = run.plan_version.project
    return {"run_id": run.pk, "project_id": project.pk, "team_id": project.team_id}


@contextmanager
def attempt(task: TaskRun, claim: Claim) -> Iterator[Span]:
    """One attempt of a task: its ids on every log line, and its span in the run's trace, with the
    status the task was left in (`autodevos.outcome`)."""
    run = task.run  # with its plan version and project: execute_task reads them in one query
    project = run.plan_version.project
    ids = dict(
        run_id=run.pk,
        task_run_id=task.pk,
        task_key=task.key,
        attempt=claim.number,
        agent=task.agent,
        project_id=project.pk,
        team_id=project.team_id,
    )
    parent = _traceparent.extract({"traceparent": run.trace_parent}) if run.trace_parent else None
    with (
        log_context(**ids),
        tracer.start_as_current_span(
            f"task {task.key}",
            context=parent,
            kind=trace.SpanKind.CONSUMER,
            attributes={f"autodevos.{name}": value for name, value in ids.items()},
        ) as span,
    ):
        yield span
        if span.is_recording():  # one query more per attempt, only while traces are exported
            status = TaskRun.objects.filter(pk=task.pk).values_list("status", flat=True).first()
            span.set_attribute("autodevos.outcome", status or "")
            if status in (TaskStatus.FAILED, TaskStatus.RETRY_WAIT):
                span.set_status(Status(StatusCode.ERROR, f"the attempt left the task {status}"))

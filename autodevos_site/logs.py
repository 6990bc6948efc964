"""What every log line carries: the ids of the work it is about, and no secret.

The engine sets the ids of the run, task, attempt, agent, project and team it works on with
log_context(); a filter on the console handler copies them onto each record, where the JSON
formatter (LOG_FORMAT=json) writes them as fields and TextFormatter after the logger's name.
They live in a contextvar, so they follow the code that sets them, and a thread started with a copy
of the context (the agent's) carries them too.

A second filter takes every configured secret out of a record's message, its arguments and its
exception before any formatter sees it, with the redactor model answers go through
(agents.providers.redaction).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

from opentelemetry import trace

# The record attributes (and JSON fields) the ids are written to, with the text format's short names.
FIELDS = {
    "run_id": "run",
    "task_run_id": "task",
    "task_key": "key",
    "attempt": "attempt",
    "agent": "agent",
    "project_id": "project",
    "team_id": "team",
}

_ids: ContextVar[Mapping[str, object]] = ContextVar("log_ids", default=MappingProxyType({}))


@contextmanager
def log_context(**ids: object) -> Iterator[None]:
    """Every line logged in this block (and in threads started with a copy of its context) carries `ids`."""
    unknown = set(ids) - set(FIELDS)
    if unknown:
        raise ValueError(f"not a log field: {', '.join(sorted(unknown))}")
    token = _ids.set({**_ids.get(), **ids})
    try:
        yield
    finally:
        _ids.reset(token)


class ContextIds(logging.Filter):
    """Puts the ids of log_context() on the record, and the trace's ids while a span is recording."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _ids.get().items():
            setattr(record, name, value)
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            record.trace_id = trace.format_trace_id(span.trace_id)
            record.span_id = trace.format_span_id(span.span_id)
        return True


class RedactSecrets(logging.Filter):
    """Every configured secret out of the record's message (with its arguments merged in), exception and stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = _redactor(*_secrets())
        record.msg = redactor.text(record.getMessage())
        record.args = None
        if record.exc_info:
            # Formatted here, and the exception dropped, as some formatters (the JSON one) format it again.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redactor.text(record.exc_text)
        if record.stack_info:
            record.stack_info = redactor.text(record.stack_info)
        return True


def _secrets() -> list[str]:
    from agents.providers.redaction import configured_secrets  # on first use: the providers load the LLM SDKs

    return configured_secrets()


@functools.lru_cache(maxsize=4)
def _redactor(*secrets: str):
    from agents.providers.redaction import Redactor

    return Redactor(secrets)


class TextFormatter(logging.Formatter):
    """Lines for people: `2026-01-05 10:00:00 INFO orchestration.tasks [run=4 task=17 key=backend ...] message`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ids)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        ids = " ".join(f"{short}={getattr(record, name)}" for name, short in FIELDS.items() if hasattr(record, name))
        record.ids = f" [{ids}]" if ids else ""
        return super().formatMessage(record)

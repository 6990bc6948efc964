"""How long the site takes to answer: a Prometheus histogram of every request's latency, by method,
URL name and status code, observed in the web process that served it.

Unlike the engine's figures (orchestration.metrics, read from the database at scrape time), these
exist only in the web processes. Under gunicorn each worker process has its own copy, so with
PROMETHEUS_MULTIPROC_DIR set (before the process starts: prometheus_client reads it on import) every
process writes its samples to files in that folder and a scrape, whichever process answers it, adds
them all up. Without it (runserver, tests) they stay in this process's REGISTRY.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from time import perf_counter

from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Histogram

# The registry of this process's own figures, when they are not shared through PROMETHEUS_MULTIPROC_DIR.
REGISTRY = CollectorRegistry()

REQUEST_LATENCY = Histogram(
    "autodevos_http_request_duration_seconds",
    "Time from a request reaching the site to its answer, by method, URL name and status code.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)

# Any other method a client sends is counted as "other": a label per invented method would grow without end.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def multiprocess_dir() -> str:
    """The folder the processes share their samples through; empty when each keeps its own."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


class RequestLatencyMiddleware:
    """Times each request. Labelled by the URL's name (`projects:detail`), not its path, so that a
    project's id or a scanner's random paths add no series; a request that matched no URL (a 404, a
    static file) is `none`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        REQUEST_LATENCY.labels(
            request.method if request.method in METHODS else "other",
            match.view_name if match is not None else "none",
            str(response.status_code),
        ).observe(perf_counter() - started)
        return response

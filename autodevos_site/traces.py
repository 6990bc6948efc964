"""OpenTelemetry traces: set up once per process, exported only where an OTLP endpoint is configured.

configure() runs when Django starts (orchestration's AppConfig.ready), in the web processes and in
`qcluster`, whose workers inherit the exporter when they fork (the SDK restarts its export thread in
the child). Without OTEL_EXPORTER_OTLP_ENDPOINT no provider is set: every tracer is OpenTelemetry's
no-op one and nothing is recorded or sent.

The spans: one per web request (RequestSpanMiddleware), `start run` (orchestration.runs), one per
task attempt (orchestration.telemetry, a child of `start run` through the traceparent the run keeps,
whichever machine runs it), one per model call (agents.providers.generation) and per verify check
(agents.verify). No span holds a prompt or an answer.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

tracer = trace.get_tracer(__name__)


def configure() -> TracerProvider | None:
    """With an OTLP endpoint configured: make spans recorded and exported (in batches, off the request's
    thread) from this process on, and return the provider. Without one: nothing, tracing stays off."""
    if not settings.OTEL_EXPORTER_OTLP_ENDPOINT:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.OTEL_SERVICE_NAME}))
    # The exporter reads the endpoint (and OTEL_EXPORTER_OTLP_HEADERS, ..._TIMEOUT) from the environment,
    # adding /v1/traces, as every OpenTelemetry SDK does.
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


class RequestSpanMiddleware:
    """A span for each request, named by its URL route ("POST <int:project_id>/run/"), continuing the
    trace of a caller (a proxy) that sent a traceparent header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with tracer.start_as_current_span(
            request.method, context=propagate.extract(request.headers), kind=trace.SpanKind.SERVER
        ) as span:
            response = self.get_response(request)
            if span.is_recording():
                if request.resolver_match is not None:
                    span.update_name(f"{request.method} {request.resolver_match.route}")
                    span.set_attribute("http.route", request.resolver_match.route)
                span.set_attributes(
                    {"http.request.method": request.method, "http.response.status_code": response.status_code}
                )
            return response

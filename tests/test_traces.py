"""Traces as an operator's tracing backend shows them: one trace per run, from the web request that started
it through each task attempt (across the queue, by the run's traceparent) to each model call and verify
check, with models, tokens and outcomes but never a prompt or an answer; exported over OTLP only where
OTEL_EXPORTER_OTLP_ENDPOINT is set. Spans are recorded in memory here (the SDK's InMemorySpanExporter)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents.base import PermanentAgentError
from agents.registry import get_agent
from agents.verify import VerifyContext
from autodevos_site import traces
from orchestration.models import Run
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from testbed.clusters import ROOT, Cluster, make_plan, make_spec_then_probe_plan, probe_task, wait_for, wait_for_run
from testbed.stubs import OpenAIStub, Reply, use_openai
from testbed.subprocess_env import environ_without_settings

SPEC = {
    "app_name": "groomer",
    "title": "Dog groomer",
    "summary": "Bookings for a dog groomer.",
    "entities": [{"name": "Dog", "plural": "dogs", "label": "Dog", "fields": [{"name": "name"}]}],
}
ANSWER = {"reasoning": "Dogs, and nothing else yet.", "spec": SPEC}


@pytest.fixture(scope="session")
def exporter() -> InMemorySpanExporter:
    """This process's spans, kept in memory. OpenTelemetry lets a process set its provider only once."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    assert trace.get_tracer_provider() is provider, "a tracer provider was set before the tests'"
    return exporter


@pytest.fixture
def spans(exporter):
    exporter.clear()
    yield exporter
    exporter.clear()


def tree(spans: list[ReadableSpan]) -> str:
    """The spans as an indented tree, each with its attributes and error, children in the order they started."""
    children: dict[int | None, list[ReadableSpan]] = {}
    for span in sorted(spans, key=lambda s: s.start_time):
        children.setdefault(span.parent.span_id if span.parent else None, []).append(span)

    def lines(span: ReadableSpan, depth: int) -> list[str]:
        attributes = " ".join(f"{name.removeprefix('autodevos.')}={value}" for name, value in span.attributes.items())
        status = "" if span.status.is_ok else f"  [error: {span.status.description}]"
        own = [f"{'  ' * depth}{span.name}  {attributes}{status}".rstrip()]
        return own + [line for child in children.get(span.context.span_id, []) for line in lines(child, depth + 1)]

    return "\n".join(line for root in children.get(None, []) for line in lines(root, 0))


@pytest.mark.django_db(transaction=True)
def test_one_trace_follows_a_run_from_the_request_that_started_it_to_each_model_call(
    client, bob, project_a, settings, spans
):
    project_a.provider = "openai"
    project_a.save()
    version = make_spec_then_probe_plan(project_a)
    client.force_login(bob)
    # The model's server fails once, then answers: two model calls in the architect's attempt.
    with OpenAIStub([Reply(status=503), Reply(json=ANSWER, tokens_in=321, tokens_out=45)]) as stub:
        use_openai(settings, stub, TASK_BACKOFF_BASE_S=0.01, TASK_BACKOFF_CAP_S=0.02)
        client.post(reverse("projects:start_run", args=[project_a.pk]), {"version": version.pk})
        run = run_inline(Run.objects.get())
    assert run.status == Run.Status.SUCCEEDED

    finished = spans.get_finished_spans()
    print(tree(finished))
    assert len({span.context.trace_id for span in finished}) == 1
    by_id = {span.context.span_id: span for span in finished}

    def parent(span: ReadableSpan) -> ReadableSpan | None:
        return by_id[span.parent.span_id] if span.parent else None

    (request,) = [span for span in finished if parent(span) is None]
    assert request.name == "POST projects/<int:project_id>/run/"
    assert request.attributes["http.response.status_code"] == 302
    (start,) = [span for span in finished if span.name == "start run"]
    assert parent(start) is request and start.attributes["autodevos.run_id"] == run.pk
    assert run.trace_parent.split("-")[1:3] == [f"{start.context.trace_id:032x}", f"{start.context.span_id:016x}"]

    attempts = sorted((span for span in finished if span.name.startswith("task ")), key=lambda s: s.start_time)
    assert [(s.attributes["autodevos.task_key"], s.attributes["autodevos.attempt"]) for s in attempts] == [
        ("spec", 1),
        ("after", 1),
        ("after", 2),
    ]
    assert all(parent(span) is start for span in attempts)
    assert [s.attributes["autodevos.outcome"] for s in attempts] == ["succeeded", "retry_wait", "succeeded"]
    assert attempts[0].attributes["autodevos.agent"] == "architect"
    assert attempts[0].attributes["autodevos.run_id"] == run.pk

    calls = [span for span in finished if span.name.startswith("chat ")]
    assert len(calls) == 2 and all(parent(span) is attempts[0] for span in calls)
    failed, answered = sorted(calls, key=lambda s: s.start_time)
    assert not failed.status.is_ok and "gen_ai.usage.input_tokens" not in failed.attributes
    assert answered.name == "chat llama3.1"
    assert {name: answered.attributes[name] for name in ("gen_ai.provider.name", "gen_ai.request.model")} == {
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "llama3.1",
    }
    assert (answered.attributes["gen_ai.usage.input_tokens"], answered.attributes["gen_ai.usage.output_tokens"]) == (
        321,
        45,
    )
    assert answered.attributes["autodevos.llm.latency_ms"] >= 0

    # What the model was asked and what it answered is in no span.
    asked = stub.requests[-1].last_user_text
    everything = json.dumps([json.loads(span.to_json()) for span in finished])
    for text in (project_a.request, asked[:200], "Dogs, and nothing else yet."):
        assert text not in everything


def test_each_verify_check_is_a_span_under_the_task_that_ran_it(settings, spans):
    from testbed.verify import CACHE, generated

    settings.VERIFY_CHECKS, settings.VERIFY_SANDBOX, settings.VERIFY_CACHE_DIR = True, "bwrap", CACHE
    files, spec = generated("A list of dogs and their owners.", agents=["backend"])
    files["backend/package.json"] = "{ not json"  # its install check fails at once
    context = VerifyContext(
        request="", task_key="verify", title="Verify", instructions="", scope=[], upstream=files, spec=spec
    )
    with traces.tracer.start_as_current_span("task verify") as attempt:
        with pytest.raises(PermanentAgentError, match="does not install"):
            get_agent("verify").run(context)

    checks = [span for span in spans.get_finished_spans() if span.name.startswith("check ")]
    print(tree(spans.get_finished_spans()))
    assert [span.name for span in checks] == ["check backend installs"]
    (check,) = checks
    assert check.parent.span_id == attempt.get_span_context().span_id
    assert (check.attributes["autodevos.check.part"], check.attributes["autodevos.check.passed"]) == ("backend", False)
    assert not check.status.is_ok


def test_without_an_otlp_endpoint_nothing_is_set_up_to_record_or_export(settings):
    settings.OTEL_EXPORTER_OTLP_ENDPOINT = ""
    assert traces.configure() is None
    found = _in_a_fresh_process(
        {},
        "from opentelemetry import trace;"
        "span = trace.get_tracer('x').start_span('s');"
        "print(type(trace.get_tracer_provider()).__name__, span.is_recording())",
    )
    assert found.stdout.split() == ["ProxyTracerProvider", "False"]


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_with_an_otlp_endpoint_a_process_sends_its_spans_there():
    server = _collector()
    try:
        _in_a_fresh_process(
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{server.server_port}",
                "OTEL_SERVICE_NAME": "autodevos-test",
            },
            "from opentelemetry import trace; from autodevos_site.traces import tracer;"
            "span = tracer.start_span('a span from the site'); span.end();"
            "assert trace.get_tracer_provider().force_flush()",
        )
    finally:
        server.shutdown()
        server.server_close()

    (path, content_type, body), *_ = server.received
    assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
    sent = ExportTraceServiceRequest.FromString(body)
    (resource,) = sent.resource_spans
    service = {a.key: a.value.string_value for a in resource.resource.attributes}["service.name"]
    names = [span.name for scope in resource.scope_spans for span in scope.spans]
    assert service == "autodevos-test" and names == ["a span from the site"]


@pytest.mark.slow
@pytest.mark.scaleout
@pytest.mark.django_db(transaction=True)
def test_tasks_run_by_a_worker_cluster_join_the_trace_of_the_run_they_belong_to(project_a, spans):
    collector = _collector()
    try:
        with Cluster(
            workers=2,
            OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{collector.server_port}",
            OTEL_BSP_SCHEDULE_DELAY="100",  # milliseconds between the workers' exports
        ) as cluster:
            run = wait_for_run(
                start_run(make_plan(project_a, [probe_task("a"), probe_task("b", "a")])), timeout=120, log=cluster.log
            )

            def attempts() -> dict[str, object]:
                sent = [ExportTraceServiceRequest.FromString(body) for _, _, body in collector.received]
                found = {
                    span.name: span
                    for request in sent
                    for resource in request.resource_spans
                    for scope in resource.scope_spans
                    for span in scope.spans
                }
                return found if {"task a", "task b"} <= set(found) else {}

            received = wait_for(attempts, timeout=30, what="the workers' spans", log=cluster.log)
    finally:
        collector.shutdown()
        collector.server_close()

    assert run.status == Run.Status.SUCCEEDED
    (start,) = [span for span in spans.get_finished_spans() if span.name == "start run"]
    for name in ("task a", "task b"):
        attempt = received[name]
        assert (attempt.trace_id.hex(), attempt.parent_span_id.hex()) == (
            f"{start.context.trace_id:032x}",
            f"{start.context.span_id:016x}",
        )
        assert {a.key: a.value.int_value for a in attempt.attributes}["autodevos.run_id"] == run.pk


def _collector() -> ThreadingHTTPServer:
    """A stand-in for an OpenTelemetry collector on 127.0.0.1, started: `.received` holds (path, content type,
    body) of each request."""
    handler = type("Collector", (_Collector,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.received = handler.received
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _in_a_fresh_process(environ: dict[str, str], code: str) -> subprocess.CompletedProcess:
    """Run `code` in a new Python process after Django has started there, as the web and workers start."""
    env = environ_without_settings() | {
        "DJANGO_SETTINGS_MODULE": "autodevos_site.settings",
        "ENV_FILE": "/dev/null",
        "DEBUG": "true",
        "SECRET_KEY": "x",
        **environ,
    }
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        if name not in environ:
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

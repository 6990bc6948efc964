"""The Prometheus endpoint, /metrics, as a scraper and an operator see it: only staff or a scraper with
METRICS_TOKEN may read it; after a real run its figures (tasks by state and agent, task and run durations,
the queue, retries, lease expiries and recoveries, model calls, tokens and cost, verify checks) are what
the database holds, on SQLite and PostgreSQL alike; request latency is counted across web processes that
share PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from agents.providers.generation import CallRecord
from agents.providers.redaction import Redactor
from orchestration.models import Check, CriterionResult, Run, TaskRun
from orchestration.recovery import recover
from orchestration.runs import start_run
from orchestration.tasks import claim_task, run_inline
from orchestration.usage import RecordedUsage
from testbed.clusters import ROOT, make_plan, probe_task
from testbed.subprocess_env import environ_without_settings

TOKEN = "metrics-token-for-the-tests-0123456789"


def _figures(text: str) -> dict[tuple[str, frozenset], float]:
    """(sample name, its labels) -> value, as Prometheus reads the exposition."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _scrape(client: Client, **headers) -> dict[tuple[str, frozenset], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    return _figures(response.content.decode())


def _value(figures: dict, name: str, **labels: str) -> float | None:
    return figures.get((name, frozenset(labels.items())))


@pytest.mark.django_db
def test_anonymous_visitors_and_team_members_who_are_not_staff_are_refused(client, alice):
    anonymous = client.get("/metrics")
    client.force_login(alice)
    member = client.get("/metrics")

    for response in (anonymous, member):
        assert response.status_code == 403
        assert b"autodevos_" not in response.content


@pytest.mark.django_db
def test_a_scraper_reads_with_the_token_and_is_refused_with_a_wrong_one(client, settings):
    settings.METRICS_TOKEN = TOKEN

    wrong = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN[:-1]}x"})
    right = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")
    assert b"autodevos_" not in wrong.content
    assert right.status_code == 200 and b"# TYPE autodevos_tasks gauge" in right.content
    assert TOKEN.encode() not in wrong.content + right.content
    # The token is one of the secrets taken out of log lines and model answers.
    assert TOKEN not in Redactor.from_settings().text(f"Authorization: Bearer {TOKEN}")


@pytest.mark.django_db
def test_without_a_configured_token_no_token_opens_the_metrics(client, settings):
    settings.METRICS_TOKEN = ""

    for header in ("Bearer ", "Bearer anything"):
        assert client.get("/metrics", headers={"Authorization": header}).status_code == 403


@pytest.mark.django_db
def test_staff_read_the_metrics_in_prometheus_text_format(client, staff):
    client.force_login(staff)

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.scaleout  # aggregate queries over durations, which each database computes its own way
@pytest.mark.django_db(transaction=True)
def test_after_a_run_the_figures_are_those_of_the_database(client, staff, project_a, settings):
    settings.TASK_BACKOFF_BASE_S, settings.TASK_BACKOFF_CAP_S = 0.01, 0.02
    settings.LLM_PRICE_INPUT_PER_MTOK, settings.LLM_PRICE_OUTPUT_PER_MTOK = 2.0, 10.0
    run = start_run(make_plan(project_a, [probe_task("a"), probe_task("b", "a", fail_times=1)]))
    # A worker claims "a" and dies: its lease runs out and recovery queues the task again.
    claim_task(run.task_runs.get(key="a").pk, worker="lost-machine:1")
    TaskRun.objects.filter(run=run, key="a").update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert recover().requeued == 1
    run = run_inline(run)
    assert run.status == Run.Status.SUCCEEDED
    b = run.task_runs.get(key="b")
    # The reading side only: model calls as the usage recorder stores them, checks as the verify task does.
    usage = RecordedUsage(project_a, b, purpose="agent")
    for provider, model, tokens_in, tokens_out, error in [
        ("openai", "llama3.1", 100, 20, ""),
        ("openai", "llama3.1", 300, 40, ""),
        ("gemini", "gemini-2.5-flash", 0, 0, "HTTP 429"),
    ]:
        usage.record(
            CallRecord(provider, model, "prompt", 6, "", 0, "", tokens_in, tokens_out, 5, 1, error, False, False)
        )
    for part, name, status in [("backend", "tests", "passed"), ("frontend", "lint", "failed")]:
        Check.objects.create(run=run, task_run=b, attempt=1, part=part, name=name, command="x", status=status)
    CriterionResult.objects.create(run=run, task_run=b, attempt=1, criterion="c1", text="Dogs.", status="passed")
    # A second run whose two tasks nobody takes: one has waited two minutes.
    waiting = start_run(make_plan(project_a, [probe_task("q1"), probe_task("q2")]))
    waiting.task_runs.filter(key="q1").update(queued_at=timezone.now() - timedelta(seconds=120))
    client.force_login(staff)

    figures = _scrape(client)

    def value(name, **labels):
        return _value(figures, name, **labels)

    assert value("autodevos_tasks", state="succeeded", agent="probe") == 2
    assert value("autodevos_tasks", state="queued", agent="probe") == 2
    assert value("autodevos_tasks", state="failed", agent="probe") == 0
    assert (value("autodevos_runs", state="succeeded"), value("autodevos_runs", state="running")) == (1, 1)
    assert value("autodevos_task_duration_seconds_count", agent="probe", state="succeeded") == 2
    assert value("autodevos_run_duration_seconds_count", state="succeeded") == 1
    assert value("autodevos_run_duration_seconds_bucket", state="succeeded", le="+Inf") == 1
    assert value("autodevos_run_duration_seconds_sum", state="succeeded") > 0
    assert value("autodevos_queue_depth") == 2
    assert 120 <= value("autodevos_queue_oldest_age_seconds") < 3600
    # "a" ran again after its worker was lost, "b" after it failed once.
    assert value("autodevos_task_retries_total", agent="probe") == 2
    assert value("autodevos_lease_expiries_total", agent="probe") == 1
    assert value("autodevos_recoveries_total", agent="probe") == 1
    assert value("autodevos_llm_calls_total", provider="openai", model="llama3.1", outcome="ok") == 2
    assert value("autodevos_llm_calls_total", provider="gemini", model="gemini-2.5-flash", outcome="error") == 1
    assert value("autodevos_llm_tokens_total", provider="openai", model="llama3.1", direction="in") == 400
    assert value("autodevos_llm_tokens_total", provider="openai", model="llama3.1", direction="out") == 60
    assert value("autodevos_llm_cost_usd_total", provider="openai", model="llama3.1") == pytest.approx(0.0014)
    assert value("autodevos_verify_checks_total", part="backend", check="tests", outcome="passed") == 1
    assert value("autodevos_verify_checks_total", part="frontend", check="lint", outcome="failed") == 1
    assert value("autodevos_verify_criteria_total", outcome="passed") == 1


@pytest.mark.django_db
def test_each_request_is_counted_in_the_latency_histogram_by_method_url_name_and_status(client, staff):
    client.force_login(staff)
    labels = dict(method="GET", route="login", status="200")
    before = _value(_scrape(client), "autodevos_http_request_duration_seconds_count", **labels) or 0

    assert Client().get("/login/").status_code == 200

    assert _value(_scrape(client), "autodevos_http_request_duration_seconds_count", **labels) == before + 1


@pytest.mark.django_db
def test_web_processes_sharing_a_folder_are_counted_together(client, staff, tmp_path, monkeypatch):
    env = environ_without_settings() | {
        "DJANGO_SETTINGS_MODULE": "autodevos_site.settings",
        "ENV_FILE": "/dev/null",
        "DEBUG": "true",
        "SECRET_KEY": "x",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    code = (
        "import django; django.setup(); from django.test import Client; Client(HTTP_HOST='localhost').get('/metrics')"
    )
    for _ in range(2):  # two web processes, each answering one anonymous request
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    client.force_login(staff)

    figures = _scrape(client)

    assert (
        _value(figures, "autodevos_http_request_duration_seconds_count", method="GET", route="metrics", status="403")
        == 2
    )

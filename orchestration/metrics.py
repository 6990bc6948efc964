"""The engine's figures for Prometheus, at /metrics: tasks and runs, the queue, retries and recoveries,
model calls and verify checks, and the site's request latency.

Runs are worked on by any number of worker processes on any number of machines, so no process
counts what the engine does: every figure is read from the database when Prometheus scrapes, a
handful of aggregate queries (each GROUP BY the labels, histogram buckets as conditional counts),
into a registry made for that scrape. The one figure that exists only in the process that made it,
request latency, comes from autodevos_site.metrics_middleware; the two never count the same thing.

The `_total` figures are counts of rows, so they fall when rows go (a project deleted); Prometheus's
rate() takes a fall for a restart, as it does for any counter.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from autodevos_site import metrics_middleware

from .models import Check, CriterionResult, LLMCall, Run, RunStatus, TaskAttempt, TaskRun, TaskStatus
from .usage import cost_usd

# Upper bounds of the duration buckets, in seconds: a probe takes milliseconds, a verify task up to half an hour.
TASK_BUCKETS = (0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)
RUN_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)

# How recovery records an attempt whose worker stopped renewing its lease (orchestration.recovery):
# the attempt's error is the only durable trace of it.
LEASE_EXPIRED = "(its lease expired)"


def _duration(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _seconds(value: timedelta | None) -> float:
    return value.total_seconds() if value is not None else 0.0


def _histogram(
    name: str, documentation: str, rows: QuerySet, labels: Sequence[str], buckets: Sequence[float]
) -> HistogramMetricFamily:
    """A histogram of `rows`' `duration` annotation, per value of `labels`, counted in one query:
    each bucket is a conditional count (cumulative, as Prometheus wants them)."""
    per_bucket = {f"le_{i}": Count("pk", filter=Q(duration__lte=timedelta(seconds=b))) for i, b in enumerate(buckets)}
    family = HistogramMetricFamily(name, documentation, labels=labels)
    grouped = rows.values(*labels).annotate(count=Count("pk"), total=Sum("duration"), **per_bucket).order_by(*labels)
    for row in grouped:
        counts = [(str(float(b)), row[f"le_{i}"]) for i, b in enumerate(buckets)]
        family.add_metric([row[label] for label in labels], [*counts, ("+Inf", row["count"])], _seconds(row["total"]))
    return family


def _counted(family: Metric, rows: Iterable[dict], labels: Sequence[str], value: str = "n") -> Metric:
    for row in rows:
        family.add_metric([str(row[label]) for label in labels], row[value])
    return family


class EngineCollector(Collector):
    """The engine's figures as the database holds them now, whichever processes and machines did the work."""

    def collect(self) -> Iterator[Metric]:
        yield self.tasks()
        yield self.runs()
        yield _histogram(
            "autodevos_task_duration_seconds",
            "Time from a finished task's last claim to its end (its last attempt), by agent and state.",
            TaskRun.objects.filter(
                status__in=[TaskStatus.SUCCEEDED, TaskStatus.FAILED], started_at__isnull=False
            ).annotate(duration=_duration("started_at", "finished_at"), state=F("status")),
            ["agent", "state"],
            TASK_BUCKETS,
        )
        yield _histogram(
            "autodevos_run_duration_seconds",
            "Time from a finished run's start to its end, by state.",
            Run.objects.filter(started_at__isnull=False, finished_at__isnull=False).annotate(
                duration=_duration("started_at", "finished_at"), state=F("status")
            ),
            ["state"],
            RUN_BUCKETS,
        )
        yield from self.queue()
        yield from self.recoveries()
        yield from self.llm_calls()
        yield from self.verify()

    def tasks(self) -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "autodevos_tasks", "Tasks of every run, by state and agent.", labels=["state", "agent"]
        )
        counted = {
            (row["agent"], row["status"]): row["n"]
            for row in TaskRun.objects.values("agent", "status").annotate(n=Count("pk")).order_by()
        }
        # Every state of every agent, at 0 when none is in it: a series that vanishes reads as "no data".
        for agent in sorted({agent for agent, _ in counted}):
            for state in TaskStatus.values:
                family.add_metric([state, agent], counted.get((agent, state), 0))
        return family

    def runs(self) -> GaugeMetricFamily:
        counted = dict(Run.objects.values_list("status").annotate(n=Count("pk")).order_by())
        family = GaugeMetricFamily("autodevos_runs", "Runs, by state.", labels=["state"])
        for state in RunStatus.values:
            family.add_metric([state], counted.get(state, 0))
        return family

    def queue(self) -> Iterator[Metric]:
        queued = TaskRun.objects.filter(status=TaskStatus.QUEUED).aggregate(depth=Count("pk"), oldest=Min("queued_at"))
        yield GaugeMetricFamily(
            "autodevos_queue_depth", "Tasks queued for a worker and not claimed yet.", value=queued["depth"]
        )
        age = (timezone.now() - queued["oldest"]).total_seconds() if queued["oldest"] else 0.0
        yield GaugeMetricFamily(
            "autodevos_queue_oldest_age_seconds",
            "How long the longest-waiting queued task has waited since it was queued (or, when nobody "
            "claimed it for QUEUED_STALE_S, since recovery enqueued it again); 0 with an empty queue.",
            value=max(age, 0.0),
        )

    def recoveries(self) -> Iterator[Metric]:
        by_agent = ["task_run__agent"]
        retries = TaskAttempt.objects.filter(number__gt=1, repair_round__isnull=True)
        yield _counted(
            CounterMetricFamily(
                "autodevos_task_retries",
                "Attempts of a task beyond its first (after a failure, a lost worker or a person's retry), "
                "by agent; repairs after failed checks are not counted. Tasks waiting to retry: "
                'autodevos_tasks{state="retry_wait"}.',
                labels=["agent"],
            ),
            retries.values(*by_agent).annotate(n=Count("pk")).order_by(),
            by_agent,
        )
        expired = TaskAttempt.objects.filter(error__contains=LEASE_EXPIRED)
        yield _counted(
            CounterMetricFamily(
                "autodevos_lease_expiries",
                "Attempts whose worker stopped renewing its lease (killed or hung), ended by recovery, by agent.",
                labels=["agent"],
            ),
            expired.values(*by_agent).annotate(n=Count("pk")).order_by(),
            by_agent,
        )
        recovered = TaskRun.objects.filter(status=TaskStatus.SUCCEEDED, attempts__error__contains=LEASE_EXPIRED)
        yield _counted(
            CounterMetricFamily(
                "autodevos_recoveries",
                "Tasks that lost a worker (its lease expired) and, queued again by recovery, succeeded, by agent.",
                labels=["agent"],
            ),
            recovered.values("agent").annotate(n=Count("pk", distinct=True)).order_by(),
            ["agent"],
        )

    def llm_calls(self) -> Iterator[Metric]:
        labels = ["provider", "model"]
        calls = CounterMetricFamily(
            "autodevos_llm_calls",
            "Model calls (each HTTP attempt), by provider, model and outcome (ok, error).",
            labels=[*labels, "outcome"],
        )
        tokens = CounterMetricFamily(
            "autodevos_llm_tokens",
            "Tokens of model calls, by provider, model and direction (in, out).",
            labels=[*labels, "direction"],
        )
        cost = CounterMetricFamily(
            "autodevos_llm_cost_usd",
            "What model calls cost at the configured prices (LLM_PRICE_INPUT_PER_MTOK, LLM_PRICE_OUTPUT_PER_MTOK), "
            "by provider and model.",
            labels=labels,
        )
        rows = (
            LLMCall.objects.values(*labels)
            .annotate(
                n=Count("pk"),
                failed=Count("pk", filter=~Q(error="")),
                tokens_in=Sum("tokens_in"),
                tokens_out=Sum("tokens_out"),
            )
            .order_by(*labels)
        )
        for row in rows:
            key = [row["provider"], row["model"]]
            calls.add_metric([*key, "ok"], row["n"] - row["failed"])
            calls.add_metric([*key, "error"], row["failed"])
            tokens.add_metric([*key, "in"], row["tokens_in"])
            tokens.add_metric([*key, "out"], row["tokens_out"])
            cost.add_metric(key, float(cost_usd(row["tokens_in"], row["tokens_out"])))
        yield from (calls, tokens, cost)

    def verify(self) -> Iterator[Metric]:
        yield _counted(
            CounterMetricFamily(
                "autodevos_verify_checks",
                "Checks the verify task ran (install, types, lint, tests, build, contract), every round, by "
                "part, check and outcome (passed, failed).",
                labels=["part", "check", "outcome"],
            ),
            Check.objects.values("part", check=F("name"), outcome=F("status")).annotate(n=Count("pk")).order_by(),
            ["part", "check", "outcome"],
        )
        yield _counted(
            CounterMetricFamily(
                "autodevos_verify_criteria",
                "Acceptance criteria the verify task weighed, every round, by outcome (passed, failed, not_proven).",
                labels=["outcome"],
            ),
            CriterionResult.objects.values(outcome=F("status")).annotate(n=Count("pk")).order_by(),
            ["outcome"],
        )


def scrape() -> bytes:
    """The figures in Prometheus's text format: the engine's from the database, and request latency
    from every web process sharing PROMETHEUS_MULTIPROC_DIR, or from this one."""
    registry = CollectorRegistry()
    registry.register(EngineCollector())
    if folder := metrics_middleware.multiprocess_dir():
        MultiProcessCollector(registry, path=folder)
    else:
        registry.register(metrics_middleware.REGISTRY)
    return generate_latest(registry)


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """Why the request may not read the figures, as an answer; None when it may: with the bearer token
    METRICS_TOKEN (when one is set), or logged in as staff."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if settings.METRICS_TOKEN and scheme.lower() == "bearer":
        # compare_digest takes as long whatever the first wrong character: the time tells a guesser nothing.
        if secrets.compare_digest(given.strip().encode(), settings.METRICS_TOKEN.encode()):
            return None
        response = HttpResponse("Wrong metrics token.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if request.user.is_authenticated and request.user.is_staff:
        return None
    return HttpResponse(
        "Metrics are for staff, or for a scraper with the metrics token.\n", status=403, content_type="text/plain"
    )


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if refusal := _refusal(request):
        return refusal
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)

"""Incremental runs with a model (issue 16): what a first run, a re-run after one more detail on one
record, and a re-run with no change cost, side by side in one process.

    .venv/bin/python bench/incremental.py

The scripted model (testbed/scripted_model.py) answers the real openai client on the OpenAI-compatible
stub: it plans the snake-game request, writes the spec and leaves the scaffold agents' files as
they are, and writes the feature's files. Details are added in the data-model editor's way
(orchestration.planning.edit_spec), so the architect writes the changed spec as it is: the first
run is of a version with one detail added, the second of the version after it, with one more. Each run
goes through the real claim, fingerprint and hand-over steps (run_inline), without the verify
stage's checks (VERIFY_CHECKS off: they are not model work). Printed for each run: model calls,
tokens (as the stub counted them), the tasks reused, the forecast made before it and the wall time.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
data_dir = tempfile.mkdtemp(prefix="autodevos-bench-incremental-")
os.environ.update(
    {
        "DATABASE_URL": f"sqlite:///{data_dir}/bench.sqlite3",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "autodevos_site.settings",
    }
)
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "bench-incremental")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from orchestration.forecast import forecast_run  # noqa: E402
from orchestration.models import LLMCall, PlanVersion, Run  # noqa: E402
from orchestration.planning import edit_spec, plan_project  # noqa: E402
from orchestration.runs import start_run  # noqa: E402
from orchestration.tasks import run_inline  # noqa: E402
from projects.models import Project, Team  # noqa: E402
from testbed.scripted_model import SNAKE_REQUEST, ScriptedModel  # noqa: E402
from testbed.stubs import OpenAIStub, use_openai  # noqa: E402


def with_detail(version: PlanVersion, name: str):
    """The version's spec with one more detail (an optional short text) on its first record."""
    spec = version.spec_model()
    first, *rest = spec.entities
    extra = first.fields[0].model_copy(update={"name": name, "type": "string", "required": False, "unique": False})
    return spec.model_copy(update={"entities": [first.model_copy(update={"fields": [*first.fields, extra]}), *rest]})


def measure(label: str, version: PlanVersion) -> Run:
    forecast = forecast_run(version)
    started = time.monotonic()
    run = run_inline(start_run(version))
    seconds = time.monotonic() - started
    assert run.status == Run.Status.SUCCEEDED, list(run.task_runs.values_list("key", "error"))
    calls = LLMCall.objects.filter(task_run__run=run).count()
    reused = sorted(run.task_runs.exclude(reused_from=None).values_list("key", flat=True))
    ran = run.task_runs.filter(reused_from=None).count()
    print(
        f"{label}: {calls} model calls, {run.tokens_total:,} tokens (in {run.tokens_in:,}, out {run.tokens_out:,}); "
        f"{ran} tasks ran, {len(reused)} reused{' (' + ', '.join(reused) + ')' if reused else ''}; "
        f"forecast {forecast.tokens:,} tokens ({_off(forecast.tokens, run.tokens_total)}); {seconds:.2f} s",
        flush=True,
    )
    return run


def _off(forecast: int, actual: int) -> str:
    if not actual:
        return "exact" if not forecast else "actual 0"
    return f"{100 * (forecast - actual) / actual:+.1f}% against the actual"


def main() -> None:
    call_command("migrate", verbosity=0)
    team = Team.objects.create(name="Bench")
    project = Project.objects.create(team=team, title="Snake", request=SNAKE_REQUEST, provider="openai")
    with OpenAIStub(ScriptedModel()) as stub:
        use_openai(settings, stub, TASK_MAX_ATTEMPTS=1, VERIFY_CHECKS=False)
        # Both versions come from the data-model editor, so their tasks are worded alike: what differs is the detail.
        version = edit_spec(plan_project(project), with_detail(plan_project(project), "nickname"), user=None).version
        print(f"plan: {len(version.tasks)} tasks; {project.request!r}", flush=True)
        first = measure("first run", version)
        edited = edit_spec(version, with_detail(version, "colour"), user=None).version
        detail = measure("one more detail on one record", edited)
        same = measure("no change", edited)
        fresh = run_inline(start_run(edited, reuse=False))
        print(
            f"run everything again: {LLMCall.objects.filter(task_run__run=fresh).count()} model calls, "
            f"{fresh.tokens_total:,} tokens; forecast {fresh.forecast['tokens']:,} "
            f"({_off(fresh.forecast['tokens'], fresh.tokens_total)})",
            flush=True,
        )
    print(
        f"summary: the detail re-run used {100 * detail.tokens_total / max(1, first.tokens_total):.1f}% of the first "
        f"run's tokens; the unchanged re-run {same.tokens_total} tokens in "
        f"{LLMCall.objects.filter(task_run__run=same).count()} calls"
    )


if __name__ == "__main__":
    main()

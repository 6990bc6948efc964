"""Output tokens of building with a model: the verified scaffold plus the model's changes, against
asking the model for every file whole, for two requests whose heart is a feature (issue 15).

    .venv/bin/python bench/features.py

For each request, the scripted model (testbed/scripted_model.py) answers the real openai client on
the OpenAI-compatible stub: it plans, writes the spec, leaves the scaffold agents' files as they are
and writes each feature's files. One run per request, without the verify stage (its checks are not
model output). Printed side by side from that same run:
- scaffold + patches: the output tokens of every agent call, as the stub counted them;
- every file whole: the output tokens the same tasks' answers would take with each of their files
  written out whole (the run's files of each task, serialised as the answer schema does, counted
  the same way: about four characters per token).
The planner's and the architect's answers are the same either way and are printed apart.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
data_dir = tempfile.mkdtemp(prefix="autodevos-bench-features-")
os.environ.update(
    {
        "DATABASE_URL": f"sqlite:///{data_dir}/bench.sqlite3",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "autodevos_site.settings",
    }
)
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "bench-features")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from agents.providers.base import estimate_tokens  # noqa: E402
from orchestration.models import LLMCall, Run  # noqa: E402
from orchestration.planning import plan_project  # noqa: E402
from orchestration.runs import start_run  # noqa: E402
from orchestration.tasks import run_inline  # noqa: E402
from projects.models import Project, Team  # noqa: E402
from testbed.scripted_model import CONVERTER_REQUEST, SNAKE_REQUEST, ScriptedModel  # noqa: E402
from testbed.stubs import OpenAIStub, use_openai  # noqa: E402

REQUESTS = [SNAKE_REQUEST, CONVERTER_REQUEST]
SHARED = ("architect", "verify")  # answers that do not depend on how files are asked for


def whole_answer_tokens(run: Run) -> int:
    """The output tokens of each agent task's answer with all its files written whole."""
    total = 0
    for task in run.task_runs.exclude(agent__in=SHARED):
        files = [{"path": path, "content": content} for path, content in task.artifacts.values_list("path", "content")]
        total += estimate_tokens(json.dumps({"reasoning": task.reasoning, "files": files}))
    return total


def measure(request: str, team: Team) -> dict[str, float]:
    project = Project.objects.create(team=team, title=request[:40], request=request, provider="openai")
    model = ScriptedModel()
    with OpenAIStub(model) as stub:
        use_openai(settings, stub, TASK_MAX_ATTEMPTS=1, VERIFY_CHECKS=False)
        started = time.monotonic()
        version = plan_project(project)
        run = run_inline(start_run(version))
        seconds = time.monotonic() - started
    assert run.status == Run.Status.SUCCEEDED, list(run.task_runs.values_list("key", "error"))
    calls = LLMCall.objects.filter(task_run__run=run)
    agent_calls = calls.exclude(task_run__agent__in=SHARED)
    plan_call = LLMCall.objects.filter(project=project, purpose="plan")
    return {
        "patch_tokens": sum(agent_calls.values_list("tokens_out", flat=True)),
        "agent_calls": agent_calls.count(),
        "whole_tokens": whole_answer_tokens(run),
        "shared_tokens": sum(calls.filter(task_run__agent__in=SHARED).values_list("tokens_out", flat=True))
        + sum(plan_call.values_list("tokens_out", flat=True)),
        "files": run.artifacts.count(),
        "seconds": seconds,
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    team = Team.objects.create(name="Bench")
    totals = {"patch_tokens": 0, "whole_tokens": 0}
    for request in REQUESTS:
        figures = measure(request, team)
        for key in totals:
            totals[key] += figures[key]
        print(
            f"{request!r}: {figures['files']} files; scaffold + patches {figures['patch_tokens']} output tokens in "
            f"{figures['agent_calls']} agent calls; every file whole {figures['whole_tokens']} "
            f"({figures['whole_tokens'] / max(1, figures['patch_tokens']):.1f}x); planner and architect "
            f"{figures['shared_tokens']} either way; {figures['seconds']:.1f} s"
        )
    ratio = totals["whole_tokens"] / max(1, totals["patch_tokens"])
    print(
        f"total: scaffold + patches {totals['patch_tokens']} output tokens; every file whole {totals['whole_tokens']}; "
        f"patches use {100 * totals['patch_tokens'] / max(1, totals['whole_tokens']):.1f}% ({ratio:.1f}x fewer)"
    )


if __name__ == "__main__":
    main()

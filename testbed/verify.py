"""The verify stage on a generated project, without a run: the files an offline run writes for a
request, agent by agent, and the verify agent run on them with hooks that record each check."""

from __future__ import annotations

import tempfile
from pathlib import Path

from agents.base import AgentContext
from agents.checks import CheckResult
from agents.registry import get_agent
from agents.verify import VerifyContext
from orchestration.offline_planner import planned_spec

# Kept between sessions like the other slow tests' installs: a cold back end install compiles SQLite.
CACHE = Path(tempfile.gettempdir()) / "autodevos-test-verify-cache"
AGENTS = ["backend", "frontend", "tests", "docs", "devops"]


class Recorded:
    def __init__(self) -> None:
        self.checks: list[CheckResult] = []
        self.criteria: dict[int, list] = {}  # round -> each criterion's outcome

    def record(self, check: CheckResult) -> None:
        self.checks.append(check)

    def record_criteria(self, outcomes, round):
        self.criteria[round] = outcomes

    def repair(self, failing, files, round):
        return {}

    def words(self) -> list[str]:
        return [c.words for c in self.checks]


def generated(request: str, spec=None, agents=AGENTS) -> tuple[dict[str, str], object]:
    """The files an offline run writes for `request` (planned with `spec` when given), agent by agent;
    only the architect and `agents`. The tests verify them; bench/generate.py times this."""
    spec = spec or planned_spec(request)

    def context(agent: str, upstream: dict[str, str]) -> AgentContext:
        return AgentContext(
            request=request, task_key=agent, title=agent, instructions="", scope=[], upstream=upstream, spec=spec
        )

    files = get_agent("architect").run(context("architect", {})).files
    upstream = dict(files)
    for agent in agents:
        if agent != "frontend" or spec.frontend:  # the planner plans no website for an API-only request
            files |= get_agent(agent).run(context(agent, upstream)).files
    return files, spec


def verify(files: dict[str, str], spec, hooks: Recorded):
    context = VerifyContext(
        request="",
        task_key="verify",
        title="Build and test the project",
        instructions="",
        scope=[],
        upstream=files,
        spec=spec,
        hooks=hooks,
    )
    return get_agent("verify").run(context)

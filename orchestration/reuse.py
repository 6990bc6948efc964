"""Incremental runs: a task whose inputs are the same as those of a task that succeeded in an earlier
run of the same project takes that task's files, with no model call and no work.

A task's fingerprint is the SHA-256 of everything that decides its output: its agent, title,
instructions and scope, the stacks, the provider and model its agent calls (and that model's output
limit), the generator's version (a hash of the agents package: any change to how files are written changes it), and what
the agent itself says decides its files (Agent.fingerprint_inputs: by default the request, the spec
and the content hashes of every upstream file; a file agent its scaffold and exactly what its
model is asked). It is taken when an attempt starts, on the worker, once the task's upstream files
exist, and kept on the TaskRun when the task succeeds.

Reuse never crosses projects (and so never teams), and a run started with "run everything again"
(Run.reuse off) reuses nothing. A verify task is reused only from a run where no check failed on
the way (no repairs): otherwise its passing checks were about files this run does not have.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from pathlib import Path

import agents
from agents.base import Agent, AgentContext, sha256_text
from agents.providers.base import output_limit
from agents.verify import VerifyAgent

from . import statements
from .models import Check, CriterionResult, TaskRun

logger = logging.getLogger(__name__)


@functools.cache
def generator_version() -> str:
    """SHA-256 of the agents package's source and templates, as this process loaded them."""
    root = Path(agents.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint(agent: Agent, context: AgentContext) -> str:
    """The task's fingerprint, or "" when its inputs cannot be read (the agent will fail on them, saying why)."""
    provider = context.provider
    try:
        inputs = agent.fingerprint_inputs(context)
    except Exception as exc:  # a missing or broken spec, a scope naming nothing: the attempt fails on it
        logger.info("no fingerprint for task %s: %s", context.task_key, exc)
        return ""
    data = {
        "agent": agent.name,
        "title": context.title,
        "instructions": context.instructions,
        "scope": context.scope,
        "stack": None if context.spec is None else context.spec.stack.model_dump(mode="json"),
        "provider": "offline" if provider is None or provider.offline else provider.name,
        "model": "" if provider is None or provider.offline else provider.model,
        # How much of an answer fits decides how a model is asked for its changes (in batches or not).
        "output_limit": 0 if provider is None or provider.offline else output_limit(provider.model),
        "generator": generator_version(),
        "inputs": inputs,
    }
    return sha256_text(json.dumps(data, sort_keys=True, separators=(",", ":"), default=str))


def reusable(project_id: int, agent: str, fingerprint: str, *, run_id: int | None = None) -> TaskRun | None:
    """The latest succeeded task of another run of the project with this fingerprint, or None."""
    if not fingerprint:
        return None
    found = statements.reusable(project_id, fingerprint, run_id=run_id or 0, unrepaired=agent == VerifyAgent.name)
    return None if found is None else TaskRun.objects.select_related("run").get(pk=found)


def files_of(task: TaskRun) -> dict[str, str]:
    return dict(task.artifacts.values_list("path", "content"))


def copy_outcomes(source: TaskRun, task_run_id: int, run_id: int, attempt: int) -> None:
    """A reused verify task's checks and proven criteria, as its source's last attempt left them."""
    last = source.checks.order_by("-attempt").values_list("attempt", flat=True).first()
    if last is None:
        return
    for model in (Check, CriterionResult):
        rows = list(model.objects.filter(task_run=source, attempt=last))
        for row in rows:
            row.pk, row.run_id, row.task_run_id, row.attempt = None, run_id, task_run_id, attempt
            row._state.adding = True
        model.objects.bulk_create(rows)

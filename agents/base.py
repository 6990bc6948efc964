"""What an agent is: a named step of a plan that reads its upstream files and returns new ones."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from .spec import Spec


class AgentError(Exception):
    """A failure the task's error column should show as it is, in plain words."""


class PermanentAgentError(AgentError):
    """A failure that another attempt cannot fix (bad output, budget exceeded): no retry."""


@dataclass
class AgentContext:
    """Everything an agent may use. It never reads the worker's disk: upstream output comes from the database."""

    request: str  # the project's plain-language request
    task_key: str
    title: str
    instructions: str
    scope: list[str]  # entity names this task covers; empty means the whole project
    upstream: dict[str, str]  # path -> content of every artifact written by the task's dependencies
    spec: Spec | None = (
        None  # the spec stored with the plan version; None for versions planned before specs were stored
    )
    spec_edited: bool = False  # a person set the spec in the data-model editor: it is written as it is
    feedback: str = ""  # the team's feedback that led to this plan version (a re-plan), in their words
    provider: Any = None  # an LLM provider (agents.providers) or None for offline generation
    llm_context: Any = None  # where the provider records its LLMCall rows and charges the budget
    checkpoint: Callable[[], None] = lambda: None  # raises when the run was cancelled or the lease lost


@dataclass
class AgentResult:
    files: dict[str, str]  # relative POSIX path -> text content; checked by the safe writer before saving
    reasoning: str = ""


class Agent:
    name: ClassVar[str]
    description: ClassVar[str]
    # Planners may only use agents that are listed; test-only agents are not.
    listed: ClassVar[bool] = True
    # Whether the agent asks a model itself, and so may be sent to its own one (LLM_ROUTES).
    calls_model: ClassVar[bool] = True
    # The setting that holds a task's time limit when its plan gives none.
    timeout_setting: ClassVar[str] = "TASK_TIMEOUT_S"

    def run(self, context: AgentContext) -> AgentResult:
        raise NotImplementedError

    def asked(self, context: AgentContext) -> str | None:
        """What run() would send its model first (system text and prompt), for a cost forecast; None when it
        would ask none (no model, or nothing to ask)."""
        return None

    def scaffold(self, context: AgentContext) -> dict[str, str]:
        """The files run() writes without a model, or would start from: what later tasks can expect to read."""
        return {}

    def fingerprint_inputs(self, context: AgentContext) -> dict:
        """Everything in `context` that decides what run() returns, as JSON data: a run reuses an earlier
        run's files for a task whose fingerprint (these, with the agent, task, model and generator
        version) is the same. By default all of it; an agent that depends on less may say so, as long as
        what it leaves out can never change its output."""
        return {
            "request": context.request,
            "feedback": context.feedback,
            "spec_edited": context.spec_edited,
            "spec": None if context.spec is None else context.spec.model_dump(mode="json"),
            "upstream": content_hashes(context.upstream),
        }


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def content_hashes(files: Mapping[str, str]) -> dict[str, str]:
    """path -> SHA-256 of the file's text, in path order."""
    return {path: sha256_text(files[path]) for path in sorted(files)}

"""What the backend, frontend, tests, docs and devops agents share: read the architect's spec from
the upstream artifacts, then write files, offline with the deterministic generators or by asking
a model for them.

A model gets the spec, the contract and the most relevant upstream files within a token budget
per call, plus the list of files the offline generator would write as the expected layout. Its
answer is structured output (reasoning + a list of {path, content}); any path outside the
agent's own area or failing the safe writer's rules fails the task with nothing written.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import ClassVar

from pydantic import BaseModel, Field, ValidationError

from .base import Agent, AgentContext, AgentResult, PermanentAgentError
from .checks import names_file
from .providers import generate
from .safe_output import UnsafeOutput, check_files, check_path
from .spec import Spec

SPEC_PATH = "spec/spec.json"
CONTRACT_PATH = "spec/openapi.json"
# Upstream text a model call may carry, in estimated tokens (about four characters each).
CONTEXT_TOKEN_BUDGET = 24_000
# A repair's own files and the failing checks' output, in estimated tokens.
REPAIR_FILES_TOKEN_BUDGET = 16_000
REPAIR_PROBLEMS_TOKEN_BUDGET = 4_000
CHARS_PER_TOKEN = 4


class GeneratedFile(BaseModel):
    path: str = Field(description="Relative POSIX path inside the project, e.g. backend/src/app.ts")
    content: str


class GeneratedFiles(BaseModel):
    """What an agent asks a model for."""

    reasoning: str = Field(description="Why the files look the way they do, for the people reviewing the run")
    files: list[GeneratedFile] = Field(min_length=1)


def read_spec(upstream: dict[str, str]) -> Spec:
    """The architect's spec from the upstream artifacts (never from local disk)."""
    if SPEC_PATH not in upstream:
        raise PermanentAgentError(f"No {SPEC_PATH} among this task's inputs: the plan must make it depend on the architect.")
    try:
        return Spec.model_validate_json(upstream[SPEC_PATH])
    except ValidationError as exc:
        raise PermanentAgentError(f"{SPEC_PATH} is not a valid spec: {exc.errors()[0]['msg']}") from None


def relevant_upstream(upstream: dict[str, str], prefixes: tuple[str, ...], budget_tokens: int,
                      first: Collection[str] = ()) -> dict[str, str]:
    """The upstream files to show a model, most relevant first (the spec and contract and the paths in
    `first`, then those under `prefixes`, then the rest, shortest first), cut to fit `budget_tokens`:
    the file that overflows is truncated with a marker and later ones are left out."""
    def rank(path: str) -> tuple[int, int]:
        if path in (SPEC_PATH, CONTRACT_PATH) or path in first:
            return (0, 0)
        return (1 if path.startswith(prefixes) else 2, len(upstream[path]))

    room = budget_tokens * CHARS_PER_TOKEN
    chosen: dict[str, str] = {}
    for path in sorted(upstream, key=rank):
        text = upstream[path]
        if room <= 0:
            break
        if len(text) > room:
            text = text[:room] + "\n[... truncated to fit the context budget ...]"
        chosen[path] = text
        room -= len(text)
    return chosen


def in_area(path: str, area: tuple[str, ...]) -> bool:
    """Whether `path` (one check_path accepted) is one of the area's files or lies under one of its
    folders. Whole segments only: README.md.d/x is not README.md, backend/Dockerfile.d/x is not
    backend/Dockerfile, and a folder's "/" keeps docsx/ out of docs/."""
    return any(path.startswith(entry) if entry.endswith("/") else path == entry for entry in area)


class FileAgent(Agent):
    """An agent that writes files derived from the spec. Subclasses say where (`area`) and how (`offline`)."""

    area: ClassVar[tuple[str, ...]]  # the files this agent may write, and folders ending in "/" it may write under
    reads: ClassVar[tuple[str, ...]] = (SPEC_PATH,)  # upstream artifacts it needs
    context_prefixes: ClassVar[tuple[str, ...]] = ()  # upstream files worth showing a model first
    role: ClassVar[str]  # for the model's system prompt

    def role_for(self, spec: Spec) -> str:
        """What this agent tells a model it writes, for this spec (agents of a stack's part ask the stack)."""
        return self.role

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        raise NotImplementedError

    def offline_reasoning(self, spec: Spec, files: dict[str, str]) -> str:
        return f"Generated {len(files)} file{'s' if len(files) != 1 else ''} for {spec.title!r} from the spec with the offline generator."

    def run(self, context: AgentContext) -> AgentResult:
        spec = read_spec(context.upstream)
        expected = self.offline(spec, context)
        if context.provider is None or context.provider.offline:
            return AgentResult(files=check_files(expected), reasoning=self.offline_reasoning(spec, expected))
        return self.ask_model(spec, context, expected)

    def ask_model(self, spec: Spec, context: AgentContext, expected: dict[str, str]) -> AgentResult:
        shown = relevant_upstream(context.upstream, self.context_prefixes, CONTEXT_TOKEN_BUDGET)
        answer = generate(
            context.provider,
            system=self.system_prompt(spec),
            prompt=self.prompt(spec, context, shown, sorted(expected)),
            schema=GeneratedFiles,
            context=context.llm_context,
        )
        value: GeneratedFiles = answer.value
        files = self.accept(value)
        return AgentResult(files=files, reasoning=value.reasoning, tokens_in=answer.tokens_in, tokens_out=answer.tokens_out)

    def repair(self, context: AgentContext, problems: str, own: dict[str, str]) -> AgentResult:
        """Ask the model to fix the files this task wrote (`own`), given the failing checks' output
        (`problems`, cut to a budget). The answer holds only the files it changed, each whole; they
        must lie in this agent's area like any of its answers. Files the output names are shown first."""
        spec = read_spec(context.upstream)
        problems = problems[-REPAIR_PROBLEMS_TOKEN_BUDGET * CHARS_PER_TOKEN:]
        named = [path for path in own if names_file(problems, path.split("/", 1)[-1])]
        shown = relevant_upstream(own, self.context_prefixes, REPAIR_FILES_TOKEN_BUDGET, first=named)
        contract = {path: context.upstream[path] for path in (CONTRACT_PATH,) if path in context.upstream}
        parts = [
            f"Request: {context.request}",
            f"Task: {context.title}\n{context.instructions}",
            f"Spec:\n{json.dumps(spec.model_dump(), indent=1)}",
            "The project's own checks failed on the files you wrote. Find the cause in the output below and fix it "
            "in your files. Answer with every file you change, each in full; leave out the files that need no change. "
            "Do not weaken or delete a test to make it pass: fix the code it tests, unless the test itself is wrong.",
            f"--- failing checks ---\n{problems}",
        ]
        parts += [f"--- your file {path} ---\n{text}" for path, text in shown.items()]
        parts += [f"--- upstream file {path} ---\n{text}" for path, text in contract.items()]
        answer = generate(context.provider, system=self.system_prompt(spec), prompt="\n\n".join(parts),
                          schema=GeneratedFiles, context=context.llm_context)
        value: GeneratedFiles = answer.value
        return AgentResult(files=self.accept(value), reasoning=value.reasoning,
                           tokens_in=answer.tokens_in, tokens_out=answer.tokens_out)

    def accept(self, answer: GeneratedFiles) -> dict[str, str]:
        """The model's files once every path is safe and inside this agent's area; else UnsafeOutput."""
        files: dict[str, str] = {}
        for item in answer.files:
            path = check_path(item.path)
            if not in_area(path, self.area):
                raise UnsafeOutput(f"the {self.name} agent may only write {', '.join(self.area)}; the model wrote {path!r}")
            if path in files:
                raise UnsafeOutput(f"the model wrote {path!r} twice")
            files[path] = item.content
        return check_files(files)

    def system_prompt(self, spec: Spec) -> str:
        return (
            f"You are the {self.name} agent of a team generating a full-stack project. {self.role_for(spec)} "
            f"Write only these files and folders: {', '.join(self.area)}, with relative POSIX paths. Answer with JSON: "
            '{"reasoning": "...", "files": [{"path": "...", "content": "..."}]}.'
        )

    def prompt(self, spec: Spec, context: AgentContext, shown: dict[str, str], expected_paths: list[str]) -> str:
        scope = ", ".join(context.scope) if context.scope else "the whole project"
        parts = [
            f"Request: {context.request}",
            f"Task: {context.title}\n{context.instructions}",
            f"Scope: {scope}",
            f"Spec:\n{json.dumps(spec.model_dump(), indent=1)}",
            "Files expected from you (the team's layout; keep these paths):\n" + "\n".join(expected_paths),
        ]
        parts += [f"--- upstream file {path} ---\n{text}" for path, text in shown.items() if path != SPEC_PATH]
        return "\n\n".join(parts)

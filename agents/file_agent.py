"""What the backend, frontend, tests, docs and devops agents share: read the architect's spec from
the upstream artifacts, then write files, offline with the deterministic generators or, with a
model, the same scaffold with the model's changes.

Offline, the generators' files are the answer. With a model the agent starts from that scaffold,
which installs, type-checks, lints and passes its tests, and asks the model only for changes
(agents/patches.py): new files, search/replace edits, small files rewritten whole. The model is
shown the task, the spec, the contract, and its own scaffold files most relevant first within a
token budget per call (the rest by path). Any path outside the agent's own area or failing the safe
writer's rules fails the task with nothing written; an edit that does not apply goes back to the
model with the file's text, and nothing of that answer is applied. Changes longer than one answer of the
model's output limit come in batches (`Changes.more`), each applied onto the files the earlier ones left.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import ClassVar

from pydantic import ValidationError

from .base import Agent, AgentContext, AgentResult, PermanentAgentError, content_hashes, sha256_text
from .checks import names_file
from .patches import CHANGES_GUIDE, Changes, answer_size_guide, apply_changes
from .providers import generate
from .providers.base import output_limit
from .safe_output import check_files
from .spec import Spec

SPEC_PATH = "spec/spec.json"
CONTRACT_PATH = "spec/openapi.json"
# Upstream text a model call may carry, in estimated tokens (about four characters each).
CONTEXT_TOKEN_BUDGET = 24_000
# The agent's own scaffold files shown to a model, in estimated tokens.
SCAFFOLD_TOKEN_BUDGET = 24_000
# A repair's own files and the failing checks' output, in estimated tokens.
REPAIR_FILES_TOKEN_BUDGET = 16_000
REPAIR_PROBLEMS_TOKEN_BUDGET = 4_000
# Answers one task's changes may take when they do not fit in one (Changes.more).
MAX_BATCHES = 8
# The files earlier batches edited, shown again with the next batch's prompt, in estimated tokens.
BATCH_FILES_TOKEN_BUDGET = 8_000
CHARS_PER_TOKEN = 4


def read_spec(upstream: dict[str, str]) -> Spec:
    """The architect's spec from the upstream artifacts (never from local disk)."""
    if SPEC_PATH not in upstream:
        raise PermanentAgentError(
            f"No {SPEC_PATH} among this task's inputs: the plan must make it depend on the architect."
        )
    try:
        return Spec.model_validate_json(upstream[SPEC_PATH])
    except ValidationError as exc:
        raise PermanentAgentError(f"{SPEC_PATH} is not a valid spec: {exc.errors()[0]['msg']}") from None


def relevant_upstream(
    upstream: dict[str, str], prefixes: tuple[str, ...], budget_tokens: int, first: Collection[str] = ()
) -> dict[str, str]:
    """The upstream files to show a model, most relevant first (the spec and contract and the paths in
    `first`, then those under `prefixes`, then the rest, shortest first), cut to fit `budget_tokens`:
    the file that overflows is truncated with a marker and later ones are left out."""

    def rank(path: str) -> tuple[int, int, str]:
        if path in (SPEC_PATH, CONTRACT_PATH) or path in first:
            return (0, 0, path)
        return (1 if path.startswith(prefixes) else 2, len(upstream[path]), path)

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


def answer_tokens(model: str) -> int:
    """About how many tokens of changes one answer of `model` may hold: a quarter of its output limit is
    kept for the JSON around them (escaped quotes and newlines) and for a model misjudging its length."""
    return output_limit(model) * 3 // 4


def _differences(base: dict[str, str], files: dict[str, str]) -> dict[str, str]:
    """The files in `files` that are new or not as they are in `base`."""
    return {path: text for path, text in files.items() if base.get(path) != text}


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
    shows_upstream: ClassVar[bool] = True  # whether a model is shown the upstream files (the spec aside)
    role: ClassVar[str]  # for the model's system prompt

    def role_for(self, spec: Spec) -> str:
        """What this agent tells a model it writes, for this spec (agents of a stack's part ask the stack)."""
        return self.role

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        raise NotImplementedError

    def offline_reasoning(self, spec: Spec, context: AgentContext, files: dict[str, str]) -> str:
        return f"Generated {len(files)} file{'s' if len(files) != 1 else ''} for {spec.title!r} from the spec with the offline generator."

    def fingerprint_inputs(self, context: AgentContext) -> dict:
        """What decides this agent's files: its scaffold and, with a model, exactly what the model is asked.
        So a change the agent neither generates from nor shows its model (a record's field, for the devops
        agent) leaves its fingerprint as it was."""
        spec = read_spec(context.upstream)
        scaffold = self.offline(spec, context)
        inputs = {"scaffold": content_hashes(scaffold), "reasoning": self.offline_reasoning(spec, context, scaffold)}
        if (asked := self.asked(context)) is not None:
            inputs["asked"] = sha256_text(asked)
        return inputs

    def asked(self, context: AgentContext) -> str | None:
        if context.provider is None or context.provider.offline:
            return None
        spec = read_spec(context.upstream)
        return self.system_prompt(spec, context) + "\n" + self.prompt(spec, context, self.offline(spec, context))

    def scaffold(self, context: AgentContext) -> dict[str, str]:
        return self.offline(read_spec(context.upstream), context)

    def run(self, context: AgentContext) -> AgentResult:
        spec = read_spec(context.upstream)
        scaffold = self.offline(spec, context)
        if context.provider is None or context.provider.offline:
            return AgentResult(files=check_files(scaffold), reasoning=self.offline_reasoning(spec, context, scaffold))
        return self.ask_model(spec, context, scaffold)

    def ask_model(self, spec: Spec, context: AgentContext, scaffold: dict[str, str]) -> AgentResult:
        """The scaffold with the model's changes: a task's instructions or the request may need more
        than the generators write; an answer with no changes keeps the scaffold as it is."""
        return self.changes(spec, context, self.prompt(spec, context, scaffold), base=scaffold, keep=True)

    def prompt(self, spec: Spec, context: AgentContext, scaffold: dict[str, str]) -> str:
        """What the model is asked for this task: the task, the spec as this agent shows it, the upstream
        files and its own scaffold files within the budgets."""
        shown = relevant_upstream(scaffold, self.context_prefixes, SCAFFOLD_TOKEN_BUDGET)
        others = {p: t for p, t in context.upstream.items() if p not in scaffold} if self.shows_upstream else {}
        upstream = relevant_upstream(others, self.context_prefixes, CONTEXT_TOKEN_BUDGET)
        scope = ", ".join(context.scope) if context.scope else "the whole project"
        not_shown = ", ".join(path for path in sorted(scaffold) if path not in shown) or "none"
        parts = [
            f"Request: {context.request}",
            f"Task: {context.title}\n{context.instructions}",
            f"Scope: {scope}",
            f"Spec:\n{json.dumps(self.spec_shown(spec), indent=1)}",
            "Your files follow, as the team's generator wrote them for this spec: they install, type-check, lint and "
            "pass their tests. Change them only where the task or the request needs more than they do.",
            f"Your files not shown (too long for this message): {not_shown}",
        ]
        parts += [f"--- upstream file {path} ---\n{text}" for path, text in upstream.items() if path != SPEC_PATH]
        parts += [f"--- your file {path} ---\n{text}" for path, text in shown.items()]
        return "\n\n".join(parts)

    def spec_shown(self, spec: Spec) -> dict:
        """The spec as this agent's model sees it: all of it, unless the agent's files depend on less (then a
        change elsewhere in the spec leaves its prompt, and so its fingerprint, as it was)."""
        return spec.model_dump()

    def repair(self, context: AgentContext, problems: str, own: dict[str, str]) -> AgentResult:
        """Ask the model to fix the files this task wrote (`own`), given the failing checks' output
        (`problems`, cut to a budget). The result holds only the files it changed; they must lie in this
        agent's area like any of its answers. Files the output names are shown first."""
        spec = read_spec(context.upstream)
        problems = problems[-REPAIR_PROBLEMS_TOKEN_BUDGET * CHARS_PER_TOKEN :]
        named = [path for path in own if names_file(problems, path.split("/", 1)[-1])]
        shown = relevant_upstream(own, self.context_prefixes, REPAIR_FILES_TOKEN_BUDGET, first=named)
        contract = {path: context.upstream[path] for path in (CONTRACT_PATH,) if path in context.upstream}
        parts = [
            f"Request: {context.request}",
            f"Task: {context.title}\n{context.instructions}",
            f"Spec:\n{json.dumps(spec.model_dump(), indent=1)}",
            "The project's own checks failed on the files you wrote. Find the cause in the output below and fix it "
            "in your files. Do not weaken or delete a test to make it pass: fix the code it tests, unless the test "
            "itself is wrong.",
            f"--- failing checks ---\n{problems}",
        ]
        parts += [f"--- your file {path} ---\n{text}" for path, text in shown.items()]
        parts += [f"--- upstream file {path} ---\n{text}" for path, text in contract.items()]
        return self.changes(spec, context, "\n\n".join(parts), base=own, keep=False)

    def changes(
        self,
        spec: Spec,
        context: AgentContext,
        prompt: str,
        *,
        base: dict[str, str],
        keep: bool,
        at_least_one: bool = False,
    ) -> AgentResult:
        """Ask the model for changes to `base`: the files they produce, with all of `base` when `keep`.
        An answer whose edits do not apply (or that changes nothing, when `at_least_one`) goes back to
        the model with the reason (generate's repairs); a path outside the area fails the task.

        Changes longer than one answer of the model come in batches (`Changes.more`), each applied onto
        the files as the earlier ones left them; each batch is a fresh call told what was already sent."""
        may_write, area_words = self.may_write(spec, context), self.area_words(spec, context)
        room = answer_tokens(context.provider.model)
        system = f"{self.system_prompt(spec, context)} {answer_size_guide(room)}"
        files = dict(base)  # as the batches so far left them
        reasonings: list[str] = []

        def applied(answer: Changes) -> tuple[Changes, dict[str, str]]:
            changed = apply_changes(files, answer, may_write=may_write, area_words=area_words)
            if answer.more and not changed:
                raise ValueError(
                    "more is true but the answer changes no file: send the next changes, or set more to "
                    "false when there are none"
                )
            if at_least_one and not answer.more and not _differences(base, {**files, **changed}):
                raise ValueError("the answer writes no file: write the files this task asks for")
            return answer, changed

        for batch in range(1, MAX_BATCHES + 1):
            asked = prompt if batch == 1 else self.next_batch_prompt(prompt, base, files, reasonings, batch)
            answer = generate(
                context.provider,
                system=system,
                prompt=asked,
                schema=Changes,
                context=context.llm_context,
                validate=applied,
            )
            value, changed = answer.value
            files.update(changed)
            reasonings.append(value.reasoning)
            if not value.more:
                break
            context.checkpoint()
        else:
            raise PermanentAgentError(
                f"The model still had more changes to send after {MAX_BATCHES} answers of about {room} tokens each, "
                "the most one task may take; nothing was written. Split the task, or configure a larger output "
                "limit for the model (LLM_OUTPUT_LIMITS) if it has one."
            )
        return AgentResult(
            files=check_files(files if keep else _differences(base, files)),
            reasoning="\n\n".join(reasonings),
        )

    @staticmethod
    def next_batch_prompt(
        prompt: str, base: dict[str, str], files: dict[str, str], reasonings: list[str], batch: int
    ) -> str:
        """The task's prompt again, with what the earlier batches sent: their reasoning, the paths they
        wrote, and the text of the files they edited as it is now (the prompt shows it as it was)."""
        changed = _differences(base, files)
        edited = {path: text for path, text in changed.items() if path in base}
        shown = relevant_upstream(edited, (), BATCH_FILES_TOKEN_BUDGET)
        parts = [
            prompt,
            f"This is answer {batch} of at most {MAX_BATCHES}. Your earlier answers to this task are applied; "
            "what they said:\n" + "\n".join(reasonings),
            "Files written or edited so far: " + (", ".join(sorted(changed)) or "none"),
        ]
        parts += [f"--- your file {path}, as your edits left it ---\n{text}" for path, text in shown.items()]
        parts.append(
            "Send the next batch of changes, leaving out what is already sent; set more to false with the last one."
        )
        return "\n\n".join(parts)

    def may_write(self, spec: Spec, context: AgentContext) -> Callable[[str], bool]:
        """Whether this task may write a path (one check_path accepted)."""
        return lambda path: in_area(path, self.area)

    def area_words(self, spec: Spec, context: AgentContext) -> str:
        return f"the {self.name} agent may only write {', '.join(self.area)}"

    def system_prompt(self, spec: Spec, context: AgentContext) -> str:
        return (
            f"You are the {self.name} agent of a team generating a full-stack project. {self.role_for(spec)} "
            f"Write only these files and folders: {', '.join(self.area)}, with relative POSIX paths. {CHANGES_GUIDE}"
        )

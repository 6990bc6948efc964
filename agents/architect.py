"""The architect: writes the plan version's spec (spec/spec.json) and the API contract
(spec/openapi.json) that every other agent reads; an app with no back end has no contract.

The spec was computed once, when the version was planned, and comes with the task. Offline, or when
a person set it in the data-model editor, the architect writes it as it is; otherwise, with a model,
it asks the model to refine it (fields, relations, roles) and keeps the choices the plan was built
on: the stacks, the website and the log-ins.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, Field, ValidationError

from .base import Agent, AgentContext, AgentResult, PermanentAgentError
from .criteria import about_problem, carry_criteria
from .file_agent import CONTRACT_PATH, SPEC_PATH
from .generators.naming import normalise_spec
from .openapi import openapi_json
from .providers import generate
from .registry import register
from .safe_output import check_files
from .spec import SPEC_GUIDE, Spec

SYSTEM = (
    "You are the architect of a team generating a full-stack project. You are given the request and the spec "
    "the planner drew from it. Refine it: the records the app keeps, their typed details, the links between "
    "them, which records are private to their creator, due dates, and the summaries the request asks to see. "
    "Keep it to what the request and the team's feedback need.\n\n" + SPEC_GUIDE
)
# What the plan's tasks were built for: a model's spec may not change them.
PLANNED_CHOICES = ("stack", "frontend", "auth", "features")
NO_SPEC = (
    "This plan version was made before plan versions kept their spec, so there is nothing for the architect to write. "
    "Re-plan the project and run the new version."
)


class ArchitectAnswer(BaseModel):
    reasoning: str = Field(description="Why these entities, fields and relations; what was left out")
    spec: Spec


@register
class ArchitectAgent(Agent):
    name = "architect"
    description = (
        "Designs the data model and API contract: writes spec/spec.json and, when the app has a back end, "
        "spec/openapi.json."
    )

    def run(self, context: AgentContext) -> AgentResult:
        if context.spec is None:
            raise PermanentAgentError(NO_SPEC)
        if context.spec_edited:
            spec = context.spec
            reasoning = "Wrote the data model as the team set it in the editor, without changing it."
        elif context.provider is None or context.provider.offline:
            spec = context.spec
            reasoning = "Wrote the spec the planner drew from the request when it made this plan version."
        else:
            kept = context.spec.model_dump(include=set(PLANNED_CHOICES))
            if not context.spec.has_backend:  # planned without a back end: the app keeps no records
                kept |= {"entities": [], "summaries": []}

            def keep_planned_choices(answer: ArchitectAnswer) -> ArchitectAnswer:
                # Validated again with the plan's choices: private records need the log-ins the plan has, and a
                # spec that breaks a rule goes back to the model with the reason instead of failing the task.
                try:
                    spec = normalise_spec(Spec.model_validate(answer.spec.model_dump() | kept | {"criteria": []}))
                except ValidationError as exc:
                    raise ValueError(str(exc)) from exc
                # The criteria a person or the planning model wrote were agreed before Run: the spec keeps what
                # they are about. Those derived from the spec follow it.
                lost = [
                    f"{c.id} ({problem})"
                    for c in context.spec.criteria
                    if c.by != "planner" and c.about and (problem := about_problem(c.about, spec))
                ]
                if lost:
                    raise ValueError("keep what the agreed acceptance criteria are about: " + "; ".join(lost))
                spec = spec.model_copy(update={"criteria": carry_criteria(spec, context.spec)})
                return ArchitectAnswer(reasoning=answer.reasoning, spec=spec)

            answer = generate(
                context.provider,
                system=SYSTEM,
                prompt=self.prompt(context),
                schema=ArchitectAnswer,
                context=context.llm_context,
                validate=keep_planned_choices,
            )
            spec = answer.value.spec
            reasoning = answer.value.reasoning
        files = spec_files(spec)
        summary = ", ".join(e.name for e in spec.entities) or "none"
        return AgentResult(files=check_files(files), reasoning=f"{reasoning} Entities: {summary}.")

    def asked(self, context: AgentContext) -> str | None:
        if context.spec is None or context.spec_edited or context.provider is None or context.provider.offline:
            return None
        return SYSTEM + "\n" + self.prompt(context)

    def scaffold(self, context: AgentContext) -> dict[str, str]:
        return {} if context.spec is None else spec_files(context.spec)

    def prompt(self, context: AgentContext) -> str:
        parts = [
            f"Request: {context.request}",
            f"Task: {context.title}\n{context.instructions}",
            "The planner's spec, to start from (its stack, frontend, auth and features are the team's plan and stay as "
            'they are; keep what its criteria by "person" or "model" are about):\n'
            + json.dumps(context.spec.model_dump(), indent=1),
        ]
        if context.feedback:
            parts.append(f"The team's feedback, which this plan version answers:\n{context.feedback}")
        return "\n\n".join(parts)


def spec_files(spec: Spec) -> dict[str, str]:
    """spec/spec.json and, when the app has a back end, its API contract spec/openapi.json."""
    files = {SPEC_PATH: json.dumps(spec.model_dump(), indent=2) + "\n"}
    if spec.has_backend:  # an app with no back end serves no API, so it has no contract
        files[CONTRACT_PATH] = openapi_json(spec)
    return files

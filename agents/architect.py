"""The architect: turns the request into the spec (spec/spec.json) and the API contract
(spec/openapi.json) that every other agent reads."""

from __future__ import annotations

import json

from pydantic import BaseModel, Field

from .base import Agent, AgentContext, AgentResult
from .extraction import apply_options, extract_spec, request_with_feedback
from .file_agent import CONTRACT_PATH, SPEC_PATH
from .generators.naming import normalise_spec
from .openapi import openapi_json
from .providers import generate
from .registry import register
from .safe_output import check_files
from .spec import Spec

SYSTEM = (
    "You are the architect of a team generating a full-stack project (Express + Prisma + SQLite API, "
    "React front end). From a plain-language request, design the data model: the entities (singular "
    "PascalCase names, camelCase plural route names), their typed fields, the many-to-one relations "
    "between them, and whether users must log in to change data. Keep it to what the request needs."
)


class ArchitectAnswer(BaseModel):
    reasoning: str = Field(description="Why these entities, fields and relations; what was left out")
    spec: Spec


@register
class ArchitectAgent(Agent):
    name = "architect"
    description = "Designs the data model and API contract: writes spec/spec.json and spec/openapi.json."

    def run(self, context: AgentContext) -> AgentResult:
        if context.provider is None or context.provider.offline:
            # A re-plan's feedback rides in the instructions; reading it keeps the code in step with the plan.
            spec = extract_spec(request_with_feedback(context.request, context.instructions))
            reasoning = "Read the entities, fields and relations from the request (and any re-plan feedback) with the offline extractor."
            tokens = (0, 0)
        else:
            answer = generate(context.provider, system=SYSTEM, prompt=self.prompt(context), schema=ArchitectAnswer,
                              context=context.llm_context)
            spec, reasoning, tokens = answer.value.spec, answer.value.reasoning, (answer.tokens_in, answer.tokens_out)
        spec = normalise_spec(apply_options(spec, context.options))
        files = {SPEC_PATH: json.dumps(spec.model_dump(), indent=2) + "\n", CONTRACT_PATH: openapi_json(spec)}
        summary = ", ".join(e.name for e in spec.entities)
        return AgentResult(files=check_files(files), reasoning=f"{reasoning} Entities: {summary}.",
                           tokens_in=tokens[0], tokens_out=tokens[1])

    def prompt(self, context: AgentContext) -> str:
        parts = [f"Request: {context.request}", f"Task: {context.title}\n{context.instructions}"]
        if context.options:
            parts.append(f"The team's choices, which override the request: {json.dumps(context.options)}")
        return "\n\n".join(parts)

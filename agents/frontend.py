"""The frontend agent: frontend/ in the spec's front-end stack (agents/stacks/): a typed client and a page per entity."""

from __future__ import annotations

from .base import AgentContext
from .file_agent import CONTRACT_PATH, SPEC_PATH, FileAgent
from .registry import register
from .spec import Spec
from .stacks import get_stack, stacks_for


@register
class FrontendAgent(FileAgent):
    name = "frontend"
    description = (
        f"Builds frontend/ in the spec's front-end stack ({' or '.join(s.label for s in stacks_for('frontend').values())}): "
        "login and a page per entity, with tests."
    )
    area = ("frontend/",)
    reads = (SPEC_PATH, CONTRACT_PATH)
    context_prefixes = ("frontend/",)
    role = "You write the web app, with a typed client for the API contract."

    def role_for(self, spec: Spec) -> str:
        return get_stack(spec.stack.frontend).role

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        return get_stack(spec.stack.frontend).files(spec, context.scope)

"""The backend agent: backend/ in the spec's back-end stack (agents/stacks/), all or one task's scope of it."""

from __future__ import annotations

from .base import AgentContext
from .file_agent import FileAgent
from .registry import register
from .spec import Spec
from .stacks import get_stack, stacks_for


@register
class BackendAgent(FileAgent):
    name = "backend"
    description = (
        f"Builds backend/ in the spec's back-end stack ({' or '.join(s.label for s in stacks_for('backend').values())}): "
        "CRUD routes validated against the contract, log-ins, the initial migration and tests. "
        'Scope: [] all, ["core"] shared files, [Entity] one resource.'
    )
    area = ("backend/",)
    context_prefixes = ("backend/",)
    role = "You write the API the contract describes, with its tests."

    def role_for(self, spec: Spec) -> str:
        return get_stack(spec.stack.backend).role

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        return get_stack(spec.stack.backend).files(spec, context.scope)

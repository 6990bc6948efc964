"""The frontend agent: frontend/ (React + TypeScript + Tailwind + Vite, typed API client, Vitest tests)."""

from __future__ import annotations

from .base import AgentContext
from .file_agent import CONTRACT_PATH, SPEC_PATH, FileAgent
from .generators.frontend import frontend_files
from .registry import register
from .spec import Spec


@register
class FrontendAgent(FileAgent):
    name = "frontend"
    description = "Builds frontend/: React 19 + TypeScript + Tailwind 4 + Vite, login and a page per entity, Vitest tests."
    area = ("frontend/",)
    reads = (SPEC_PATH, CONTRACT_PATH)
    context_prefixes = ("frontend/",)
    role = "You write the web app: React 19, TypeScript strict, Tailwind 4, Vite, a typed client for the API contract."

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        return frontend_files(spec, context.scope)

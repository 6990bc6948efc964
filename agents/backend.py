"""The backend agent: backend/ (Express + TypeScript + Prisma + JWT, Jest tests), all or one task's scope of it."""

from __future__ import annotations

from .base import AgentContext
from .file_agent import FileAgent
from .generators.backend import backend_files
from .registry import register
from .spec import Spec


@register
class BackendAgent(FileAgent):
    name = "backend"
    description = (
        "Builds backend/: Express 5 + TypeScript + Prisma 7 on SQLite, CRUD routes with zod validation, "
        "JWT auth, the initial migration and Jest tests. Scope: [] all, [\"core\"] shared files, [Entity] one resource."
    )
    area = ("backend/",)
    context_prefixes = ("backend/",)
    role = "You write the API: Express 5, TypeScript strict, Prisma 7 with SQLite, zod, JWT, Jest + supertest tests."

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        return backend_files(spec, context.scope)

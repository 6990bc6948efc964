"""Express 5 + TypeScript + Prisma 7 (SQLite through better-sqlite3) + JWT, tested with Jest."""

from __future__ import annotations

from pathlib import Path

from agents.generators.backend import api_path, backend_files
from agents.generators.testing import journey_test_ts
from agents.spec import Entity, Spec

from ..base import Files, Stack


class ExpressStack(Stack):
    name = "express"
    part = "backend"
    label = "Express 5 + TypeScript + Prisma 7 (Node.js)"
    root = "backend"
    language = "typescript"
    role = "You write the API: Express 5, TypeScript strict, Prisma 7 with SQLite, zod, JWT, Jest + supertest tests."
    folder = Path(__file__).parent

    def files(self, spec: Spec, scope: list[str]) -> Files:
        return backend_files(spec, scope)

    def journey_files(self, spec: Spec) -> Files:
        return {"backend/tests/journey.test.ts": journey_test_ts(spec)}

    def api_path(self, entity: Entity) -> str:
        return api_path(entity)


STACK = ExpressStack()

"""React 19 + TypeScript + Tailwind 4 + Vite, a typed API client, Vitest + Testing Library."""

from __future__ import annotations

from pathlib import Path

from agents.generators.frontend import frontend_files
from agents.spec import Spec

from ..base import Files, Stack


class ReactStack(Stack):
    name = "react"
    part = "frontend"
    label = "React 19 + TypeScript + Tailwind 4 (Vite)"
    root = "frontend"
    language = "typescript"
    role = "You write the web frontend: React 19, TypeScript strict, Tailwind 4, Vite, a typed API client, Vitest tests."
    folder = Path(__file__).parent

    def files(self, spec: Spec, scope: list[str]) -> Files:
        return frontend_files(spec, scope)


STACK = ReactStack()

"""React 19 + TypeScript + Tailwind 4 + Vite, a typed API client, Vitest + Testing Library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agents.generators.naming import upper_first, words
from agents.generators.samples import sample_value
from agents.spec import Entity, EntityField, Spec

from .. import get_stack
from ..base import Files, under
from ..typescript import FILTERS, NodeStack, template_literal, ts_value

PORT = 8080
TEXT_KINDS = ("string", "email", "text")
TS_TYPES = {
    "string": "string", "text": "string", "email": "string", "date": "string", "datetime": "string",
    "int": "number", "float": "number", "boolean": "boolean",
}


def section_label(entity: Entity) -> str:
    return upper_first(words(entity.plural).lower())


def label_field(entity: Entity) -> str:
    """The field that names a row in a relation's select: the first text-like one, else the id."""
    return next((f.name for f in entity.fields if f.type in TEXT_KINDS), "id")


def stored(entity: Entity, n: int) -> dict[str, Any]:
    """Sample row `n` as the API would return it."""
    row: dict[str, Any] = {"id": n}
    for f in entity.fields:
        value = sample_value(entity, f, n)
        row[f.name] = f"{value}T00:00:00.000Z" if f.type == "date" else value
    row |= {f"{r.name}Id": 1 for r in entity.relations}
    return row | {"createdAt": "2030-01-01T00:00:00.000Z", "updatedAt": "2030-01-01T00:00:00.000Z"}


def _entry(entity: Entity, field: EntityField, n: int) -> tuple[list[dict[str, str]], str]:
    """How a test fills `field` with sample `n` (an empty list: leave it), and the value sent."""
    label = {"label": template_literal(words(field.name))}
    value = sample_value(entity, field, n)
    if field.type == "boolean":
        return ([label | {"click": "true"}] if value else []), ts_value(value)
    if field.type == "datetime":
        local = template_literal(str(value)[:16])
        return [label | {"value": local}], f"new Date({local}).toISOString()"
    return [label | {"value": template_literal(str(value))}], ts_value(value)


class ReactStack(NodeStack):
    name = "react"
    part = "frontend"
    label = "React 19 + TypeScript + Tailwind 4 (Vite)"
    root = "frontend"
    language = "typescript"
    checks = ("npm run lint", "npm run build", "npm test")
    role = "You write the web frontend: React 19, TypeScript strict, Tailwind 4, Vite, a typed API client, Vitest tests."
    # TypeScript and DOM globals, React's names, and the generated modules' own identifiers.
    reserved_names = frozenset(
        """Array Boolean Date Error Function JSON Map Math Number Object Omit Partial Pick Promise Record
        Request Response Set String Symbol React App Layout Login Register Home Auth Entity Option Row
        Input Page""".split()
    )
    folder = Path(__file__).parent
    filters = FILTERS

    def context(self, spec: Spec) -> dict[str, Any]:
        backend = get_stack(spec.stack.backend)
        return super().context(spec) | {
            "package_name": f"{spec.app_name}-web",
            "port": PORT,
            "api_path": backend.api_path,
            "section_label": section_label,
            "label_field": label_field,
            "ts_types": TS_TYPES,
            "page_test": lambda entity: self.page_test(spec, entity),
        }

    def page_test(self, spec: Spec, entity: Entity) -> dict[str, Any]:
        """The sample data of an entity page's test, as TypeScript literals."""
        backend = get_stack(spec.stack.backend)
        fill: list[dict[str, str]] = []
        expected: dict[str, str] = {}
        for field in entity.fields:
            entries, sent = _entry(entity, field, 3)
            fill += entries
            expected[field.name] = sent
        for relation in entity.relations:
            target = spec.entity(relation.target)
            option = template_literal(str(stored(target, 1)[label_field(target)]))
            fill.append({"label": template_literal(words(relation.name)), "option": option, "value": '"1"'})
            expected[f"{relation.name}Id"] = "1"
        first = entity.fields[0]
        if first.type == "boolean":
            edit = [{"label": template_literal(words(first.name)), "click": "true"}]
            edited = json.dumps(not sample_value(entity, first, 1))
        else:
            edit, edited = _entry(entity, first, 5)
        parents = {
            backend.api_path(spec.entity(t)): {k: ts_value(v) for k, v in stored(spec.entity(t), 1).items()}
            for t in sorted({r.target for r in entity.relations})
        }
        return {
            "existing": {k: ts_value(v) for k, v in stored(entity, 1).items()},
            "parents": parents,
            "fill": fill,
            "expected": expected,
            "edit": edit,
            "first": first.name,
            "edited": edited,
        }

    def package(self, spec: Spec) -> dict[str, Any]:
        return {
            "name": f"{spec.app_name}-web",
            "private": True,
            "version": "0.1.0",
            "type": "module",
            "scripts": {
                "dev": "vite",
                "build": "tsc --noEmit && vite build",
                "preview": "vite preview",
                "test": "vitest run",
                "lint": "eslint . && prettier --check .",
                "format": "prettier --write .",
            },
            "engines": {"node": ">=20.19"},
            "dependencies": {"react": "^19.2.0", "react-dom": "^19.2.0"},
            "devDependencies": {
                "@eslint/js": "^10.0.1",
                "@tailwindcss/vite": "^4.1.0",
                "@testing-library/dom": "^10.4.0",
                "@testing-library/jest-dom": "^7.0.0",
                "@testing-library/react": "^16.3.0",
                "@testing-library/user-event": "^14.6.0",
                "@types/react": "^19.2.0",
                "@types/react-dom": "^19.2.0",
                "@vitejs/plugin-react": "^6.0.0",
                # The pages' own tests run axe-core's accessibility rules in jsdom.
                "axe-core": "^4.14.0",
                "eslint": "^10.0.0",
                "eslint-plugin-react-hooks": "^7.0.0",
                "globals": "^17.0.0",
                "jsdom": "^27.0.0",
                "prettier": "^3.6.0",
                "tailwindcss": "^4.1.0",
                "typescript": "~5.9.3",
                "typescript-eslint": "^8.46.0",
                "vite": "^8.0.0",
                # Vitest 5 does not resolve with this toolchain yet.
                "vitest": "~4.1.0",
            },
        }

    def devops_files(self, spec: Spec) -> Files:
        return under(self.root, {
            "Dockerfile": self.source("_stack/Dockerfile"),
            ".dockerignore": self.source("_stack/dockerignore"),
            "nginx.conf": self.source("_stack/nginx.conf"),
        })

    def compose_service(self, spec: Spec) -> dict[str, Any]:
        # The back end's service is named after its folder, whichever stack builds it.
        backend = get_stack(spec.stack.backend).root
        return {
            "build": f"./{self.root}",
            "depends_on": {backend: {"condition": "service_healthy"}},
            "ports": [f"{PORT}:{PORT}"],
        }



STACK = ReactStack()

"""Express 5 + TypeScript + Prisma 7 (SQLite through better-sqlite3) + JWT, tested with Jest."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from agents.criteria import feature_criteria
from agents.generators.naming import (
    BackRelation,
    auth_model,
    back_relations,
    creation_order,
    kebab,
    words,
)
from agents.generators.samples import comparable_fields
from agents.openapi import summary_description, summary_path
from agents.spec import Entity, EntityField, Feature, Spec

from ..base import Files, Step, report_path, under
from ..typescript import FILTERS, NodeStack, template_literal, template_text
from . import routes
from .criteria_tests import criteria_tests, title_literal
from .prisma import SQL_TYPES, tables
from .summary_tests import summary_plan

# Prisma and its client, adapter and engines must carry the same version.
PRISMA_VERSION = "7.10.0"
PRISMA_GENERATE = "PRISMA_SCHEMA_ENGINE_BINARY=${PRISMA_SCHEMA_ENGINE_BINARY:-$npm_node_execpath} prisma generate"
PORT = 3000
REPORT = report_path("backend", "json")  # Jest's own JSON report, read by the verify stage
# What a feature's model is shown, word for word from the files it plugs into.
FEATURE_INTERFACES = re.compile(
    r"^(?:/\*\*[^\n]*\*/\n)?export interface (?:FeatureDeps|JobDeps|Job) \{.*?^\}", re.MULTILINE | re.DOTALL
)
PRISMA_MODELS = re.compile(r"^model \w+ \{.*?^\}", re.MULTILINE | re.DOTALL)


def ts_sample(entity: Entity, field: EntityField) -> str:
    """A TypeScript expression for a valid value of `field`, in terms of the row counter `n`
    (tests/fixtures.ts defines `day` and `instant`)."""
    kind = field.type
    if kind == "email":
        return f"`{template_text(kebab(entity.name))}${{n}}@example.com`"
    if kind == "int":
        return "n"
    if kind == "float":
        return "n + 0.5"
    if kind == "boolean":
        return "n % 2 === 1"
    if kind == "date":
        return "day(n)"
    if kind == "datetime":
        return "instant(n)"
    if kind == "money":
        return "`${n}.25`"
    if kind == "choice":
        return template_literal(field.options[-1])  # not the default, which the first option may be
    if kind == "url":
        return f"`https://example.com/{template_text(kebab(field.name))}/${{n}}`"
    suffix = f" of {entity.label.lower()}, a longer text." if kind == "text" else ""
    return f"`{template_text(words(field.name))} ${{n}}{template_text(suffix)}`"


def blockers(spec: Spec, entity: Entity) -> list[BackRelation]:
    """The links from other entities that keep a row of `entity` from being deleted."""
    return [b for b in back_relations(spec, entity) if b.relation.required and b.source.name != entity.name]


class ExpressStack(NodeStack):
    name = "express"
    part = "backend"
    label = "Express 5 + TypeScript + Prisma 7 (Node.js)"
    root = "backend"
    language = "typescript"
    checks = ("npx tsc --noEmit", "npm run lint", "npm test")
    verify_steps = (
        Step("types", "npx tsc --noEmit"),
        Step("lint", "npm run lint"),
        Step("tests", f"npm test -- --json --outputFile={REPORT}", counts="jest", report=REPORT),
        Step("build", "npm run build"),
    )
    prepare = ("npm run generate",)  # the Prisma client, which npm ci's postinstall writes into src/generated
    migrate = "node dist/migrate.js"
    serve = "node dist/server.js"
    verify_env = (("DATABASE_URL", "file:/tmp/verify.db"), ("JWT_SECRET", "verify-stage-only-not-a-secret-0123456789"))
    asked_for_by = ("node.js", "nodejs", "express.js", "expressjs")
    role = "You write the API: Express 5, TypeScript strict, Prisma 7 with SQLite, zod, JWT, Jest + supertest tests."
    # TypeScript globals, Prisma's and Express's names, and the generated modules' own identifiers.
    reserved_names = frozenset(
        [
            "Array",
            "Boolean",
            "Date",
            "Error",
            "Function",
            "JSON",
            "Map",
            "Math",
            "Number",
            "Object",
            "Omit",
            "Partial",
            "Pick",
            "Promise",
            "Record",
            "Request",
            "Response",
            "Set",
            "String",
            "Symbol",
            "Prisma",
            "PrismaClient",
            "Router",
            "RequestHandler",
            "Express",
            "Application",
            "App",
            "Auth",
            "Int",
            "Float",
            "Decimal",
            "BigInt",
            "Bytes",
            "Json",
            "DateTime",
        ]
    )
    folder = Path(__file__).parent
    filters = FILTERS

    def context(self, spec: Spec) -> dict[str, Any]:
        return super().context(spec) | {
            "package_name": f"{spec.app_name}-api",
            "port": PORT,
            "api_path": self.api_path,
            "tables": tables(spec),
            "sql_types": SQL_TYPES,
            "auth_model": auth_model,
            "creation_order": creation_order,
            "blockers": blockers,
            "comparable_fields": comparable_fields,
            "rule": routes.zod_rule,
            "creation_rule": routes.creation_rule,
            "link_rule": routes.link_rule,
            "lookups": routes.lookups,
            "options_name": routes.options_name,
            "default_name": routes.default_name,
            "ts_array": routes.ts_array,
            "assign": routes.assign,
            "remove": routes.remove,
            "sort_key_items": routes.sort_key_items,
            "optional_sorts": routes.optional_sorts,
            "searched": routes.searched,
            "money_fields": routes.money_fields,
            "owned_links": routes.owned_links,
            "summary_codes": [routes.summary_code(spec, s) for s in spec.summaries],
            "summary_plans": [summary_plan(spec, s) for s in spec.summaries],
            "summary_path": summary_path,
            "summary_description": summary_description,
            "ts_sample": ts_sample,
        }

    def package(self, spec: Spec) -> dict[str, Any]:
        return {
            "name": f"{spec.app_name}-api",
            "version": "0.1.0",
            "private": True,
            "description": f"The API of {spec.title}",
            "scripts": {
                "postinstall": PRISMA_GENERATE,
                "generate": PRISMA_GENERATE,
                "build": "tsc -p tsconfig.build.json",
                "migrate": "node dist/migrate.js",
                "start": "node dist/server.js",
                "dev": "npm run build && npm run migrate && npm start",
                "test": "jest",
                "typecheck": "tsc --noEmit",
                "lint": "eslint . && prettier --check .",
                "format": "prettier --write .",
            },
            "engines": {"node": ">=20.19"},
            "dependencies": {
                "@prisma/adapter-better-sqlite3": PRISMA_VERSION,
                "@prisma/client": PRISMA_VERSION,
                "bcryptjs": "^3.0.2",
                "better-sqlite3": "^12.6.0",
                "express": "^5.1.0",
                "jsonwebtoken": "^9.0.2",
                "zod": "^4.1.0",
                **spec.packages("backend"),
            },
            "devDependencies": {
                "@eslint/js": "^10.0.1",
                "@types/better-sqlite3": "^7.6.13",
                "@types/express": "^5.0.3",
                "@types/jest": "^30.0.0",
                "@types/jsonwebtoken": "^9.0.10",
                "@types/node": "^20.9.0",
                "@types/supertest": "^7.2.0",
                "eslint": "^10.0.0",
                "globals": "^17.0.0",
                "jest": "^30.0.0",
                "prettier": "^3.6.0",
                "prisma": PRISMA_VERSION,
                "supertest": "^7.1.0",
                "ts-jest": "^29.4.0",
                # TypeScript 7 breaks ts-jest and typescript-eslint.
                "typescript": "~5.9.3",
                "typescript-eslint": "^8.46.0",
            },
            "jest": {"preset": "ts-jest", "testEnvironment": "node", "roots": ["<rootDir>/tests"]},
            # The resolver's platform packages that newer releases list are missing from some registries.
            "overrides": {"unrs-resolver": "1.12.2"},
        }

    def journey_files(self, spec: Spec) -> Files:
        journey = self.render("_stack/journey.test.ts.j2", **self.context(spec))
        return {f"{self.root}/tests/journey.test.ts": journey}

    def criteria_files(self, spec: Spec) -> Files:
        suites = criteria_tests(spec)
        if not suites:
            return {}
        tests = self.render("_stack/criteria.test.ts.j2", **self.context(spec), suites=suites, title=title_literal)
        return {f"{self.root}/tests/criteria.test.ts": tests}

    def feature_area(self, spec: Spec, feature: Feature) -> tuple[str, ...]:
        return (f"{self.root}/src/features/{feature.name}/", f"{self.root}/tests/features/{feature.name}/")

    def feature_guide(self, spec: Spec, feature: Feature) -> str:
        context = self.context(spec)
        schema = self.render("prisma/schema.prisma.j2", **context)
        return self.render(
            "_stack/feature_guide.txt.j2",
            **context,
            feature=feature,
            criteria=[(c.id, c.text) for c in feature_criteria(spec, feature)],
            interfaces=FEATURE_INTERFACES.findall(self.source("src/features/index.ts")),
            models="\n\n".join(PRISMA_MODELS.findall(schema)),
        )

    def devops_files(self, spec: Spec) -> Files:
        return under(
            self.root,
            {"Dockerfile": self.source("_stack/Dockerfile"), ".dockerignore": self.source("_stack/dockerignore")},
        )

    def compose_service(self, spec: Spec) -> dict[str, Any]:
        environment = {"JWT_SECRET": "${JWT_SECRET:?set JWT_SECRET in .env or the environment}"} if spec.auth else {}
        probe = (
            f"fetch('http://localhost:{PORT}/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
        )
        return {
            "build": f"./{self.root}",
            "environment": environment | {"DATABASE_URL": "file:/data/app.db"},
            "volumes": ["db:/data"],
            "ports": [f"{PORT}:{PORT}"],
            "healthcheck": {"test": ["CMD", "node", "-e", probe], "interval": "10s", "retries": 5},
        }

    def api_path(self, entity: Entity) -> str:
        return f"/api/{kebab(entity.plural)}"


STACK = ExpressStack()

"""README.md and docs/API.md of a generated project; the API reference is read from the OpenAPI contract."""

from __future__ import annotations

import json
from typing import Any

from agents.spec import Spec

METHODS = ("get", "post", "put", "delete")


def docs_files(spec: Spec, contract: dict[str, Any]) -> dict[str, str]:
    return {"README.md": readme(spec), "docs/API.md": api_reference(contract)}


def _entity_table(spec: Spec) -> list[str]:
    rows = ["| Record | Fields | Belongs to |", "|---|---|---|"]
    for e in spec.entities:
        fields = ", ".join(f"{f.name} ({f.type}{'' if f.required else ', optional'})" for f in e.fields)
        links = ", ".join(f"{r.name} → {r.target}{'' if r.required else ' (optional)'}" for r in e.relations) or "—"
        rows.append(f"| {_cell(e.label)} | {fields} | {links} |")
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def readme(spec: Spec) -> str:
    auth_env = ["| `JWT_SECRET` | backend | **required**; signs login tokens. Make one with `openssl rand -hex 32`. |"] if spec.auth else []
    frontend_run = [
        "In a second terminal, the web app (Vite proxies `/api` to port 3000):",
        "",
        "    cd frontend",
        "    npm install",
        "    npm run dev          # http://localhost:5173",
        "",
    ] if spec.frontend else []
    access = (
        "Anyone may read; creating, changing and deleting records needs an account: register or log in, "
        "then send the token as `Authorization: Bearer <token>`."
        if spec.auth else "The API has no accounts: every route is open. Put it behind your own access control before exposing it."
    )
    lines = [
        f"# {spec.title}",
        "",
        spec.summary,
        "",
        "## What it stores",
        "",
        *_entity_table(spec),
        "",
        access,
        "",
        "## Layout",
        "",
        "    backend/     Express 5 + TypeScript + Prisma 7 (SQLite through better-sqlite3), Jest + supertest tests",
        *(["    frontend/    React 19 + TypeScript + Tailwind 4 + Vite, Vitest + Testing Library tests"] if spec.frontend else []),
        "    docs/API.md  every route, generated from the OpenAPI contract",
        "",
        "## Run it",
        "",
        "With Docker: copy `.env.example` to `.env`, set `JWT_SECRET`, then `docker compose up --build`."
        if spec.auth else "With Docker: `docker compose up --build`.",
        *(["The web app is at http://localhost:8080 and the API at http://localhost:3000."] if spec.frontend
          else ["The API is at http://localhost:3000."]),
        "",
        "Without Docker (Node.js 20.19 or newer):",
        "",
        "    cd backend",
        "    npm install          # also generates the Prisma client",
        *(["    export JWT_SECRET=$(openssl rand -hex 32)"] if spec.auth else []),
        "    npm run dev          # builds, creates dev.db from prisma/migrations, serves http://localhost:3000",
        "",
        *frontend_run,
        "## Test",
        "",
        "    cd backend && npm test && npm run lint",
        *(["    cd frontend && npm test && npm run lint && npm run build"] if spec.frontend else []),
        "",
        "Backend tests create a fresh SQLite file from `prisma/migrations` for each test file; nothing is shared.",
        "",
        "## Environment variables",
        "",
        "| Variable | Used by | Meaning |",
        "|---|---|---|",
        *auth_env,
        "| `DATABASE_URL` | backend | SQLite file, default `file:./dev.db` |",
        "| `PORT` | backend | port to listen on, default 3000 |",
        *(["| `VITE_API_URL` | frontend | API origin when it is not served beside the app; default: same origin |"] if spec.frontend else []),
        "",
        "## Changing the data model",
        "",
        "Edit `backend/prisma/schema.prisma`, then `npx prisma migrate dev --name <change>` (this needs network access",
        "once, to fetch Prisma's schema engine). `npm run migrate` applies migrations without it.",
        "",
    ]
    return "\n".join(lines)


def _schema_text(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return f"`{schema['$ref'].rsplit('/', 1)[-1]}`"
    if schema.get("type") == "array":
        return f"list of {_schema_text(schema.get('items', {}))}"
    if "allOf" in schema:
        return "part of " + " and ".join(_schema_text(s) for s in schema["allOf"])
    kind = schema.get("type", "object")
    return f"`{' or '.join(kind) if isinstance(kind, list) else kind}`"


def _operation(path: str, method: str, op: dict[str, Any]) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", "", op.get("summary", ""), ""]
    if op.get("security"):
        lines += ["Needs `Authorization: Bearer <token>`.", ""]
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body:
        lines += [f"Body: {_schema_text(body)}", ""]
    lines += ["| Status | Meaning |", "|---|---|"]
    for status, response in op.get("responses", {}).items():
        description = "an error (see below)" if "$ref" in response else response.get("description", "")
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        lines.append(f"| {status} | {_cell(description)}{' — ' + _schema_text(schema) if schema else ''} |")
    return lines + [""]


def _schema_section(name: str, schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    lines = [f"### `{name}`", "", "| Field | Type | Required |", "|---|---|---|"]
    for field, prop in schema.get("properties", {}).items():
        kind = _schema_text(prop)
        if prop.get("format"):
            kind += f" ({prop['format']})"
        lines.append(f"| `{field}` | {kind} | {'yes' if field in required else 'no'} |")
    if "example" in schema:
        lines += ["", "Example:", "", "```json", json.dumps(schema["example"], indent=2), "```"]
    return lines + [""]


def api_reference(contract: dict[str, Any]) -> str:
    info = contract.get("info", {})
    lines = [f"# {info.get('title', 'API')} — API reference", "", info.get("description", ""), ""]
    lines += ["Generated from `spec/openapi.json` (OpenAPI 3.1). Errors answer `{\"error\": \"...\"}`; "
              "validation errors add `issues`, a list of `{path, message}`.", "", "## Routes", ""]
    for path, item in contract.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                lines += _operation(path, method, item[method])
    lines += ["## Schemas", ""]
    for name, schema in contract.get("components", {}).get("schemas", {}).items():
        lines += _schema_section(name, schema)
    return "\n".join(lines)


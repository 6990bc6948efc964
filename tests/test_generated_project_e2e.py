"""Generated projects install, type-check, lint, build and pass their own tests.

For three requests in a person's words whose specs use choices, money, many-to-many lists, private
records, due dates, lookups and a per-period summary (testbed/rich_specs.py): `manage.py generate`,
then in backend/ `npx tsc --noEmit`, `npm run lint`, `npm test`, `npm run build`, and in frontend/
`npm run lint`, `npm run build`, `npm test` (axe-core included).
Dependencies do not depend on the entities, so each stack installs once from its lockfile and every
project hard-links that node_modules (better-sqlite3 compiles from source here, about a minute).
The initial migration is also compared with the SQL Prisma's own schema engine (its WebAssembly
build) prints.
"""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from agents.spec import Spec
from agents.stacks import get_stack
from agents.stacks.express import PRISMA_VERSION
from testbed.rich_specs import RICH_REQUESTS
from tests.node_projects import NPM_INSTALL, sh, share

REQUESTS = RICH_REQUESTS
# What each request's spec must have, so that these runs prove the richer parts end to end.
FEATURES = {
    "tool-shed": lambda spec: (
        {f.type for e in spec.entities for f in e.fields} >= {"choice", "money"}
        and any(e.due and e.done for e in spec.entities)
        and any(s.only == "open" for s in spec.summaries)
    ),
    "running-club": lambda spec: (
        any(e.owned for e in spec.entities) and any(s.period == "month" and s.group_by for s in spec.summaries)
    ),
    "bakery": lambda spec: (
        any(r.many for e in spec.entities for r in e.relations)
        and "money" in {f.type for e in spec.entities for f in e.fields}
    ),
}
SCHEMA_ENGINE = f"@prisma/schema-engine-wasm@{PRISMA_VERSION}-4.0edf323efd1d98336f3f0a68684b56f689b900d3"
DIFF_SCRIPT = """
import { readFileSync } from "node:fs";
import { SchemaEngine } from "@prisma/schema-engine-wasm";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

const schema = readFileSync("prisma/schema.prisma", "utf8");
const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaBetterSqlite3({ url: ":memory:" }));
const engine = await SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => {}, adapter);
const result = await engine.diff({
  from: { tag: "empty" },
  to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] },
  script: true, exitCode: null, filters: { externalTables: [], externalEnums: [] },
});
process.stdout.write(result.stdout ?? "");
"""

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _migration_matches_prisma(backend: Path, tools: Path) -> None:
    if not (tools / "node_modules").exists():
        tools.mkdir(exist_ok=True)
        sh(tools, *NPM_INSTALL, "--no-save", SCHEMA_ENGINE)
    engine = backend / "node_modules" / "@prisma" / "schema-engine-wasm"
    shutil.copytree(tools / "node_modules" / "@prisma" / "schema-engine-wasm", engine)
    script = backend / "schema-diff.mjs"
    script.write_text(DIFF_SCRIPT)
    try:
        printed = sh(backend, "node", "--experimental-wasm-modules", "--no-warnings", script.name)
    finally:
        script.unlink()
        shutil.rmtree(engine)
    assert printed == (backend / "prisma" / "migrations" / "0_init" / "migration.sql").read_text()


@pytest.mark.parametrize("name", list(REQUESTS))
def test_the_generated_project_installs_builds_lints_and_passes_its_tests(name, node_modules, tmp_path_factory):
    out = tmp_path_factory.mktemp(name)
    call_command("generate", REQUESTS[name], "--out", str(out), "--force", stdout=io.StringIO())
    spec = Spec.model_validate_json((out / "spec" / "spec.json").read_text())
    assert FEATURES[name](spec), f"{name}: the request's spec lacks what it asked for: {spec.model_dump_json()}"

    backend = out / "backend"
    share(node_modules(get_stack("express"), scripts=True), backend, link=True)
    sh(backend, "npm", "run", "generate")  # what postinstall does
    sh(backend, "npx", "tsc", "--noEmit")
    sh(backend, "npm", "run", "lint")
    assert "failed" not in sh(backend, "npm", "test").lower()
    sh(backend, "npm", "run", "build")
    _migration_matches_prisma(backend, tmp_path_factory.getbasetemp() / "schema-engine")

    frontend = out / "frontend"
    share(node_modules(get_stack("react"), scripts=True), frontend, link=True)
    sh(frontend, "npm", "run", "lint")
    sh(frontend, "npm", "run", "build")
    sh(frontend, "npm", "test")
    assert (frontend / "dist" / "index.html").exists()

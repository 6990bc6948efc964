"""Generated projects install, type-check, lint, build and pass their own tests.

For three different requests: `manage.py generate`, then in backend/ `npm install`,
`npx tsc --noEmit`, `npm run lint`, `npm test`, and in frontend/ `npm install`, `npm run lint`,
`npm run build`, `npm test`; pytest where the project contains Python. Dependencies do not
depend on the entities, so each half installs once and the other projects hard-link its
node_modules (better-sqlite3 compiles from source here, about a minute). The initial migration
is also compared with the SQL Prisma's own schema engine (its WebAssembly build) prints.
"""

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from agents.generators.backend import PRISMA_VERSION

REQUESTS = {
    "clinic": "A small clinic appointment system with doctors, patients and appointments; "
              "patients book an appointment with a doctor",
    "library": "A lending library: members borrow books, each loan has a due date and belongs to a member and a book",
    "workouts": "A Python-tested REST API and website to log gym workouts with exercises and sets; each set belongs to a workout",
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


def _sh(cwd: Path, *command: str, timeout: float = 600) -> str:
    env = os.environ | {"CI": "true", "NO_COLOR": "1"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} in {cwd} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def _install(half: Path, shared: dict[str, Path]) -> None:
    """npm install the first time a half is seen; hard-link that node_modules afterwards."""
    if half.name in shared:
        shutil.copytree(shared[half.name], half / "node_modules", copy_function=os.link, symlinks=True)
        if half.name == "backend":
            _sh(half, "npm", "run", "generate")  # what postinstall does
    else:
        _sh(half, "npm", "install", "--no-audit", "--no-fund")
        shared[half.name] = half / "node_modules"


@pytest.fixture(scope="module")
def installed() -> dict[str, Path]:
    assert shutil.which("npm"), "the end-to-end test needs Node.js and npm"
    return {}


def _migration_matches_prisma(backend: Path, tools: Path) -> None:
    if not (tools / "node_modules").exists():
        tools.mkdir(exist_ok=True)
        _sh(tools, "npm", "install", "--no-audit", "--no-fund", "--no-save", SCHEMA_ENGINE)
    engine = backend / "node_modules" / "@prisma" / "schema-engine-wasm"
    shutil.copytree(tools / "node_modules" / "@prisma" / "schema-engine-wasm", engine)
    script = backend / "schema-diff.mjs"
    script.write_text(DIFF_SCRIPT)
    try:
        printed = _sh(backend, "node", "--experimental-wasm-modules", "--no-warnings", script.name)
    finally:
        script.unlink()
        shutil.rmtree(engine)
    assert printed == (backend / "prisma" / "migrations" / "0_init" / "migration.sql").read_text()


@pytest.mark.parametrize("name", list(REQUESTS))
def test_the_generated_project_installs_builds_lints_and_passes_its_tests(name, installed, tmp_path_factory):
    out = tmp_path_factory.mktemp(name)
    call_command("generate", REQUESTS[name], "--out", str(out), "--force", stdout=io.StringIO())

    backend = out / "backend"
    _install(backend, installed)
    _sh(backend, "npx", "tsc", "--noEmit")
    _sh(backend, "npm", "run", "lint")
    assert "failed" not in _sh(backend, "npm", "test").lower()
    _migration_matches_prisma(backend, tmp_path_factory.getbasetemp() / "schema-engine")

    frontend = out / "frontend"
    _install(frontend, installed)
    _sh(frontend, "npm", "run", "lint")
    _sh(frontend, "npm", "run", "build")
    _sh(frontend, "npm", "test")
    assert (frontend / "dist" / "index.html").exists()

"""Generated FastAPI back ends install, lint, type-check, migrate and pass their own tests, and
serve the API contract (spec/openapi.json) to Schemathesis with no failure.

Three requests of different shapes are built by the offline extractor with the back end set to
FastAPI, and the three rich specs (testbed/rich_specs.py) use every part of the schema: money, web
addresses, choices, many-to-many links, owned records, due dates, lookups and summaries. Their
dependencies do not depend on the entities, so one virtual environment, cached by a hash of the
dependency list, serves every project of the session.
"""

import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from agents.extraction import extract_spec
from agents.generators.naming import normalise_spec
from agents.openapi import openapi_document
from agents.spec import Spec
from agents.stacks import get_stack
from testbed.rich_specs import RICH_SPECS, rich_spec
from tests.schemathesis_run import run_schemathesis
from tests.strategies import specs

REQUESTS = {
    "clinic": "A small clinic appointment system with doctors, patients and appointments; "
    "patients book an appointment with a doctor",
}
STACK = get_stack("fastapi")
pytestmark = pytest.mark.slow


def fastapi_spec(request: str) -> Spec:
    spec = extract_spec(request)
    return normalise_spec(spec.model_copy(update={"stack": spec.stack.model_copy(update={"backend": "fastapi"})}))


def spec_named(name: str) -> Spec:
    """One of the requests above, or one of the rich specs, with the FastAPI back end."""
    return rich_spec(name, backend="fastapi") if name in RICH_SPECS else fastapi_spec(REQUESTS[name])


def write(files: dict[str, str], out: Path) -> None:
    for path, text in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text)


def _sh(cwd: Path, *command: str, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=os.environ | (env or {}), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{' '.join(command)} in {cwd} failed:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="session")
def venv_bin() -> Path:
    """A virtual environment with the generated pyproject's dependencies (runtime and dev),
    built once per dependency list and kept between sessions."""
    pyproject = tomllib.loads(STACK.files(fastapi_spec(REQUESTS["clinic"]), [])["backend/pyproject.toml"])
    requirements = sorted(pyproject["project"]["dependencies"] + pyproject["project"]["optional-dependencies"]["dev"])
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:16]
    venv = Path(tempfile.gettempdir()) / f"autodevos-fastapi-venv-{digest}"
    if not (venv / "installed").exists():
        _sh(Path.cwd(), sys.executable, "-m", "venv", "--clear", str(venv))
        _sh(Path.cwd(), str(venv / "bin" / "pip"), "install", "--quiet", *requirements)
        (venv / "installed").write_text("\n".join(requirements) + "\n")
    return venv / "bin"


@pytest.mark.parametrize("name", ["clinic", *RICH_SPECS])  # the rich specs hold every kind of field and link
def test_the_generated_back_end_lints_type_checks_migrates_and_passes_its_tests(
    name: str, venv_bin: Path, tmp_path: Path
) -> None:
    spec = spec_named(name)
    assert len(spec.entities) >= 2
    write(STACK.files(spec, []) | STACK.journey_files(spec), tmp_path)
    backend = tmp_path / "backend"

    _sh(backend, str(venv_bin / "ruff"), "check", "--no-cache", ".")
    _sh(backend, str(venv_bin / "ruff"), "format", "--check", "--no-cache", ".")
    _sh(backend, str(venv_bin / "mypy"), "--no-incremental", ".")
    _sh(backend, str(venv_bin / "alembic"), "upgrade", "head", env={"DATABASE_URL": "sqlite:///./fresh.db"})
    # The initial migration and the models describe the same tables: autogenerate finds nothing to add.
    _sh(backend, str(venv_bin / "alembic"), "check", env={"DATABASE_URL": "sqlite:///./fresh.db"})
    tables = _sh(
        backend,
        str(venv_bin / "python"),
        "-c",
        "import sqlite3; print(sorted(r[0] for r in sqlite3.connect('fresh.db').execute(\"select name from sqlite_master where type='table'\")))",
    )
    for entity in STACK.context(spec)["py"].values():
        assert f"'{entity.table}'" in tables
        for link in entity.links:
            assert f"'{link.table}'" in tables
    summary = _sh(backend, str(venv_bin / "pytest"), "-q", "-p", "no:cacheprovider")
    assert " passed" in summary and "failed" not in summary


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(request: pytest.FixtureRequest, venv_bin: Path, tmp_path: Path) -> Iterator[tuple[str, Spec, Path]]:
    """A request's generated API under uvicorn on 127.0.0.1, on a freshly migrated SQLite file."""
    spec = spec_named(request.param)
    write(STACK.files(spec, []), tmp_path)
    backend = tmp_path / "backend"
    env = {"DATABASE_URL": "sqlite:///./contract.db", "JWT_SECRET": "contract-test-" + "x" * 32}
    _sh(backend, str(venv_bin / "alembic"), "upgrade", "head", env=env)
    port = _free_port()
    server = subprocess.Popen(
        [str(venv_bin / "uvicorn"), "--factory", "app.main:create_app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=backend,
        env=os.environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/api/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url, spec, tmp_path
    finally:
        server.terminate()
        server.wait(timeout=10)


# The clinic has log-ins (a JWT from register goes with every request), the bike shop has none; the
# rich specs add list lookups, summary routes and owned records, whose every route needs the JWT.
@pytest.mark.parametrize("served", list(RICH_SPECS), indirect=True)
def test_the_generated_back_end_serves_its_contract_to_schemathesis(served: tuple[str, Spec, Path]) -> None:
    url, spec, out = served
    token = None
    if spec.auth:
        register = urllib.request.Request(
            f"{url}/api/auth/register",
            data=json.dumps({"email": "contract@example.com", "password": "a long password"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        token = json.load(urllib.request.urlopen(register, timeout=10))["token"]
    done = run_schemathesis(openapi_document(spec), url, out, token)
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-3000:]
    assert "No issues found" in done.stdout


def test_drawn_specs_generate_back_ends_that_type_check_and_pass_their_own_tests(
    venv_bin: Path, tmp_path: Path
) -> None:
    """The generated tests hold for specs the architect may produce, not only for the rich ones: a few
    specs drawn by the hypothesis strategies (with every field type, link, ownership, due date and
    summary among them), each type-checked, migrated and tested."""
    drawn: list[Spec] = []

    @settings(max_examples=40, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(specs(backend="fastapi", max_entities=5))
    def draw(spec: Spec) -> None:
        drawn.append(spec)

    draw()
    # The richest few: the most entities, links and summaries.
    richest = sorted(
        drawn, key=lambda s: len(s.entities) + sum(len(e.relations) for e in s.entities) + 2 * len(s.summaries)
    )
    for n, spec in enumerate(richest[-3:]):
        write(STACK.files(spec, []) | STACK.journey_files(spec), tmp_path / f"project{n}")
        backend = tmp_path / f"project{n}" / "backend"
        _sh(backend, str(venv_bin / "mypy"), "--no-incremental", ".")
        _sh(backend, str(venv_bin / "alembic"), "upgrade", "head", env={"DATABASE_URL": "sqlite:///./fresh.db"})
        _sh(backend, str(venv_bin / "alembic"), "check", env={"DATABASE_URL": "sqlite:///./fresh.db"})
        summary = _sh(backend, str(venv_bin / "pytest"), "-q", "-p", "no:cacheprovider")
        assert " passed" in summary and "failed" not in summary, spec.model_dump_json()

"""A generated back end keeps its own contract: Schemathesis, with every check it has, sends valid and
invalid requests built from spec/openapi.json to the built server on 127.0.0.1 and finds nothing
the contract and the server disagree on (statuses, bodies, headers, refused input, methods), for a
plain spec and for the three rich ones (money, choices, many-to-many links, owned records, list
lookups and summary routes)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request

import pytest

from agents.openapi import openapi_document
from agents.spec import Spec
from agents.stacks import get_stack
from testbed.rich_specs import RICH_SPECS, rich_spec
from tests.node_projects import sh, share, write
from tests.schemathesis_run import run_schemathesis

pytestmark = pytest.mark.slow

# Every field type, required and optional, a unique field, and relations required and optional.
SPEC = Spec.model_validate(
    {
        "app_name": "lending",
        "title": "Lending library",
        "summary": "Members borrow books.",
        "entities": [
            {
                "name": "Member",
                "plural": "members",
                "label": "Member",
                "fields": [
                    {"name": "name"},
                    {"name": "email", "type": "email", "unique": True},
                    {"name": "nickname", "required": False},
                    {"name": "joinedOn", "type": "date"},
                ],
            },
            {
                "name": "Book",
                "plural": "books",
                "label": "Book",
                "fields": [
                    {"name": "title"},
                    {"name": "pages", "type": "int"},
                    {"name": "price", "type": "float", "required": False},
                    {"name": "blurb", "type": "text", "required": False},
                    {"name": "signed", "type": "boolean"},
                ],
            },
            {
                "name": "Loan",
                "plural": "loans",
                "label": "Loan",
                "fields": [
                    {"name": "dueAt", "type": "datetime"},
                    {"name": "returnedOn", "type": "date", "required": False},
                ],
                "relations": [
                    {"name": "member", "target": "Member"},
                    {"name": "book", "target": "Book", "required": False},
                ],
            },
        ],
    }
)
JWT_SECRET = "only-for-the-contract-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server exited:\n{server.stdout.read()}"
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s")


SPECS = {"lending": SPEC} | {name: rich_spec(name) for name in RICH_SPECS}


@pytest.fixture(params=list(SPECS))
def spec(request) -> Spec:
    return SPECS[request.param]


@pytest.fixture
def server_url(spec, node_modules, tmp_path):
    stack = get_stack(spec.stack.backend)
    write(tmp_path, stack.files(spec, []))
    backend = tmp_path / stack.root
    share(node_modules(stack, scripts=True), backend, link=True)
    sh(backend, "npm", "run", "generate")
    sh(backend, "npm", "run", "build")
    port = _free_port()
    env = os.environ | {"DATABASE_URL": f"file:{tmp_path / 'api.db'}", "PORT": str(port), "JWT_SECRET": JWT_SECRET}
    subprocess.run(["npm", "run", "migrate"], cwd=backend, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        ["node", "dist/server.js"], cwd=backend, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{url}/api/health", server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_schemathesis_finds_no_disagreement_between_the_contract_and_the_server(spec, server_url, tmp_path):
    token = _post(f"{server_url}/api/auth/register", {"email": "st@example.com", "password": "a-long-password"})[
        "token"
    ]
    done = run_schemathesis(openapi_document(spec), server_url, tmp_path, token)
    assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-3000:]

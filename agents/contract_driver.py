"""The verify stage's contract check, run inside the back end's sandbox (no network but its own
loopback): create a fresh database, start the built server, register a user when the contract has
log-ins, run Schemathesis against spec/openapi.json with a bounded number of examples and time,
stop the server, and print one line `CONTRACT {json}` with what Schemathesis found.

It is a standalone script (the standard library and the `st` command only): the sandbox sees this
file, the project, and the worker's Python environment read-only, never the checkout.

    python contract_driver.py --contract ../spec/openapi.json --st /path/to/st \
        --migrate "node dist/migrate.js" --serve "node dist/server.js" --max-examples 5 --max-time 40
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SERVER_ERROR_CHECKS = {"not_a_server_error"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contract", required=True)
    parser.add_argument("--st", required=True)
    parser.add_argument("--migrate", default="")
    parser.add_argument("--serve", required=True)
    parser.add_argument("--max-examples", type=int, default=5)
    parser.add_argument("--max-time", type=int, default=40)
    args = parser.parse_args()

    contract = json.loads(Path(args.contract).read_text())
    port = _free_port()
    env = os.environ | {"PORT": str(port)}
    if args.migrate:
        done = subprocess.run(args.migrate, shell=True, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode:
            return _report({"error": f"the database migration failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"})
    # The server's output goes to a file: a pipe nobody reads fills up with its request log (uvicorn
    # logs every request) and then blocks the server in the middle of the run.
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen(args.serve, shell=True, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        if not _wait_until_up(f"{url}/api/health", server):
            log.seek(0)
            return _report({"error": f"the server did not answer on /api/health within 60 s.\n{log.read()[-3000:]}"})
        login = []
        if any(path.startswith("/api/auth/register") for path in contract.get("paths", {})):
            token = _post(
                f"{url}/api/auth/register", {"email": "contract@example.com", "password": "a-long-password-1"}
            )["token"]
            login = ["--header", f"Authorization: Bearer {token}"]
        report = Path("/tmp/schemathesis-report.json")
        done = subprocess.run(
            [
                args.st,
                "run",
                str(Path(args.contract).resolve()),
                "--url",
                url,
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                str(args.max_examples),
                "--max-time",
                str(args.max_time),
                "--seed",
                "1",
                "--workers",
                "1",
                "--no-color",
                "--report",
                "json",
                "--report-json-path",
                str(report),
                *login,
            ],
            capture_output=True,
            text=True,
            timeout=args.max_time + 120,
            check=False,
            cwd="/tmp",  # Schemathesis keeps its cache in .schemathesis/ of its folder: never in the project
        )
        print(done.stdout[-4000:])
        found = _counts(report)
        found["exit_code"] = done.returncode
        return _report(found)
    finally:
        server.kill()
        server.wait()


def _counts(report: Path) -> dict:
    """Operations tested, test cases generated, and failures found (server errors apart from other
    disagreements with the contract), from Schemathesis's JSON report."""
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return {"error": "Schemathesis wrote no report."}
    server_errors = violations = 0
    for group in data.get("failures", []):
        count = int(group.get("count") or 1)
        if group.get("code") in SERVER_ERROR_CHECKS or str(group.get("title", "")).lower().startswith("server error"):
            server_errors += count
        else:
            violations += count
    found = {
        "operations": int(data.get("operations", {}).get("tested") or 0),
        "cases": int(data.get("test_cases", {}).get("generated") or 0),
        "server_errors": server_errors,
        "violations": violations,
    }
    errors = [f"{e.get('title')} ({e.get('count')})" for e in data.get("errors", [])]
    if errors:
        found["error"] = "Schemathesis could not test everything: " + "; ".join(errors)
    return found


def _report(found: dict) -> int:
    print("CONTRACT " + json.dumps(found))
    failed = found.get("error") or found.get("server_errors") or found.get("violations") or found.get("exit_code")
    return 1 if failed else 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


if __name__ == "__main__":
    sys.exit(main())

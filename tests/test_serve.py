"""`manage.py serve` as `make run` starts it: the .env the Makefile writes from .env.example, a data
directory of its own, plain HTTP. What people see there, and how it stops."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from testbed.clusters import ROOT, wait_for
from testbed.subprocess_env import environ_without_settings

pytestmark = pytest.mark.slow

BUSY_RUN = """
import json
from orchestration.models import PlanVersion
from orchestration.runs import start_run
from projects.models import Project, Team
team, _ = Team.objects.get_or_create(name="Busy")
project = Project.objects.create(team=team, title="Busy", request="A long task.")
task = {"key": "busy", "title": "Busy", "agent": "probe", "instructions": json.dumps({"sleep": 120}), "depends_on": []}
start_run(PlanVersion.objects.create(project=project, number=1, source="edit", tasks=[task]))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, str]:
    """The environment of a `make run`: its .env, a migrated database and the collected static files."""
    home = tmp_path_factory.mktemp("serve")
    shutil.copy(ROOT / "Makefile", home)
    shutil.copy(ROOT / ".env.example", home)
    subprocess.run(["make", "--silent", ".env"], cwd=home, check=True, capture_output=True)
    env = {
        **environ_without_settings(),
        "ENV_FILE": str(home / ".env"),
        "DATA_DIR": str(home / "data"),
        "STATIC_ROOT": str(home / "static"),
        "Q_WORKERS": "2",
        "Q_CLUSTER_NAME": f"serve-test-{os.getpid()}",
        "AGENTS_EXTRA": "agents.probe",  # the busy run's task
    }
    for command in (["migrate", "--noinput"], ["createcachetable"], ["collectstatic", "--noinput"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    # A session of its own, so that every process serve starts, at any depth, can be found by it.
    return subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _get(url: str) -> tuple[int, dict[str, str], str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _answering(base: str) -> bool:
    try:
        return _get(base + "/login/")[0] == 200
    except OSError:
        return False


def _session_processes(session: int) -> list[int]:
    """Processes still alive (zombies aside) in this session."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, ppid, pgrp, session.
        if int(fields[3]) == session and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def _busy_task_status(env: dict[str, str]) -> str | None:
    with sqlite3.connect(Path(env["DATA_DIR"]) / "autodevos.sqlite3", timeout=30) as db:
        row = db.execute("SELECT status FROM orchestration_taskrun ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def _start_busy_run(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", BUSY_RUN], cwd=ROOT, env=env, check=True, capture_output=True
    )


def _kill_session(session: int) -> None:
    for pid in _session_processes(session):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_make_runs_settings_serve_plain_http_with_the_apps_own_pages(site, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    serve = _start(site, port, tmp_path / "serve.log")
    try:
        wait_for(lambda: _answering(base), timeout=90, what="serve to answer", log=(tmp_path / "serve.log").read_text)

        status, headers, _ = _get(base + "/projects/")
        assert status == 302 and headers["Location"].startswith("/login/")
        status, headers, page = _get(base + "/login/")
        assert status == 200
        assert (
            "script-src 'self'" in headers["Content-Security-Policy"]
            and "unsafe-inline" not in headers["Content-Security-Policy"]
        )
        assert "camera=()" in headers["Permissions-Policy"]
        stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        assert _get(base + stylesheet)[0] == 200

        status, _, page = _get(base + "/no-such-page/")
        assert status == 404
        assert "We could not find that page" in page and "URLconf" not in page
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        _kill_session(serve.pid)


def test_sigterm_stops_every_process_of_serve_while_a_task_runs(site, tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    serve = _start(site, port, log)
    try:
        wait_for(lambda: _answering(f"http://127.0.0.1:{port}"), timeout=90, what="serve to answer", log=log.read_text)
        _start_busy_run(site)
        wait_for(
            lambda: _busy_task_status(site) == "running",
            timeout=60,
            what="a worker to take the task",
            log=log.read_text,
        )

        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)

        assert _session_processes(serve.pid) == [], log.read_text()
    finally:
        _kill_session(serve.pid)


def test_a_second_serve_refuses_while_the_first_ones_cluster_is_alive(site, tmp_path):
    first = _start(site, _free_port(), tmp_path / "first.log")
    try:
        wait_for(
            lambda: len(_session_processes(first.pid)) >= 4,
            timeout=90,
            what="the cluster to start",
            log=(tmp_path / "first.log").read_text,
        )

        second = subprocess.run(
            [sys.executable, "manage.py", "serve", "--port", str(_free_port())],
            cwd=ROOT,
            env=site,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0
        assert "is still running" in second.stderr

        # serve itself killed outright: the cluster it started is still at work, so still no second one.
        _start_busy_run(site)
        wait_for(lambda: _busy_task_status(site) == "running", timeout=60, what="a worker to take the task")
        first.kill()
        first.wait()
        assert _session_processes(first.pid)
        second = subprocess.run(
            [sys.executable, "manage.py", "serve", "--port", str(_free_port())],
            cwd=ROOT,
            env=site,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0 and "is still running" in second.stderr
    finally:
        _kill_session(first.pid)

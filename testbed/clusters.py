"""Helpers for the execution tests and benchmarks: plans made of probe tasks, waiting for a run,
and real django-q2 clusters (`manage.py qcluster` plus `manage.py recover --loop` subprocesses)
working on the database this process uses (in tests, the test database) with its broker settings."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connections
from django_q.brokers import get_broker

from orchestration.models import PlanVersion, Run
from orchestration.offline_planner import planned_spec
from orchestration.tasks import run_inline

ROOT = Path(__file__).resolve().parent.parent


def probe_task(key: str, *depends_on: str, timeout_s: int | None = None, **instructions) -> dict:
    """A plan task for the probe agent; `instructions` as agents/probe.py describes them."""
    return {
        "key": key,
        "title": f"Probe {key}",
        "agent": "probe",
        "instructions": json.dumps(instructions),
        "depends_on": list(depends_on),
        "scope": [],
        "timeout_s": timeout_s,
    }


def make_plan(project, tasks: list[dict]) -> PlanVersion:
    number = project.plan_versions.count() + 1
    return PlanVersion.objects.create(project=project, number=number, source=PlanVersion.Source.EDIT, tasks=tasks)


def make_spec_then_probe_plan(project) -> PlanVersion:
    """A plan as the model planner stores it: the architect writes the spec (a model call when the project has a
    provider), then a probe task after it fails once and succeeds on its retry, so one run shows both."""
    return PlanVersion.objects.create(
        project=project,
        number=project.plan_versions.count() + 1,
        source=PlanVersion.Source.LLM,
        spec=planned_spec(project.request).model_dump(mode="json"),
        tasks=[
            {**probe_task("spec"), "title": "Spec", "agent": "architect", "instructions": ""},
            probe_task("after", "spec", fail_times=1),
        ],
    )


def run_inline_in_thread(run: Run) -> threading.Thread:
    """Execute the run in this process on a thread of its own (started), so a test can act meanwhile."""

    def execute() -> None:
        try:
            run_inline(run)
        finally:
            connections.close_all()

    executor = threading.Thread(target=execute)
    executor.start()
    return executor


def wait_for(
    condition: Callable[[], object], *, timeout: float = 30, what: str = "condition", log: Callable[[], str] = str
):
    """Poll until condition() is truthy and return it; fail after `timeout` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{log()}")


def wait_for_run(run: Run, *, timeout: float = 30, log: Callable[[], str] = str) -> Run:
    def finished() -> Run | None:
        run.refresh_from_db()
        return run if run.status != Run.Status.RUNNING else None

    return wait_for(finished, timeout=timeout, what=f"run {run.pk} to finish", log=log)


def current_database_url() -> str:
    """DATABASE_URL naming the database this process uses: in tests, the test database the session created."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{db['NAME']}"))


class Cluster:
    """A django-q2 cluster and the recovery loop in their own process group, stopped on exit.
    `env` overrides settings in those processes, e.g. TASK_LEASE_S="2"."""

    def __init__(self, *, workers: int = 4, recovery_interval: float = 0.5, **env: str) -> None:
        self.workers = workers
        self.recovery_interval = recovery_interval
        self.env = env
        self.processes: list[subprocess.Popen] = []
        self.log_file = tempfile.NamedTemporaryFile(prefix="cluster-", suffix=".log", delete=False)

    def __enter__(self) -> Cluster:
        # Left-overs from earlier tests of this session would only be duplicate deliveries, but keep the queue clean.
        get_broker().purge_queue()
        env = {
            **os.environ,
            "ENV_FILE": os.devnull,
            "DATABASE_URL": current_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "Q_CLUSTER_NAME": settings.Q_CLUSTER["name"],
            "Q_WORKERS": str(self.workers),
            "VERIFY_CHECKS": str(settings.VERIFY_CHECKS).lower(),
            "AGENTS_EXTRA": ",".join(settings.AGENTS_EXTRA),
            **self.env,
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["qcluster"], ["recover", "--loop", "--interval", str(self.recovery_interval)]):
            self.processes.append(
                subprocess.Popen(
                    [*manage, *command],
                    cwd=ROOT,
                    env=env,
                    stdout=self.log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        return self

    def __exit__(self, *exc_info) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)  # whatever is left of its process group
            except ProcessLookupError:
                pass
            process.wait()
        self.log_file.close()
        os.unlink(self.log_file.name)

    def warm_up(self, project) -> None:
        """Return once the workers have run a task each: started, and with the executor's code loaded."""
        from orchestration.runs import start_run

        plan = make_plan(project, [probe_task(f"warm-up-{i}", sleep=0.2) for i in range(self.workers * 2)])
        wait_for_run(start_run(plan), timeout=120, log=self.log)

    def log(self, tail: int | None = 6000) -> str:
        """The cluster's output so far (by default its last 6,000 characters, for failure messages)."""
        text = Path(self.log_file.name).read_text(errors="replace")
        return text[-tail:] if tail else text

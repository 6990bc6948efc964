"""The app finds each feature in a package of its own under app/features/: it serves the feature's
routes, runs its jobs while it serves, and a test can run a job once at the moment it chooses."""

import dataclasses
import datetime as dt
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import features
from app.features import run_job
from app.main import create_app
from tests.conftest import settings

# A feature as a model writes one: a job, and a route answering when the job ran.
PROBE = """
from fastapi import APIRouter

from app.features import Job, JobDeps

router = APIRouter()
ran: list[str] = []


@router.get("/api/features/probe")
def when_it_ran() -> list[str]:
    return ran


def remember(deps: JobDeps) -> None:
    ran.append(deps.now.isoformat())


jobs = [Job("remember", 5, remember)]
"""


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A feature package beside the app's own; its name starts with "_", which no feature's can."""
    (tmp_path / "_probe").mkdir()
    (tmp_path / "_probe" / "__init__.py").write_text(PROBE)
    monkeypatch.setattr(features, "__path__", [*features.__path__, str(tmp_path)])
    yield
    sys.modules.pop("app.features._probe", None)


def test_it_serves_a_features_routes_and_runs_its_job_once_when_asked(probe: None, migrated_database: Path) -> None:
    app = create_app(settings(migrated_database))
    [feature] = [f for f in app.state.features if f.name == "_probe"]
    with TestClient(app) as client:
        assert client.get("/api/features/probe").json() == []
        run_job(feature.jobs[0], app.state.sessions, dt.datetime(2030, 5, 6, 7, 8, 9))
        assert client.get("/api/features/probe").json() == ["2030-05-06T07:08:09"]


def test_the_served_app_runs_each_job_when_it_starts(probe: None, migrated_database: Path) -> None:
    app = create_app(dataclasses.replace(settings(migrated_database), run_jobs=True))
    with TestClient(app) as client:
        deadline = time.monotonic() + 10
        while not client.get("/api/features/probe").json() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(client.get("/api/features/probe").json()) == 1

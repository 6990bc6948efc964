"""Features: behaviour beyond records (a reminder sent the day before a loan is due), each a package
of its own in this folder, `app/features/<name>/`, with its tests in `tests/features/<name>/`. The app
finds them when it is created, so adding a feature edits no other file.

A feature's package may define `router` (an APIRouter, included as it is) and `jobs` (a list of Job):
work the served app does on its own every `every_minutes` minutes, and once when it starts."""

import asyncio
import datetime as dt
import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from types import ModuleType

from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class JobDeps:
    """What a job is given on each run: a database session, committed when the run returns, and the
    moment of the run (a test passes the one it wants)."""

    session: Session
    now: dt.datetime


@dataclass(frozen=True)
class Job:
    name: str
    every_minutes: int
    run: Callable[[JobDeps], None]


@dataclass(frozen=True)
class Feature:
    """A feature found in this folder: its package's name, its routes if any, and its jobs."""

    name: str
    router: APIRouter | None = None
    jobs: list[Job] = field(default_factory=list)


def load_features() -> list[Feature]:
    """The features in this folder's packages, by name; none when there are none."""
    found: list[Feature] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
        if module.ispkg:
            found.append(_feature(module.name, importlib.import_module(f"{__name__}.{module.name}")))
    return found


def _feature(name: str, module: ModuleType) -> Feature:
    router = getattr(module, "router", None)
    jobs = getattr(module, "jobs", [])
    if router is not None and not isinstance(router, APIRouter):
        raise TypeError(f"app.features.{name}.router must be an APIRouter")
    if not all(isinstance(job, Job) for job in jobs):
        raise TypeError(f"app.features.{name}.jobs must be a list of Job")
    return Feature(name, router, list(jobs))


def run_job(job: Job, sessions: sessionmaker[Session], now: dt.datetime | None = None) -> None:
    """Runs `job` once, now (UTC, without a zone, as the database keeps times) or at the moment given."""
    with sessions() as session:
        job.run(JobDeps(session, now or dt.datetime.now(dt.UTC).replace(tzinfo=None)))
        session.commit()


async def _every(job: Job, sessions: sessionmaker[Session]) -> None:
    while True:
        try:
            # In a thread: a job uses the database synchronously and must not hold up requests.
            await asyncio.to_thread(run_job, job, sessions)
        except Exception:  # a failing run is logged, and the job runs again next time
            logging.getLogger(__name__).exception("The job %s failed", job.name)
        await asyncio.sleep(job.every_minutes * 60)


@asynccontextmanager
async def run_jobs(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan: every feature's jobs run while it serves, when its settings say so (the
    served app's do; the tests' do not, and run a job once with run_job)."""
    tasks: list[asyncio.Task[None]] = []
    if app.state.settings.run_jobs:
        tasks = [asyncio.create_task(_every(job, app.state.sessions)) for feature in app.state.features for job in feature.jobs]
    yield
    for task in tasks:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task

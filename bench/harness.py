"""What the execution benchmarks share: a private database per configuration, Django set up on
it, a real cluster of 4 workers, and one line of key=value figures at the end.

Configurations:
- orm: SQLite in a temporary directory and django-q2's ORM broker (the embedded default);
- redis: a dedicated PostgreSQL database (BENCH_POSTGRES_URL, default
  postgres://postgres@127.0.0.1:5432/autodevos_bench, dropped and created afresh) and the
  Redis broker (BENCH_REDIS_URL, default redis://127.0.0.1:6379/0).
`--config both` (the default) measures each in its own process and prefixes the figures with
the configuration's name; redis is skipped with a message when PostgreSQL or Redis is down.
Nothing touches data/autodevos.sqlite3.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/autodevos_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
WORKERS = 4

Figures = dict[str, object]


def main(measure: Callable[[str], Figures], description: str) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", choices=["orm", "redis", "both"], default="both")
    config = parser.parse_args().config
    if config != "both":
        print(_line(_measure_here(config, measure)), flush=True)
        return
    combined: Figures = {}
    for config in ("orm", "redis"):
        if config == "redis" and not _services_up():
            print("redis: skipped, PostgreSQL or Redis is unreachable", flush=True)
            continue
        print(f"--- {config} ---", flush=True)
        child = subprocess.run([sys.executable, sys.argv[0], "--config", config], stdout=subprocess.PIPE, text=True)
        print(child.stdout, end="", flush=True)
        if child.returncode:
            sys.exit(child.returncode)
        last = child.stdout.strip().splitlines()[-1]
        combined |= {f"{config}_{key}": value for key, value in (pair.split("=", 1) for pair in last.split())}
    print(_line(combined))


def _line(figures: Figures) -> str:
    return " ".join(f"{key}={value}" for key, value in figures.items())


def _services_up() -> bool:
    from testbed.services_up import reachable

    return reachable(POSTGRES_URL) and reachable(REDIS_URL)


def _measure_here(config: str, measure: Callable[[str], Figures]) -> Figures:
    data_dir = tempfile.mkdtemp(prefix="autodevos-bench-")
    os.environ.update(
        {
            "ENV_FILE": os.devnull,
            # As production runs: with DEBUG on, Django would also keep the text of every query it runs.
            "DEBUG": "false",
            "ALLOWED_HOSTS": "localhost",
            "SECRET_KEY": "bench-only-not-secret",
            "DATA_DIR": data_dir,
            "LOG_LEVEL": "WARNING",
            "Q_WORKERS": str(WORKERS),
            "Q_CLUSTER_NAME": "autodevos-bench",
            "AGENTS_EXTRA": "agents.probe",  # the benches' tasks
            "DJANGO_SETTINGS_MODULE": "autodevos_site.settings",
        }
    )
    if config == "orm":
        os.environ.update({"DATABASE_URL": f"sqlite:///{data_dir}/bench.sqlite3", "REDIS_URL": ""})
    else:
        _postgres("DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}")
        os.environ.update({"DATABASE_URL": POSTGRES_URL, "REDIS_URL": REDIS_URL})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        return measure(config)
    finally:
        connections.close_all()
        if config == "redis":
            _postgres("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        shutil.rmtree(data_dir, ignore_errors=True)


def _postgres(*statements: str) -> None:
    """Run statements naming the benchmark's database on the server's maintenance database."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(POSTGRES_URL)
    name = sql.Identifier(parts.path.lstrip("/"))
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        for statement in statements:
            conn.execute(sql.SQL(statement).format(name))


# --- Helpers for the measurements (Django is set up when these run) --------------------------


def project():
    from projects.models import Project, Team

    team = Team.objects.create(name=f"Bench {random.random()}")
    return Project.objects.create(team=team, title="Benchmark", request="A benchmark of the executor.")


@contextmanager
def cluster() -> Iterator:
    """A running cluster of WORKERS workers whose processes have loaded the executor's code."""
    from testbed.clusters import Cluster

    with Cluster(workers=WORKERS) as running:
        running.warm_up(project())
        yield running


def layered_dag(size: int, *, rng: random.Random, width: int = WORKERS, **instructions) -> tuple[list[dict], int]:
    """A random DAG of probe tasks in layers of 1..width tasks. Every task depends on one or two
    of the layer before (sometimes also on an earlier one), so its depth is its layer: with equal
    task times, the critical path is the number of layers, and WORKERS workers can keep up with it.
    Returns the tasks and the number of layers."""
    from testbed.clusters import probe_task

    layers: list[list[str]] = []
    count = 0
    while count < size:
        layer_size = min(rng.randint(1, width), size - count)
        layers.append([f"t{count + i:03d}" for i in range(layer_size)])
        count += layer_size
    tasks = []
    for depth, layer in enumerate(layers):
        for key in layer:
            deps = [] if depth == 0 else rng.sample(layers[depth - 1], k=rng.randint(1, min(2, len(layers[depth - 1]))))
            if depth >= 2 and rng.random() < 0.3:
                deps.append(rng.choice(layers[rng.randrange(depth - 1)]))
            tasks.append(probe_task(key, *deps, **instructions))
    return tasks, len(layers)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

"""50 runs of 10 tasks started at once on 4 workers: does every run finish, every task once?

    .venv/bin/python bench/load.py [--config orm|redis|both]

runs_ok: runs that succeeded; lost: tasks whose file was never stored (each task writes one);
duplicated: tasks that ran more than once (none fails here, so a second attempt means a second
delivery got through); db_locked: "database is locked" errors anywhere in the cluster's output.
"""

import json
import random
import time

import harness

RUNS = 50
TASKS = 10
TIMEOUT_S = 600


def _tasks(rng: random.Random) -> list[dict]:
    tasks, _ = harness.layered_dag(TASKS, rng=rng)
    # Each task works a little and writes a file of its own, so that stored files can be counted.
    return [
        task | {"instructions": json.dumps({"sleep": 0.02, "files": {f"{task['key']}.txt": "{attempt}"}})}
        for task in tasks
    ]


def measure(config: str) -> harness.Figures:
    from django.db.models import Count

    from orchestration.models import Artifact, Run, TaskRun
    from orchestration.runs import start_run
    from testbed.clusters import make_plan, wait_for

    rng = random.Random(50)
    # A project has one active run at a time: each run gets a project of its own.
    plans = [make_plan(harness.project(), _tasks(rng)) for _ in range(RUNS)]
    with harness.cluster() as cluster:
        began = time.monotonic()
        runs = [start_run(plan) for plan in plans]
        ids = [run.pk for run in runs]
        wait_for(
            lambda: not Run.objects.filter(pk__in=ids, status=Run.Status.RUNNING).exists(),
            timeout=TIMEOUT_S,
            what="every run to finish",
            log=cluster.log,
        )
        elapsed = time.monotonic() - began
        log = cluster.log(tail=None)
    runs_ok = Run.objects.filter(pk__in=ids, status=Run.Status.SUCCEEDED).count()
    stored = Artifact.objects.filter(run_id__in=ids).count()
    duplicated = TaskRun.objects.filter(run_id__in=ids).annotate(tries=Count("attempts")).filter(tries__gt=1).count()
    total = RUNS * TASKS
    print(
        f"{config}: {total} tasks in {elapsed:.1f} s ({total / elapsed:.0f} tasks/s), {stored} files stored", flush=True
    )
    return {
        "runs_ok": runs_ok,
        "lost": total - stored,
        "duplicated": duplicated,
        "db_locked": log.count("database is locked"),
    }


if __name__ == "__main__":
    harness.main(measure, __doc__)

"""Engine throughput against django-q2 alone, side by side on one cluster (4 workers).

    .venv/bin/python bench/throughput.py [--config orm|redis|both]

The same number of tasks that do nothing go through the same warm cluster twice: first as plain
django-q2 tasks (bench/noop.py, each storing its result row, so that their end can be counted),
then as our no-op probe tasks, RUNS runs of TASKS independent tasks started at once. Each is timed
from the first enqueue to the last task's end; `ratio` is the engine's tasks/s over django-q2's,
so 1 - ratio is what our bookkeeping (claim, attempt row, files, hand-over under the run's lock)
costs. `engine_ms` and `raw_ms` are the wall time per task on the whole cluster.
"""

import time

import harness

RUNS = 25
TASKS = 20
TIMEOUT_S = 600


def raw(cluster, total: int) -> float:
    from django_q.models import Success
    from django_q.tasks import async_task

    from bench.noop import noop
    from orchestration.tasks import queue_broker
    from testbed.clusters import wait_for

    Success.objects.all().delete()
    broker = queue_broker()  # the broker the engine enqueues with: one connection pool, as it keeps
    began = time.monotonic()
    for number in range(total):
        async_task(noop, number, save=True, group="throughput", broker=broker)
    wait_for(
        lambda: Success.objects.filter(group="throughput").count() >= total,
        timeout=TIMEOUT_S,
        what=f"{total} django-q2 tasks",
        log=cluster.log,
    )
    return time.monotonic() - began


def engine(cluster) -> float:
    from orchestration.models import Run
    from orchestration.runs import start_run
    from testbed.clusters import make_plan, probe_task, wait_for

    # A project has one active run at a time: each run gets a project of its own.
    plans = [make_plan(harness.project(), [probe_task(f"t{i:02d}") for i in range(TASKS)]) for _ in range(RUNS)]
    began = time.monotonic()
    ids = [start_run(plan).pk for plan in plans]
    wait_for(
        lambda: not Run.objects.filter(pk__in=ids).active().exists(),
        timeout=TIMEOUT_S,
        what="every run to finish",
        log=cluster.log,
    )
    elapsed = time.monotonic() - began
    assert Run.objects.filter(pk__in=ids, status=Run.Status.SUCCEEDED).count() == RUNS, cluster.log()
    return elapsed


def measure(config: str) -> harness.Figures:
    total = RUNS * TASKS
    with harness.cluster() as cluster:
        raw_s = raw(cluster, total)
        engine_s = engine(cluster)
    ratio = raw_s / engine_s
    print(
        f"{config}: {total} no-op tasks, django-q2 alone {total / raw_s:.0f} tasks/s, "
        f"through the engine {total / engine_s:.0f} tasks/s (ratio {ratio:.2f})",
        flush=True,
    )
    return {
        "raw_tasks_per_s": round(total / raw_s),
        "engine_tasks_per_s": round(total / engine_s),
        "raw_ms": round(raw_s / total * 1000, 1),
        "engine_ms": round(engine_s / total * 1000, 1),
        "ratio": round(ratio, 2),
    }


if __name__ == "__main__":
    harness.main(measure, __doc__)

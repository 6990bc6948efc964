"""Hand-over time: from a task finishing to each of its successors starting (4 workers).

    .venv/bin/python bench/dispatch.py [--config orm|redis|both]

Runs of no-op tasks in 20 stages of 3, each task depending on all 3 of the stage before, so
workers are always free when a successor becomes ready: what is measured is our finishing
transaction, the broker and the claim, not a queue of work.
"""

import harness

STAGES = 20
WIDTH = 3
RUNS = 3


def fan_dag() -> list[dict]:
    from testbed.clusters import probe_task

    tasks = []
    for stage in range(STAGES):
        before = [f"s{stage - 1:02d}_{i}" for i in range(WIDTH)] if stage else []
        tasks += [probe_task(f"s{stage:02d}_{i}", *before) for i in range(WIDTH)]
    return tasks


def hand_over_ms(run) -> list[float]:
    tasks = {task.key: task for task in run.task_runs.all()}
    return [
        (task.started_at - max(tasks[dep].finished_at for dep in task.depends_on)).total_seconds() * 1000
        for task in tasks.values()
        if task.depends_on
    ]


def measure(config: str) -> harness.Figures:
    from orchestration.runs import start_run
    from testbed.clusters import make_plan, wait_for_run

    gaps: list[float] = []
    with harness.cluster() as cluster:
        for _ in range(RUNS):
            run = wait_for_run(start_run(make_plan(harness.project(), fan_dag())), timeout=120, log=cluster.log)
            assert run.status == run.Status.SUCCEEDED, cluster.log()
            gaps += hand_over_ms(run)
    p50, p95 = harness.percentile(gaps, 0.5), harness.percentile(gaps, 0.95)
    print(f"{config}: {len(gaps)} hand-overs, p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(gaps):.1f} ms", flush=True)
    return {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}


if __name__ == "__main__":
    harness.main(measure, __doc__)

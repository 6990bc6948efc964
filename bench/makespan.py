"""Makespan of a 30-task random DAG (0.5 s a task, 4 workers) against its critical path.

    .venv/bin/python bench/makespan.py [--config orm|redis|both]

The ratio makespan ÷ critical path shows what dispatch costs: 1.0 would be a cluster that
starts every task the instant its last dependency ends. Median of 3 runs per configuration.
"""

import random
import statistics

import harness

TASKS = 30
TASK_S = 0.5
REPEATS = 3


def measure(config: str) -> harness.Figures:
    from orchestration.runs import start_run
    from testbed.clusters import make_plan, wait_for_run

    tasks, layers = harness.layered_dag(TASKS, rng=random.Random(30), sleep=TASK_S)
    critical_path = layers * TASK_S
    makespans = []
    with harness.cluster() as cluster:
        for _ in range(REPEATS):
            run = wait_for_run(start_run(make_plan(harness.project(), tasks)), timeout=120, log=cluster.log)
            assert run.status == run.Status.SUCCEEDED, cluster.log()
            makespans.append((run.finished_at - run.started_at).total_seconds())
            print(
                f"{config}: makespan {makespans[-1]:.2f} s, critical path {critical_path:.2f} s ({layers} deep)",
                flush=True,
            )
    makespan = statistics.median(makespans)
    ratio = round(makespan / critical_path, 3)
    return {"makespan_s": round(makespan, 2), "critical_path_s": critical_path, "makespan_ratio": ratio}


if __name__ == "__main__":
    harness.main(measure, __doc__)

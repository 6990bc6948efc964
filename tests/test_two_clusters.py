"""Two machines, as compose.yaml's workers would be: two separate django-q2 clusters (each with its
recovery loop) on one PostgreSQL and one Redis, sharing one run. Both take its tasks; one is killed
with SIGKILL mid-run, as a machine that loses power, and the other finishes the run, taking over
the tasks the dead one was running once their leases expire."""

import os
import signal

import pytest
from django.conf import settings

from orchestration.models import Artifact, Run, TaskAttempt, TaskRun
from orchestration.runs import start_run
from testbed.clusters import Cluster, make_plan, probe_task, wait_for, wait_for_run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.scaleout,
    pytest.mark.slow,
    pytest.mark.skipif(not settings.REDIS_URL, reason="two machines share PostgreSQL and Redis: the scaleout pass"),
]

PARALLEL = 8


def machine_of(worker: str, machines: dict[int, str]) -> str | None:
    """Which cluster a worker ("host:pid") belongs to: its process's session is its cluster's qcluster."""
    try:
        return machines.get(os.getsid(int(worker.rsplit(":", 1)[1])))
    except (ProcessLookupError, ValueError):
        return None


def warm_up_both(project, machines: dict[int, str], log) -> None:
    """Run short probe tasks until each cluster has run one (started, the executor's code loaded), so
    that a slow start of one cannot leave the whole run to the other."""
    warm_ups: list[Run] = []

    def both_warm() -> bool:
        if warm_ups:
            warm_ups[-1].refresh_from_db()
        if not warm_ups or not warm_ups[-1].is_active:
            plan = make_plan(project, [probe_task(f"warm-up-{i}", sleep=0.2) for i in range(4)])
            warm_ups.append(start_run(plan, reuse=False))  # reused tasks would not run at all
        ran = TaskAttempt.objects.filter(succeeded=True).values_list("worker", flat=True)
        return {machine_of(worker, machines) for worker in ran} >= set(machines.values())

    wait_for(both_warm, timeout=180, what="both clusters to run a warm-up task", log=log)
    wait_for_run(warm_ups[-1], timeout=120, log=log)


def test_a_run_shared_by_two_clusters_finishes_when_one_of_them_is_killed(project_a):
    tasks = [probe_task(f"part-{i}", sleep=2, files={f"part-{i}.txt": "attempt {attempt}"}) for i in range(PARALLEL)]
    plan = make_plan(project_a, [*tasks, probe_task("join", *[t["key"] for t in tasks], list_upstream="all.txt")])

    # A short lease, so that the dead machine's tasks are noticed within seconds.
    with Cluster(workers=2, TASK_LEASE_S="3") as first, Cluster(workers=2, TASK_LEASE_S="3") as second:
        machines = {first.processes[0].pid: "first", second.processes[0].pid: "second"}
        log = lambda: first.log() + second.log()  # noqa: E731
        warm_up_both(project_a, machines, log)
        run = start_run(plan)

        def both_working() -> list[str] | None:
            running = run.task_runs.filter(status=TaskRun.Status.RUNNING).values_list("worker", flat=True)
            on = {machine_of(worker, machines) for worker in running}
            return list(running) if {"first", "second"} <= on else None

        running = wait_for(both_working, timeout=120, what="both clusters to run tasks of the run", log=log)
        lost = {w for w in running if machine_of(w, machines) == "first"}
        for process in first.processes:  # the whole machine: its cluster and its recovery loop
            os.killpg(process.pid, signal.SIGKILL)

        run = wait_for_run(run, timeout=240, log=log)
        attempts = TaskAttempt.objects.filter(task_run__run=run)
        # Asked while the surviving cluster's processes still exist: whose worker made each attempt.
        on_second = {w for w in attempts.values_list("worker", flat=True) if machine_of(w, machines) == "second"}

    assert run.status == Run.Status.SUCCEEDED, log()
    assert set(run.task_runs.values_list("status", flat=True)) == {"succeeded"}
    # What the dead machine was running was cut off, tried again by the surviving one, and that try succeeded.
    cut = attempts.filter(worker__in=lost, succeeded=False)
    assert cut.exists(), log()
    for attempt in cut:
        assert "(its lease expired)" in attempt.error
        last = attempts.filter(task_run_id=attempt.task_run_id).order_by("-number").first()
        assert last.succeeded and last.worker in on_second, (last.worker, on_second)
    listed = Artifact.objects.get(run=run, path="all.txt").content.split()
    assert listed == sorted(f"part-{i}.txt" for i in range(PARALLEL))

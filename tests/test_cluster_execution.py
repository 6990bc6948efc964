"""Runs on a real django-q2 cluster (`manage.py qcluster` subprocesses, not sync mode), with the
recovery loop beside it: on SQLite with the ORM broker, and again on PostgreSQL with Redis."""

import os
import signal

import pytest

from orchestration.models import Artifact, Run, TaskRun
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from testbed.clusters import Cluster, make_plan, probe_task, wait_for, wait_for_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.scaleout, pytest.mark.slow]


def test_the_two_middle_tasks_of_a_diamond_run_at_the_same_time(project_a):
    plan = make_plan(
        project_a,
        [
            probe_task("top", files={"top.txt": "top"}),
            probe_task("left", "top", sleep=1.5, files={"left.txt": "left"}),
            probe_task("right", "top", sleep=1.5, files={"right.txt": "right"}),
            probe_task("bottom", "left", "right", list_upstream="bottom.txt"),
        ],
    )

    with Cluster() as cluster:
        cluster.warm_up(project_a)
        run = wait_for_run(start_run(plan), timeout=60, log=cluster.log)

    assert run.status == Run.Status.SUCCEEDED, cluster.log()
    tasks = {task.key: task for task in run.task_runs.all()}
    left, right, bottom = tasks["left"], tasks["right"], tasks["bottom"]
    assert left.started_at < right.finished_at and right.started_at < left.finished_at, (
        "the middle tasks did not overlap"
    )
    assert bottom.started_at >= max(left.finished_at, right.finished_at)
    assert Artifact.objects.get(run=run, path="bottom.txt").content == "left.txt\nright.txt\ntop.txt\n"


def test_killing_a_worker_in_the_middle_of_a_task_still_completes_the_run(project_a):
    plan = make_plan(
        project_a,
        [
            probe_task("first", files={"first.txt": "first"}),
            probe_task("slow", "first", sleep=3, files={"slow.txt": "attempt {attempt}"}),
            probe_task("last", "slow", files={"last.txt": "last"}),
        ],
    )

    # A short lease, so that the killed worker's task is noticed within seconds.
    with Cluster(TASK_LEASE_S="2") as cluster:
        run = start_run(plan)
        slow = wait_for(
            lambda: run.task_runs.filter(key="slow", status=TaskRun.Status.RUNNING).first(),
            timeout=60,
            what="the slow task to start",
            log=cluster.log,
        )
        os.kill(int(slow.worker.rsplit(":", 1)[1]), signal.SIGKILL)
        run = wait_for_run(run, timeout=60, log=cluster.log)

    assert run.status == Run.Status.SUCCEEDED, cluster.log()
    first_try, second_try = run.task_runs.get(key="slow").attempts.order_by("number")
    assert "stopped responding" in first_try.error
    assert second_try.succeeded
    stored = sorted(Artifact.objects.filter(run=run).values_list("path", "content"))
    assert stored == [("first.txt", "first"), ("last.txt", "last"), ("slow.txt", "attempt 2")]


def test_reuse_survives_a_worker_killed_in_the_middle_of_a_run(project_a):
    """Tasks reused before the kill stay reused; the killed task runs again; the next run reuses all of it."""
    first_tasks = [
        probe_task("first", files={"first.txt": "first"}),
        probe_task("second", "first", files={"second.txt": "2"}),
    ]
    earlier = run_inline(start_run(make_plan(project_a, first_tasks)))
    assert earlier.status == Run.Status.SUCCEEDED
    plan = make_plan(
        project_a, [*first_tasks, probe_task("slow", "second", sleep=3, files={"slow.txt": "attempt {attempt}"})]
    )

    with Cluster(TASK_LEASE_S="2") as cluster:
        run = start_run(plan)
        slow = wait_for(
            lambda: run.task_runs.filter(key="slow", status=TaskRun.Status.RUNNING).first(),
            timeout=60,
            what="the slow task to start",
            log=cluster.log,
        )
        os.kill(int(slow.worker.rsplit(":", 1)[1]), signal.SIGKILL)
        run = wait_for_run(run, timeout=60, log=cluster.log)

    assert run.status == Run.Status.SUCCEEDED, cluster.log()
    reused = {
        t.key: t.reused_from.run_id for t in run.task_runs.exclude(reused_from=None).select_related("reused_from")
    }
    assert reused == {"first": earlier.pk, "second": earlier.pk}
    assert run.task_runs.get(key="slow").attempts.count() == 2
    again = run_inline(start_run(plan))
    # The latest run holding the same files is the one they are taken from.
    assert {t.reused_from.run_id for t in again.task_runs.select_related("reused_from")} == {run.pk}
    assert Artifact.objects.get(run=again, path="slow.txt").content == "attempt 2"


def _fork_and_join(project, other: dict):
    """top, then `other` beside a slow task, then the join of the two."""
    return make_plan(
        project, [probe_task("top"), other, probe_task("slow", "top", sleep=8), probe_task("join", "other", "slow")]
    )


def test_on_a_cluster_a_join_waits_while_one_dependency_is_still_running(project_a):
    with Cluster() as cluster:
        cluster.warm_up(project_a)
        run = start_run(_fork_and_join(project_a, probe_task("other", "top")))
        statuses = lambda: dict(run.task_runs.values_list("key", "status"))  # noqa: E731
        # Condition-based: however slow the machine, the check is made while `slow` still runs.
        seen = wait_for(
            lambda: (s := statuses())["other"] == "succeeded" and s["slow"] == "running" and s,
            timeout=60,
            what="`other` to succeed while `slow` runs",
            log=cluster.log,
        )
        assert seen["join"] == "pending", cluster.log()
        run = wait_for_run(run, timeout=120, log=cluster.log)

    assert run.status == Run.Status.SUCCEEDED, cluster.log()
    tasks = {task.key: task for task in run.task_runs.all()}
    assert tasks["join"].started_at >= tasks["slow"].finished_at


def test_on_a_cluster_a_join_is_skipped_when_a_dependency_fails_while_the_other_runs(project_a):
    failing = probe_task("other", "top", fail_times=99, permanent=True)
    with Cluster() as cluster:
        cluster.warm_up(project_a)
        run = start_run(_fork_and_join(project_a, failing))
        seen = wait_for(
            lambda: (s := dict(run.task_runs.values_list("key", "status")))["other"] == "failed" and s,
            timeout=60,
            what="`other` to fail",
            log=cluster.log,
        )
        assert seen["slow"] in ("queued", "running") and seen["join"] == "skipped", (seen, cluster.log())
        run = wait_for_run(run, timeout=120, log=cluster.log)

    assert run.status == Run.Status.FAILED, cluster.log()
    tasks = {task.key: task for task in run.task_runs.all()}
    assert tasks["slow"].status == "succeeded"  # a running task is not stopped by its sibling's failure
    assert tasks["join"].status == "skipped" and tasks["join"].started_at is None

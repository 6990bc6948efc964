"""Starting a run and executing it in this process (run_inline): the DAG's happy path."""

import hashlib

import pytest

from orchestration.models import Artifact, Run, TaskRun
from orchestration.runs import cancel_run, start_run
from orchestration.tasks import run_inline
from testbed.clusters import make_plan, probe_task

pytestmark = [pytest.mark.django_db(transaction=True)]


def _statuses(run: Run) -> dict[str, str]:
    return dict(run.task_runs.values_list("key", "status"))


def test_starting_a_run_creates_one_task_per_plan_task_and_queues_only_the_roots(project_a, alice):
    plan = make_plan(project_a, [probe_task("a"), probe_task("b"), probe_task("c", "a", "b")])

    run = start_run(plan, user=alice)

    assert run.status == Run.Status.RUNNING
    assert run.triggered_by == alice
    assert _statuses(run) == {"a": "queued", "b": "queued", "c": "pending"}
    assert run.task_runs.get(key="c").depends_on == ["a", "b"]


def test_a_task_gets_the_timeout_of_its_plan_task_or_the_default(project_a, settings):
    settings.TASK_TIMEOUT_S = 77
    settings.TASK_MAX_ATTEMPTS = 5
    plan = make_plan(project_a, [probe_task("a", timeout_s=9), probe_task("b")])

    run = start_run(plan)

    assert dict(run.task_runs.values_list("key", "timeout_s")) == {"a": 9, "b": 77}
    assert set(run.task_runs.values_list("max_attempts", flat=True)) == {5}


def test_a_run_takes_the_projects_token_budget_or_the_default(project_a, settings):
    settings.RUN_TOKEN_BUDGET = 1000
    plan = make_plan(project_a, [probe_task("a")])
    first = start_run(plan)
    assert first.token_budget == 1000
    cancel_run(first)  # a project has one active run at a time

    project_a.token_budget = 50
    project_a.save()
    assert start_run(plan).token_budget == 50


def test_a_chain_runs_to_the_end_and_stores_every_tasks_files(project_a):
    plan = make_plan(
        project_a,
        [
            probe_task("spec", files={"spec/spec.json": "{}"}),
            probe_task("api", "spec", files={"backend/app.ts": "app"}),
            probe_task("docs", "api", files={"README.md": "# Hi"}),
        ],
    )

    run = run_inline(start_run(plan))

    assert run.status == Run.Status.SUCCEEDED
    assert run.finished_at is not None
    assert _statuses(run) == {"spec": "succeeded", "api": "succeeded", "docs": "succeeded"}
    stored = dict(Artifact.objects.filter(run=run).values_list("path", "task_run__key"))
    assert stored == {"spec/spec.json": "spec", "backend/app.ts": "api", "README.md": "docs"}


def test_an_artifact_records_its_size_and_checksum(project_a):
    run = run_inline(start_run(make_plan(project_a, [probe_task("a", files={"a.txt": "héllo"})])))

    artifact = Artifact.objects.get(run=run)
    assert artifact.size == len("héllo".encode())
    assert artifact.sha256 == hashlib.sha256("héllo".encode()).hexdigest()


def test_a_task_reads_the_files_of_all_its_dependencies_direct_or_not(project_a):
    plan = make_plan(
        project_a,
        [
            probe_task("a", files={"a.txt": "a"}),
            probe_task("b", "a", files={"b.txt": "b"}),
            probe_task("side", files={"side.txt": "not upstream of c"}),
            probe_task("c", "b", list_upstream="seen.txt"),
        ],
    )

    run = run_inline(start_run(plan))

    assert Artifact.objects.get(run=run, path="seen.txt").content == "a.txt\nb.txt\n"


def test_run_inline_reports_each_finished_task(project_a):
    seen: list[tuple[str, str]] = []
    plan = make_plan(project_a, [probe_task("a"), probe_task("b", "a")])

    run_inline(start_run(plan), on_progress=lambda task: seen.append((task.key, task.status)))

    assert seen == [("a", "succeeded"), ("b", "succeeded")]


def test_a_task_timing_and_attempt_are_recorded(project_a):
    run = run_inline(start_run(make_plan(project_a, [probe_task("a", sleep=0.2)])))

    task = TaskRun.objects.get(run=run)
    attempt = task.attempts.get()
    assert task.attempt == 1
    assert task.started_at < task.finished_at
    assert (attempt.number, attempt.succeeded, attempt.error) == (1, True, "")
    assert attempt.worker == task.worker != ""


def test_a_task_whose_output_breaks_the_safe_output_rules_fails_without_retry_and_stores_nothing(project_a):
    run = run_inline(start_run(make_plan(project_a, [probe_task("a", files={"../outside.txt": "x"})])))

    task = run.task_runs.get()
    assert run.status == Run.Status.FAILED
    assert task.status == TaskRun.Status.FAILED
    assert "climbs out of the project" in task.error
    assert task.attempts.count() == 1
    assert not Artifact.objects.filter(run=run).exists()


def test_two_tasks_writing_the_same_file_fail_the_second_one(project_a):
    plan = make_plan(
        project_a, [probe_task("a", files={"same.txt": "a"}), probe_task("b", "a", files={"same.txt": "b"})]
    )

    run = run_inline(start_run(plan))

    assert _statuses(run) == {"a": "succeeded", "b": "failed"}
    assert "already written by another task" in run.task_runs.get(key="b").error
    assert Artifact.objects.get(run=run, path="same.txt").content == "a"


def test_a_task_naming_an_unknown_agent_fails_with_a_plain_message(project_a):
    task = probe_task("a") | {"agent": "wizard"}

    run = run_inline(start_run(make_plan(project_a, [task])))

    assert "unknown agent 'wizard'" in run.task_runs.get().error

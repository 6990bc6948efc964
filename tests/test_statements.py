"""Every attempt's SQL statements (orchestration/statements.py) read and write what the ORM would:
the task read in one statement has every field of the task, its run, plan version and project as
the ORM reads them (JSON, times with their time zone, decimals, booleans), and an upstream task's
files come back in order of path, only those of the tasks asked for. Run on SQLite and, in the
scale-out pass, on PostgreSQL, where those statements are prepared once per connection."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from orchestration import statements
from orchestration.models import Run, TaskRun
from orchestration.planning import plan_project
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from testbed.clusters import ROOT, make_plan, probe_task
from testbed.subprocess_env import environ_without_settings

pytestmark = [pytest.mark.django_db, pytest.mark.scaleout]


def _fields(instance) -> dict[str, object]:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_task_read_in_one_statement_is_the_task_the_orm_reads(project_a, alice):
    run = run_inline(start_run(plan_project(project_a, user=alice)))
    assert run.status == Run.Status.SUCCEEDED
    Run.objects.filter(pk=run.pk).update(cost_usd="0.1234", tokens_in=7)  # a decimal and a count that are not 0
    for expected in TaskRun.objects.filter(run=run).select_related("run__plan_version__project"):
        got = statements.task(expected.pk)
        version, project = expected.run.plan_version, expected.run.plan_version.project
        assert _fields(got) == _fields(expected)
        assert _fields(got.run) == _fields(expected.run)
        assert _fields(got.run.plan_version) == _fields(version)
        assert _fields(got.run.plan_version.project) == _fields(project)
        assert got.run.plan_version.spec_model() == version.spec_model()
        assert got.started_at.tzinfo is not None


def test_a_task_that_does_not_exist_is_refused_as_the_orm_refuses_it():
    with pytest.raises(TaskRun.DoesNotExist):
        statements.task(987654)


def test_upstream_files_come_in_order_of_path_and_only_from_the_tasks_asked_for(project_a, alice):
    run = run_inline(start_run(plan_project(project_a, user=alice)))
    spec_task = run.task_runs.get(agent="architect")
    stored = dict(spec_task.artifacts.order_by("path").values_list("path", "content"))

    files = statements.files(run.pk, [spec_task.key])

    assert stored and files == stored
    assert list(files) == sorted(files)
    assert statements.files(run.pk, []) == {}
    assert len(statements.files(run.pk, [t.key for t in run.task_runs.all()])) == run.artifacts.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_what_every_attempt_runs_is_prepared_once_per_connection(project_a):
    run = run_inline(start_run(make_plan(project_a, [probe_task(f"t{i}") for i in range(8)])))
    assert run.status == Run.Status.SUCCEEDED
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any(statement.startswith("WITH claimed AS (UPDATE") for statement in prepared), prepared


@pytest.mark.parametrize("setting, prepared", [({}, True), ({"PG_PREPARED_STATEMENTS": "false"}, False)])
def test_prepared_statements_are_on_for_postgresql_unless_turned_off(setting, prepared, tmp_path):
    environment = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test", "SECRET_KEY": "x", "DEBUG": "true"}
    code = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**environ_without_settings(), **environment, **setting, "ENV_FILE": os.devnull, "DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    options = json.loads(shown.stdout.strip().splitlines()[-1])
    assert (options.get("server_side_binding") is True and options.get("prepare_threshold") == 5) is prepared
    assert "synchronous_commit" in options["options"]

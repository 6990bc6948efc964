"""Incremental runs: a task whose inputs are unchanged takes an earlier run's files instead of running."""

from __future__ import annotations

import pytest

from orchestration.models import Run, TaskRun
from orchestration.planning import edit_spec, plan_project
from orchestration.runs import run_inline, start_run

pytestmark = pytest.mark.django_db(transaction=True)


def _done(version, **kwargs) -> Run:
    return run_inline(start_run(version, **kwargs))


def test_a_second_run_of_the_same_version_reuses_every_task(project_a, alice):
    version = plan_project(project_a, user=alice)
    first = _done(version)
    second = _done(version)
    assert first.status == second.status == Run.Status.SUCCEEDED
    tasks = list(second.task_runs.select_related("reused_from"))
    assert {t.reused_from.run_id for t in tasks} == {first.pk}
    assert dict(second.artifacts.values_list("path", "sha256")) == dict(first.artifacts.values_list("path", "sha256"))


def _with_detail(spec, entity_name: str, field_name: str):
    """The spec with one more detail (a short text) on one record."""
    entities = []
    for entity in spec.entities:
        if entity.name == entity_name:
            entity = entity.model_copy(update={"fields": [*entity.fields, entity.fields[0].model_copy(
                update={"name": field_name, "type": "string", "required": False, "unique": False})]})
        entities.append(entity)
    return spec.model_copy(update={"entities": entities})


def test_one_more_detail_on_one_record_reruns_only_what_reads_it(project_a, alice):
    version = plan_project(project_a, user=alice)
    first = _done(version)
    edited = edit_spec(version, _with_detail(version.spec_model(), version.spec_model().entities[0].name, "nickname"),
                       user=alice).version
    second = _done(edited)
    reused = {t.key: t.reused_from.run_id for t in second.task_runs.exclude(reused_from=None).select_related("reused_from")}
    # Containers and CI do not depend on a record's details; the data model, code, tests and docs do.
    assert reused == {"devops": first.pk}
    assert second.status == Run.Status.SUCCEEDED
    assert "nickname" in second.artifacts.get(path="spec/spec.json").content

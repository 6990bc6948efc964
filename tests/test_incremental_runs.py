"""Incremental runs: a task whose inputs are unchanged takes an earlier run's files instead of running."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents.architect import spec_files
from agents.base import AgentContext
from agents.providers import get_provider
from agents.registry import get_agent
from orchestration import reuse
from orchestration.models import LLMCall, Run, TaskRun
from orchestration.planning import edit_spec, plan_project
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from projects.models import Project
from testbed.scripted_model import SNAKE_REQUEST, ScriptedModel
from testbed.stubs import OpenAIStub, use_openai

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
            entity = entity.model_copy(
                update={
                    "fields": [
                        *entity.fields,
                        entity.fields[0].model_copy(
                            update={"name": field_name, "type": "string", "required": False, "unique": False}
                        ),
                    ]
                }
            )
        entities.append(entity)
    return spec.model_copy(update={"entities": entities})


def test_one_more_detail_on_one_record_reruns_only_what_reads_it(project_a, alice):
    version = plan_project(project_a, user=alice)
    first = _done(version)
    edited = edit_spec(
        version, _with_detail(version.spec_model(), version.spec_model().entities[0].name, "nickname"), user=alice
    ).version
    second = _done(edited)
    reused = {
        t.key: t.reused_from.run_id for t in second.task_runs.exclude(reused_from=None).select_related("reused_from")
    }
    # Containers and CI do not depend on a record's details; the data model, code, tests and docs do.
    assert reused == {"devops": first.pk}
    assert second.status == Run.Status.SUCCEEDED
    assert "nickname" in second.artifacts.get(path="spec/spec.json").content


def test_run_everything_again_reuses_nothing(project_a, alice):
    version = plan_project(project_a, user=alice)
    _done(version)
    fresh = _done(version, reuse=False)
    assert not fresh.task_runs.exclude(reused_from=None).exists()
    assert fresh.status == Run.Status.SUCCEEDED


def test_reuse_never_crosses_projects(project_a, alice, team_a):
    version = plan_project(project_a, user=alice)
    _done(version)
    twin = Project.objects.create(team=team_a, created_by=alice, title="Twin", request=project_a.request)
    run = _done(plan_project(twin, user=alice))
    assert run.status == Run.Status.SUCCEEDED
    assert not run.task_runs.exclude(reused_from=None).exists()


def test_the_page_forecasts_the_run_and_offers_to_run_everything_again(client, project_a, alice):
    version = plan_project(project_a, user=alice)
    client.force_login(alice)
    page = client.get(reverse("projects:detail", args=[project_a.pk])).content.decode()
    assert f"No model calls: 0 of {len(version.tasks)} tasks ask a model." in page
    assert 'name="fresh"' not in page  # nothing to reuse yet
    first = _done(version)
    page = client.get(reverse("projects:detail", args=[project_a.pk])).content.decode()
    count = len(version.tasks)
    assert f"{count} reuse the files of run {first.pk}" in page
    assert 'name="fresh"' in page
    client.post(reverse("projects:start_run", args=[project_a.pk]), {"version": version.pk, "fresh": "1"})
    fresh = Run.objects.latest("pk")
    assert fresh.pk != first.pk and not fresh.reuse
    assert fresh.forecast["tasks"] and not any(t["reused_from"] for t in fresh.forecast["tasks"])


# --- With a model: the real openai client against the stub, answered by the scripted model ---------------


def _model_project(alice, team_a) -> Project:
    return Project.objects.create(
        team=team_a, created_by=alice, title="Snake", request=SNAKE_REQUEST, provider="openai"
    )


def _calls(run: Run) -> int:
    return LLMCall.objects.filter(task_run__run=run).count()


def test_with_a_model_a_run_with_no_change_asks_the_model_nothing(alice, team_a, settings):
    project = _model_project(alice, team_a)
    with OpenAIStub(ScriptedModel()) as stub:
        use_openai(settings, stub, TASK_MAX_ATTEMPTS=1, VERIFY_CHECKS=False)
        version = plan_project(project)
        first = _done(version)
        asked = len(stub.requests)
        second = _done(version)
        assert len(stub.requests) == asked  # not one more request reached the model
    assert _calls(first) > 0 and _calls(second) == 0
    assert second.tokens_total == 0 and second.status == Run.Status.SUCCEEDED
    assert {t.reused_from.run_id for t in second.task_runs.select_related("reused_from")} == {first.pk}
    assert second.forecast["tokens"] == 0


def test_with_a_model_the_forecast_is_within_a_fifth_of_what_the_run_spends(alice, team_a, settings):
    project = _model_project(alice, team_a)
    with OpenAIStub(ScriptedModel()) as stub:
        use_openai(settings, stub, TASK_MAX_ATTEMPTS=1, VERIFY_CHECKS=False)
        version = plan_project(project)
        first = _done(version)
        # The first forecast had no history to learn from; this one has the first run's.
        again = _done(version, reuse=False)
    for run in (first, again):
        assert run.forecast["tokens"] > 0 and run.tokens_total > 0
    assert abs(again.forecast["tokens"] - again.tokens_total) <= 0.2 * again.tokens_total, (
        again.forecast["tokens"],
        again.tokens_total,
    )
    assert abs(first.forecast["tokens"] - first.tokens_total) <= 0.5 * first.tokens_total


def test_a_fingerprint_changes_when_an_input_changes_and_only_then(project_a, alice):
    version = plan_project(project_a, user=alice)
    spec = version.spec_model()
    upstream = spec_files(spec)

    def fingerprint(agent: str, **changes) -> str:
        fields = (
            dict(
                request=project_a.request,
                task_key="t",
                title="Build",
                instructions="Do it",
                scope=[],
                upstream=upstream,
                spec=spec,
            )
            | changes
        )
        return reuse.fingerprint(get_agent(agent), AgentContext(**fields))

    for agent in ("backend", "frontend", "docs", "tests", "verify", "architect"):
        same = fingerprint(agent)
        assert same and fingerprint(agent) == same
        assert fingerprint(agent, instructions="Do it differently") != same
        assert fingerprint(agent, title="Build again") != same
        assert fingerprint(agent, scope=["Dog"]) != same
    changed = _with_detail(spec, spec.entities[0].name, "nickname")
    for agent in ("backend", "frontend", "docs", "tests", "verify"):
        assert fingerprint(agent, upstream=spec_files(changed)) != fingerprint(agent)
    assert fingerprint("architect", spec=changed) != fingerprint("architect")
    # Containers and CI are not written from a record's details.
    assert fingerprint("devops", upstream=spec_files(changed)) == fingerprint("devops")


def test_the_provider_and_the_model_are_part_of_a_fingerprint(project_a, alice, settings):
    spec = plan_project(project_a, user=alice).spec_model()
    settings.OPENAI_BASE_URL, settings.OPENAI_MODEL = "http://127.0.0.1:9/v1", "small"  # nothing is sent to it

    def fingerprint(provider) -> str:
        context = AgentContext(
            request=project_a.request,
            task_key="docs",
            title="Docs",
            instructions="",
            scope=[],
            upstream=spec_files(spec),
            spec=spec,
            provider=provider,
        )
        return reuse.fingerprint(get_agent("docs"), context)

    prints = {
        fingerprint(None),
        fingerprint(get_provider("openai")),
        fingerprint(get_provider("openai", model="large")),
    }
    assert len(prints) == 3


def test_the_run_page_says_which_tasks_were_reused_and_from_which_run(client, project_a, alice):
    version = plan_project(project_a, user=alice)
    first = _done(version)
    second = _done(version)
    client.force_login(alice)
    page = client.get(reverse("projects:run", args=[project_a.pk, second.pk])).content.decode()
    assert page.count(f"Reused from run {first.pk}: its inputs are the same as there") == len(version.tasks)
    status = client.get(reverse("projects:status", args=[project_a.pk]), {"run": second.pk}).json()
    assert all(task["note"].startswith(f"Reused from run {first.pk}") for task in status["run"]["tasks"])
    page = client.get(reverse("projects:run", args=[project_a.pk, first.pk])).content.decode()
    assert "Reused from run" not in page


def test_a_streamed_answer_shows_its_files_so_far_on_the_task(project_a, alice):
    from orchestration.tasks import _record_progress
    from projects.plan_display import build_board

    version = plan_project(project_a, user=alice)
    run = start_run(version)
    task = run.task_runs.get(key="spec")
    TaskRun.objects.filter(pk=task.pk).update(status=TaskRun.Status.RUNNING)
    _record_progress(
        task.pk, '{"reasoning": "x", "files": [{"path": "backend/src/app.ts", "content": "a"}, {"path": "backend/src/s'
    )
    (row,) = [row for row in build_board(version, run).rows if row.key == "spec"]
    assert row.note == "Files so far: backend/src/app.ts."


def test_the_admin_says_which_tasks_were_reused(client, project_a, alice, staff):
    version = plan_project(project_a, user=alice)
    first = _done(version)
    second = _done(version)
    client.force_login(staff)
    page = client.get(reverse("admin:orchestration_run_change", args=[second.pk])).content.decode()
    assert page.count(f"reused from run {first.pk}") == len(version.tasks)
    listing = client.get(reverse("admin:orchestration_taskrun_changelist")).content.decode()
    assert f"reused from run {first.pk}" in listing

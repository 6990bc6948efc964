"""Every plan is a new, numbered, immutable version: first a plan, then re-plans and edits."""

import threading

import pytest
from django.db import connection
from django_q.conf import Conf

from orchestration.models import PlanVersion
from orchestration.planning import QUEUE_UNREACHABLE, edit_plan, plan_project, request_plan
from orchestration.plans import PlanInvalid
from projects.models import Project
from testbed.clusters import Cluster, wait_for

# Version numbering and background planning depend on the database and the broker: run them on both.
pytestmark = [pytest.mark.django_db, pytest.mark.scaleout]


@pytest.fixture
def v1(project_a, alice) -> PlanVersion:
    return plan_project(project_a, user=alice, provider_name="offline")


def _tasks_with(version: PlanVersion, **changes) -> list[dict]:
    """The version's tasks with one task's fields changed: {"docs": {"title": "..."}}."""
    return [{**task, **changes.get(task["key"], {})} for task in version.tasks]


def test_the_first_plan_is_version_1_from_the_offline_planner(v1, alice):
    assert (v1.number, v1.source, v1.parent, v1.created_by) == (1, "offline", None, alice)
    assert v1.provider == "offline"
    assert v1.tasks[0]["agent"] == "architect"
    assert "Customer" in v1.reasoning


def test_replanning_with_feedback_makes_version_2_with_version_1_as_parent(v1, project_a, bob):
    v2 = plan_project(project_a, user=bob, provider_name="offline", feedback="Also keep invoices and reminders")
    assert (v2.number, v2.source, v2.parent, v2.created_by) == (2, "replan", v1, bob)
    assert v2.feedback == "Also keep invoices and reminders"
    assert "Invoice" in v2.reasoning


def test_the_project_provider_is_used_when_none_is_named(project_a):
    Project.objects.filter(pk=project_a.pk).update(provider="offline")
    project_a.refresh_from_db()
    assert plan_project(project_a).provider == "offline"


def test_an_edit_is_a_new_validated_version_with_the_edited_one_as_parent(v1, project_a, alice):
    plan_project(project_a, provider_name="offline", feedback="more")
    edited = edit_plan(v1, _tasks_with(v1, docs={"title": "Write a friendly README"}), user=alice).version
    assert (edited.number, edited.source, edited.parent, edited.created_by) == (3, "edit", v1, alice)
    assert next(t for t in edited.tasks if t["key"] == "docs")["title"] == "Write a friendly README"
    assert edited.reasoning.startswith("alice edited version 1 by hand.")


def test_an_invalid_edit_is_refused_and_nothing_is_saved(v1, alice):
    tasks = _tasks_with(v1, spec={"depends_on": ["tests"]})
    with pytest.raises(PlanInvalid) as caught:
        edit_plan(v1, tasks, user=alice)
    assert "go round in a circle" in caught.value.errors[0]
    assert PlanVersion.objects.count() == 1


def test_an_edit_that_changes_nothing_is_refused(v1, alice):
    with pytest.raises(PlanInvalid, match="nothing changed"):
        edit_plan(v1, v1.tasks, user=alice)


def test_an_edit_that_fixes_a_self_dependency_says_so(v1, alice):
    edited = edit_plan(v1, _tasks_with(v1, docs={"depends_on": ["spec", "docs"], "timeout_s": 60}), user=alice).version
    docs = next(t["title"] for t in v1.tasks if t["key"] == "docs")
    assert f"“{docs}” waited for itself; removed that" in edited.reasoning


def test_an_unknown_provider_is_refused_in_plain_words(project_a):
    with pytest.raises(Exception, match="no LLM provider called 'psychic'"):
        plan_project(project_a, provider_name="psychic")


def test_request_plan_shows_planning_until_a_worker_picks_it_up(project_a, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_plan(project_a, user=alice, provider_name="offline")
    project_a.refresh_from_db()
    assert project_a.planning_status == "planning"
    assert len(callbacks) == 1
    assert not project_a.plan_versions.exists()


def test_a_second_request_while_planning_queues_nothing(project_a, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert request_plan(project_a, user=alice, provider_name="offline") is True
        assert request_plan(project_a, user=alice, provider_name="offline", feedback="twice") is False
    assert len(callbacks) == 1


def test_request_plan_makes_a_version_and_sets_the_project_back_to_idle(
    project_a, alice, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Conf, "SYNC", True)
    with django_capture_on_commit_callbacks(execute=True):
        request_plan(project_a, user=alice, provider_name="offline")
    project_a.refresh_from_db()
    assert (project_a.planning_status, project_a.planning_error) == ("idle", "")
    assert project_a.plan_versions.get().created_by == alice


def test_request_plan_records_a_failure_in_plain_words(project_a, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(Conf, "SYNC", True)
    with django_capture_on_commit_callbacks(execute=True):
        request_plan(project_a, provider_name="gemini")
    project_a.refresh_from_db()
    assert project_a.planning_status == "failed"
    assert project_a.planning_error.startswith("The Gemini provider is not configured: set GEMINI_API_KEY")


def test_request_plan_fails_clearly_when_the_queue_is_unreachable(
    project_a, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("orchestration.planning.async_task", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        request_plan(project_a, provider_name="offline")
    project_a.refresh_from_db()
    assert (project_a.planning_status, project_a.planning_error) == ("failed", QUEUE_UNREACHABLE)


@pytest.mark.django_db(transaction=True)
def test_two_planners_at_once_get_different_numbers(project_a):
    errors: list[BaseException] = []

    def plan() -> None:
        try:
            plan_project(Project.objects.get(pk=project_a.pk), provider_name="offline")
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=plan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(project_a.plan_versions.values_list("number", flat=True)) == [1, 2, 3, 4]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_cluster_plans_a_requested_project(project_a, alice):
    with Cluster(workers=1) as cluster:
        request_plan(project_a, user=alice, provider_name="offline")

        def planned() -> bool:
            project_a.refresh_from_db()
            return project_a.planning_status != "planning"

        wait_for(planned, timeout=60, what="the cluster to plan the project", log=cluster.log)
    assert (project_a.planning_status, project_a.planning_error) == ("idle", "")
    assert project_a.plan_versions.get().created_by == alice


def test_the_projects_stack_choices_shape_the_offline_plan(project_a):
    Project.objects.filter(pk=project_a.pk).update(options={"frontend": False})
    project_a.refresh_from_db()
    version = plan_project(project_a, provider_name="offline")
    assert "frontend" not in [t["agent"] for t in version.tasks]


def test_an_offline_replan_keeps_what_earlier_feedback_added(v1, project_a):
    plan_project(project_a, provider_name="offline", feedback="Also keep invoices")
    v3 = plan_project(project_a, provider_name="offline", feedback="And vaccinations")
    assert "Invoice" in v3.reasoning and "Vaccination" in v3.reasoning
    assert v3.feedback == "And vaccinations"

"""Comparing plan versions on the site and in the admin: what changes in the app comes first, in plain
words; then the tasks by title with their changed words marked; the JSON stays available, folded; and
the plan history says in one line what each version changed."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents.criteria import carry_criteria
from agents.generators.naming import normalise_spec
from agents.spec import Spec
from orchestration.models import PlanVersion
from testbed.rich_specs import TOOL_SHED, rich_spec

from .ui_helpers import make_version, plan_tasks

pytestmark = pytest.mark.django_db

REPAIR = {
    "name": "Repair",
    "plural": "repairs",
    "label": "Repair",
    "fields": [{"name": "doneOn", "type": "date"}, {"name": "cost", "type": "money"}],
    "relations": [{"name": "tool", "target": "Tool"}],
}


def _with_spec(version: PlanVersion, spec: dict) -> PlanVersion:
    PlanVersion.objects.filter(pk=version.pk).update(spec=spec)
    version.refresh_from_db()
    return version


def _two_versions(project) -> tuple[PlanVersion, PlanVersion]:
    """Version 2 adds a Repair record, rewrites the back end's instructions, drops the devops task and
    makes the tests wait for the back end."""
    first = _with_spec(make_version(project, tasks=plan_tasks(6)), rich_spec("tool-shed").model_dump())
    tasks = copy.deepcopy(first.tasks)
    tasks[1]["instructions"] = "Do step 1 with PostgreSQL."
    tasks[3]["depends_on"] = ["architect", "backend-1"]
    spec = copy.deepcopy(TOOL_SHED)
    spec["entities"].append(REPAIR)
    second = make_version(project, tasks=tasks[:-1], source="edit")
    spec = normalise_spec(Spec.model_validate(spec))
    spec = spec.model_copy(update={"criteria": carry_criteria(spec, rich_spec("tool-shed"))})
    return first, _with_spec(second, spec.model_dump())


def _compare_page(client, project, old, new) -> str:
    response = client.get(reverse("projects:compare", args=[project.pk]), {"a": old.pk, "b": new.pk})
    assert response.status_code == 200
    return response.content.decode()


def test_the_compare_page_says_what_changes_in_the_app_before_the_tasks(client, alice, project_a):
    first, second = _two_versions(project_a)
    client.force_login(alice)
    page = _compare_page(client, project_a, first, second)
    assert "Added record Repair (done on, cost), linked to Tool" in page
    assert (
        page.index("What changes in the app")
        < page.index("Added record Repair")
        < page.index("What changes in the plan")
    )


def test_the_compare_page_names_tasks_by_title_and_marks_only_the_changed_words(client, alice, project_a):
    first, second = _two_versions(project_a)
    client.force_login(alice)
    page = _compare_page(client, project_a, first, second)
    assert "1 task removed, 2 changed." in page
    assert "Write the backend part 1" in page
    assert 'title="The task\'s key in the plan">backend-1</span>' in page
    assert "Do step <del>1.</del>" in page and "Do step <ins>1 with PostgreSQL.</ins>" in page
    assert "“Write the tests part 3” now waits for “Write the backend part 1”" in page
    assert 'Write the devops part 5 <span class="plan-diff-status">removed</span>' in page


def test_the_compare_page_leaves_out_fields_that_are_not_set_and_folds_unchanged_tasks(client, alice, project_a):
    first, second = _two_versions(project_a)
    client.force_login(alice)
    page = _compare_page(client, project_a, first, second)
    assert "Time limit" not in page and "Works on" not in page and "default" not in page
    assert "<summary>3 tasks unchanged</summary>" in page


def test_the_plans_as_json_are_folded_and_reachable_by_keyboard(client, alice, project_a):
    first, second = _two_versions(project_a)
    client.force_login(alice)
    page = _compare_page(client, project_a, first, second)
    assert "<summary>Technical detail: the plans as JSON</summary>" in page
    assert (
        '<pre class="plan-diff-unified" tabindex="0" role="region" aria-label="The tasks of version 1 and version 2 as JSON'
        in page
    )


def test_a_version_without_a_stored_spec_says_so_on_the_compare_page(client, alice, project_a):
    first = make_version(project_a)
    second = _with_spec(make_version(project_a, tasks=first.tasks[:-1]), rich_spec("bakery").model_dump())
    client.force_login(alice)
    page = _compare_page(client, project_a, first, second)
    assert "Version 1 does not record what the app keeps" in page


def test_the_admin_compare_page_says_the_same_changes(client, staff, project_a):
    _two_versions(project_a)
    client.force_login(staff)
    url = reverse("admin:orchestration_planversion_compare", args=[project_a.pk])
    page = client.get(url, {"a": 1, "b": 2}).content.decode()
    assert "Added record Repair (done on, cost), linked to Tool" in page
    assert "Do step <ins>1 with PostgreSQL.</ins>" in page
    assert "<summary>Technical detail: the plans as JSON</summary>" in page


def test_the_plan_history_says_in_one_line_what_each_version_changed(client, alice, project_a):
    _two_versions(project_a)
    client.force_login(alice)
    page = client.get(reverse("projects:versions", args=[project_a.pk])).content.decode()
    assert (
        "1 change to the app: added record Repair (done on, cost), linked to Tool. 4 changes to what it must do. "
        "1 task removed, 2 changed."
    ) in page


def test_the_plan_history_costs_the_same_queries_for_two_versions_as_for_five(client, alice, project_a, team_a):
    from projects.models import Project

    other = Project.objects.create(team=team_a, created_by=alice, title="Longer history", request="A tool shed.")
    for project, count in ((project_a, 2), (other, 5)):
        for i in range(count):
            version = make_version(project, tasks=plan_tasks(3 + i))
            _with_spec(version, rich_spec("tool-shed").model_dump())
    client.force_login(alice)
    client.get(reverse("projects:list"))  # the session and user are loaded the same way for both below

    def queries(project) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("projects:versions", args=[project.pk])).status_code == 200
        return len(captured)

    assert queries(project_a) == queries(other)

"""PlanVersion.diff says what changed between two versions: tasks, fields, edges, and as text."""

import pytest

from orchestration.models import PlanVersion

pytestmark = pytest.mark.django_db


def _t(key: str, agent: str = "backend", depends_on: list[str] | None = None, **extra) -> dict:
    return {"key": key, "title": f"Do {key}", "agent": agent, "instructions": "", "depends_on": depends_on or [],
            "scope": [], "timeout_s": None, **extra}


BASE = [_t("spec", "architect"), _t("api", depends_on=["spec"]), _t("docs", "docs", depends_on=["spec"])]


@pytest.fixture
def make_version(project_a):
    def make(tasks: list[dict]) -> PlanVersion:
        number = project_a.plan_versions.count() + 1
        return PlanVersion.objects.create(project=project_a, number=number, source="edit", tasks=tasks)

    return make


def test_identical_plans_have_no_changes(make_version):
    diff = make_version(BASE).diff(make_version([dict(t) for t in BASE]))
    assert not diff.has_changes
    assert (diff.added, diff.removed, diff.changed, diff.edges_added, diff.edges_removed) == ([], [], [], [], [])
    assert diff.unified == ""


def test_an_added_task_and_its_edges_are_listed(make_version):
    diff = make_version(BASE).diff(make_version(BASE + [_t("ui", "frontend", depends_on=["spec", "api"])]))
    assert [t["key"] for t in diff.added] == ["ui"]
    assert diff.edges_added == [("api", "ui"), ("spec", "ui")]
    assert diff.removed == [] and diff.changed == []


def test_a_removed_task_and_its_edges_are_listed(make_version):
    diff = make_version(BASE).diff(make_version(BASE[:2]))
    assert [t["key"] for t in diff.removed] == ["docs"]
    assert diff.edges_removed == [("spec", "docs")]


def test_a_changed_task_lists_each_field_with_old_and_new_values(make_version):
    changed = [BASE[0], {**BASE[1], "title": "Build the API", "timeout_s": 120}, BASE[2]]
    diff = make_version(BASE).diff(make_version(changed))
    [change] = diff.changed
    assert change.key == "api"
    assert [(f.name, f.old, f.new) for f in change.fields] == [("title", "Do api", "Build the API"), ("timeout_s", None, 120)]


def test_a_changed_dependency_shows_as_a_field_change_and_as_edges(make_version):
    changed = [BASE[0], BASE[1], {**BASE[2], "depends_on": ["api"]}]
    diff = make_version(BASE).diff(make_version(changed))
    assert diff.changed[0].names == ["depends_on"]
    assert diff.edges_added == [("api", "docs")]
    assert diff.edges_removed == [("spec", "docs")]


def test_dependency_order_and_missing_optional_fields_are_not_changes(make_version):
    old = [{"key": "spec", "title": "Do spec", "agent": "architect"}, _t("api", depends_on=["spec", "docs"]), _t("docs", "docs")]
    new = [_t("spec", "architect"), _t("api", depends_on=["docs", "spec"]), _t("docs", "docs")]
    assert not make_version(old).diff(make_version(new)).has_changes


def test_the_unified_diff_shows_the_changed_lines_of_the_normalised_json(make_version):
    changed = [BASE[0], {**BASE[1], "agent": "frontend"}, BASE[2]]
    diff = make_version(BASE).diff(make_version(changed))
    assert diff.unified.startswith("--- v1\n+++ v2\n")
    assert '-    "agent": "backend",' in diff.unified.splitlines()
    assert '+    "agent": "frontend",' in diff.unified.splitlines()
    assert ("remove", '-    "agent": "backend",') in diff.unified_lines


def test_rows_line_the_two_versions_up_side_by_side(make_version):
    new = [BASE[0], {**BASE[1], "title": "New"}, _t("ui", "frontend")]
    rows = make_version(BASE).diff(make_version(new)).rows
    assert [(r.key, r.status) for r in rows] == [("spec", "unchanged"), ("api", "changed"), ("docs", "removed"), ("ui", "added")]
    assert rows[1].changed == {"title"}
    assert rows[2].new is None and rows[3].old is None


def test_diff_works_in_both_directions(make_version):
    v1, v2 = make_version(BASE), make_version(BASE[:2])
    assert [t["key"] for t in v2.diff(v1).added] == ["docs"]
    assert v2.diff(v1).unified.startswith("--- v2\n+++ v1\n")

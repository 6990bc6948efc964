"""PlanVersion.diff says what changed between two versions: the app in plain words, tasks by title with
their changed words marked, edges, and the plans as JSON."""

import pytest

from orchestration.models import PlanVersion
from orchestration.plan_diff import word_diff
from testbed.rich_specs import rich_spec

pytestmark = pytest.mark.django_db


def _t(key: str, agent: str = "backend", depends_on: list[str] | None = None, **extra) -> dict:
    return {
        "key": key,
        "title": f"Do {key}",
        "agent": agent,
        "instructions": "",
        "depends_on": depends_on or [],
        "scope": [],
        "timeout_s": None,
        **extra,
    }


BASE = [_t("spec", "architect"), _t("api", depends_on=["spec"]), _t("docs", "docs", depends_on=["spec"])]


@pytest.fixture
def make_version(project_a):
    def make(tasks: list[dict], spec: dict | None = None) -> PlanVersion:
        number = project_a.plan_versions.count() + 1
        return PlanVersion.objects.create(project=project_a, number=number, source="edit", tasks=tasks, spec=spec)

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
    assert [(f.name, f.old, f.new) for f in change.fields] == [
        ("title", "Do api", "Build the API"),
        ("timeout_s", None, 120),
    ]


def test_a_changed_dependency_shows_as_a_field_change_and_as_edges(make_version):
    changed = [BASE[0], BASE[1], {**BASE[2], "depends_on": ["api"]}]
    diff = make_version(BASE).diff(make_version(changed))
    assert diff.changed[0].names == ["depends_on"]
    assert diff.edges_added == [("api", "docs")]
    assert diff.edges_removed == [("spec", "docs")]


def test_dependency_order_and_missing_optional_fields_are_not_changes(make_version):
    old = [
        {"key": "spec", "title": "Do spec", "agent": "architect"},
        _t("api", depends_on=["spec", "docs"]),
        _t("docs", "docs"),
    ]
    new = [_t("spec", "architect"), _t("api", depends_on=["docs", "spec"]), _t("docs", "docs")]
    assert not make_version(old).diff(make_version(new)).has_changes


def test_the_unified_diff_shows_the_changed_lines_of_the_normalised_json(make_version):
    changed = [BASE[0], {**BASE[1], "agent": "frontend"}, BASE[2]]
    diff = make_version(BASE).diff(make_version(changed))
    assert diff.unified.startswith("--- version 1\n+++ version 2\n")
    assert '-    "agent": "backend",' in diff.unified.splitlines()
    assert '+    "agent": "frontend",' in diff.unified.splitlines()
    assert ("remove", '-    "agent": "backend",') in diff.unified_lines


def test_rows_name_tasks_by_title_and_fold_the_unchanged_ones(make_version):
    new = [BASE[0], {**BASE[1], "title": "New"}, _t("ui", "frontend")]
    diff = make_version(BASE).diff(make_version(new))
    assert [(r.title, r.key, r.status) for r in diff.rows] == [
        ("New", "api", "changed"),
        ("Do docs", "docs", "removed"),
        ("Do ui", "ui", "added"),
    ]
    assert diff.unchanged == ["Do spec"]


def test_an_added_task_shows_only_the_fields_that_are_set(make_version):
    diff = make_version(BASE).diff(
        make_version(BASE + [_t("ui", "frontend", depends_on=["api"], instructions="Build pages.")])
    )
    [row] = diff.rows
    assert [(f.label, f.new) for f in row.fields] == [
        ("Who does it", [("same", "frontend")]),
        ("Instructions", [("same", "Build pages.")]),
        ("Waits for", [("same", "“Do api”")]),
    ]


def test_a_set_time_limit_and_scope_are_shown_in_words(make_version):
    changed = [BASE[0], {**BASE[1], "timeout_s": 120, "scope": ["core"]}, BASE[2]]
    [row] = make_version(BASE).diff(make_version(changed)).rows
    assert [(f.label, f.old, f.new) for f in row.fields] == [
        ("Works on", [("del", "the whole project")], [("ins", "core")]),
        ("Time limit", [("del", "the usual time limit")], [("ins", "120 seconds")]),
    ]


def test_changed_instructions_mark_only_the_changed_words():
    old, new = word_diff("Build the tool API with Express.", "Build the loan API with Express and tests.")
    assert old == [("same", "Build the "), ("del", "tool "), ("same", "API with "), ("del", "Express.")]
    assert new == [("same", "Build the "), ("ins", "loan "), ("same", "API with "), ("ins", "Express and tests.")]


def test_changed_instructions_are_a_change_of_their_task_with_the_changed_words_marked(make_version):
    old = [BASE[0], {**BASE[1], "instructions": "Build the tool API with Express."}, BASE[2]]
    new = [BASE[0], {**BASE[1], "instructions": "Build the loan API with Express."}, BASE[2]]
    diff = make_version(old).diff(make_version(new))

    [change] = diff.changed
    assert (change.key, change.names) == ("api", ["instructions"])
    [row] = diff.rows
    assert (row.title, row.status) == ("Do api", "changed")
    [field] = row.fields
    assert field.label == "Instructions"
    assert field.old == [("same", "Build the "), ("del", "tool "), ("same", "API with Express.")]
    assert field.new == [("same", "Build the "), ("ins", "loan "), ("same", "API with Express.")]
    assert '-    "instructions": "Build the tool API with Express.",' in diff.unified
    assert '+    "instructions": "Build the loan API with Express.",' in diff.unified
    assert diff.unchanged == ["Do spec", "Do docs"] and not diff.edges_added and not diff.edges_removed


def test_a_changed_dependency_is_said_with_task_titles(make_version):
    changed = [BASE[0], BASE[1], {**BASE[2], "depends_on": ["api"]}]
    [row] = make_version(BASE).diff(make_version(changed)).rows
    assert row.fields == []
    assert row.waits == ["“Do docs” now waits for “Do api”", "“Do docs” no longer waits for “Do spec”"]


def test_the_counts_name_only_what_happened(make_version):
    diff = make_version(BASE).diff(make_version(BASE[:2] + [_t("ui", "frontend")]))
    assert diff.task_counts == "1 task added, 1 removed"
    assert diff.headline == "1 task added, 1 removed."


def test_the_headline_names_the_first_app_changes_and_counts_the_rest(make_version):
    old_spec = rich_spec("tool-shed").model_dump()
    new_spec = {**old_spec, "auth": False, "frontend": False, "summaries": [], "not_built": ["email reminders"]}
    diff = make_version(BASE, old_spec).diff(make_version(BASE, new_spec))
    assert diff.headline == (
        "6 changes to the app: log-ins switched off; the website switched off; "
        "removed summary Tools currently out; and 3 more."
    )


def test_a_version_without_a_stored_spec_says_so(make_version):
    diff = make_version(BASE).diff(make_version(BASE, rich_spec("bakery").model_dump()))
    assert [c.text for c in diff.app_changes] == ["version 1 does not record what the app keeps"]


def test_a_first_version_has_no_changes_and_a_later_one_has_those_from_its_parent(make_version):
    first = make_version(BASE)
    second = make_version(BASE[:2])
    PlanVersion.objects.filter(pk=second.pk).update(parent=first)
    second.refresh_from_db()
    assert first.changes() is None
    assert second.changes().headline == "1 task removed."


def test_diff_works_in_both_directions(make_version):
    v1, v2 = make_version(BASE), make_version(BASE[:2])
    assert [t["key"] for t in v2.diff(v1).added] == ["docs"]
    assert v2.diff(v1).unified.startswith("--- version 2\n+++ version 1\n")

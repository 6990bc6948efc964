"""Acceptance criteria: derived from the spec in plain words with stable ids, checked, carried from
version to version with the team's own words kept, found as tags in test files, and proven (or not)
by the test runners' reports."""

from __future__ import annotations

import json

import pytest

from agents.criteria import (
    CRITERIA_PATH,
    about_problem,
    carry_criteria,
    covered,
    criteria_json,
    criteria_problems,
    derive_criteria,
    next_own_id,
    tagged_tests,
)
from agents.spec import MAX_CRITERIA, Criterion, CriterionAbout, Spec
from agents.test_reports import prove_criteria, read_report
from orchestration.offline_planner import planned_spec
from testbed.rich_specs import rich_spec

TOOL_SHED = "A lending library for a neighbourhood tool shed: members borrow tools, we track who has what and when it is due back."


def _ids(spec: Spec) -> list[str]:
    return [c.id for c in spec.criteria]


def _without(spec: Spec, *ids: str) -> Spec:
    return spec.model_copy(update={"criteria": [c for c in spec.criteria if c.id not in ids]})


def test_every_record_link_choice_rule_summary_and_lookup_gives_a_criterion_in_plain_words():
    spec = rich_spec("tool-shed")
    said = {c.id: c.text for c in derive_criteria(spec)}
    assert said["records-tool"].startswith("A person who is logged in can add a tool with its name, condition")
    assert said["choice-tool-condition"] == (
        "A tool's condition is one of good, worn or broken; a new tool starts as good; anything else is refused."
    )
    assert said["unique-member-email"] == "No two members have the same email."
    assert said["link-loan-tool"] == "Each Loan is for one Tool; a tool that does not exist is refused."
    assert said["due-loan"].startswith("Loans whose due on has passed and that have no returned on yet show as overdue")
    assert said["find-tool"] == "Tools can be searched by the words in them and narrowed down by condition."
    assert said["login"] == "Only people who are logged in can add, change or remove members, tools and loans."
    assert said["summary-tools-out"] == "“Tools currently out” shows how many loans, only those not yet done."


def test_private_records_give_a_privacy_criterion_and_leave_the_login_one_to_shared_records():
    said = {c.id: c.text for c in derive_criteria(rich_spec("running-club"))}
    assert said["private-run"] == "Each person sees and changes only their own runs: nobody else can see them."
    assert "runs" not in said["login"]


def test_an_app_without_log_ins_says_anyone_and_has_no_login_criterion():
    spec = rich_spec("bakery").model_copy(update={"auth": False})
    criteria = derive_criteria(spec)
    assert "login" not in [c.id for c in criteria]
    assert criteria[0].text.startswith("Anyone can add")


def test_derived_criteria_name_only_what_the_spec_has_and_stay_within_the_bound():
    for name in ("tool-shed", "bakery", "running-club"):
        spec = rich_spec(name)
        assert criteria_problems(spec.criteria, spec) == []
        assert all(covered(c, spec) for c in spec.criteria)
    wide = Spec.model_validate(
        {
            "app_name": "wide",
            "title": "Wide",
            "summary": "",
            "entities": [
                {
                    "name": f"Thing{i}",
                    "plural": f"things{i}",
                    "label": f"Thing {i}",
                    "fields": [
                        {"name": "name"},
                        {"name": "kind", "type": "choice", "options": ["a", "b"]},
                        {"name": "code", "unique": True},
                    ],
                }
                for i in range(20)
            ],
        }
    )
    criteria = derive_criteria(wide)
    assert len(criteria) == MAX_CRITERIA
    assert {f"records-thing{i}" for i in range(20)} <= {c.id for c in criteria}, "records are kept before finer points"


@pytest.mark.parametrize(
    ("about", "problem"),
    [
        (CriterionAbout(kind="records", entity="Cat"), "there is no record called Cat"),
        (CriterionAbout(kind="choice", entity="Tool", name="name"), "Tool has no choice called name"),
        (CriterionAbout(kind="private", entity="Tool"), "Tools are not private to their creator"),
        (CriterionAbout(kind="due", entity="Tool"), "Tools have no due date"),
        (CriterionAbout(kind="summary", entity="Loan", name="nothing"), "there is no summary called nothing of Loan"),
    ],
)
def test_a_criterion_about_something_the_spec_lacks_is_refused_in_words(about, problem):
    spec = rich_spec("tool-shed")
    assert about_problem(about, spec) == problem
    criteria = [Criterion(id="x", text="Something", about=about)]
    assert criteria_problems(criteria, spec) == [f"criterion x: {problem}"]


def test_no_criteria_repeated_ids_and_free_text_are_refused_from_a_model():
    spec = rich_spec("tool-shed")
    free = Criterion(id="reminders", text="Members get a reminder by email", about=None)
    assert criteria_problems([], spec) == ["write at least one acceptance criterion"]
    assert "criterion ids repeat: reminders" in criteria_problems([free, free], spec)
    assert criteria_problems([free], spec) == [
        "criterion reminders says nothing about what in the spec proves it (about)"
    ]


def test_a_spec_refuses_two_criteria_with_one_id():
    spec = rich_spec("tool-shed")
    with pytest.raises(ValueError, match="duplicate criterion ids"):
        Spec.model_validate(spec.model_dump() | {"criteria": [spec.criteria[0].model_dump()] * 2})


def test_ids_stay_the_same_when_the_request_is_planned_again():
    assert _ids(planned_spec(TOOL_SHED)) == _ids(planned_spec(TOOL_SHED, previous=planned_spec(TOOL_SHED)))


def test_a_reworded_criterion_keeps_its_words_and_a_removed_one_stays_removed_through_a_replan():
    old = planned_spec(TOOL_SHED)
    reworded = [
        c.model_copy(update={"text": "Members can borrow a tool", "by": "person"}) if c.id == "records-loan" else c
        for c in old.criteria
        if c.id != "find-tool"
    ]
    old = old.model_copy(update={"criteria": reworded})
    new = planned_spec(TOOL_SHED, feedback="Each tool has a condition (good, worn, broken).", previous=old)
    said = {c.id: c for c in new.criteria}
    assert said["records-loan"].text == "Members can borrow a tool" and said["records-loan"].by == "person"
    assert "find-tool" not in said, "what the team removed stays removed"
    assert "choice-tool-condition" in said, "what the feedback added brings its criteria"


def test_a_persons_criterion_whose_behaviour_left_the_spec_stays_as_free_text():
    old = rich_spec("tool-shed")
    own = Criterion(
        id="own-1",
        text="Loans show who has the tool",
        about=CriterionAbout(kind="link", entity="Loan", name="member"),
        by="person",
    )
    old = old.model_copy(update={"criteria": [*old.criteria, own]})
    data = old.model_dump()
    loan = next(e for e in data["entities"] if e["name"] == "Loan")
    loan["relations"] = [r for r in loan["relations"] if r["name"] != "member"]
    data["summaries"] = [s for s in data["summaries"] if s.get("group_by") != "member"]
    new = Spec.model_validate(data | {"criteria": []})
    carried = {c.id: c for c in carry_criteria(new, old)}
    assert carried["own-1"].text == "Loans show who has the tool" and carried["own-1"].about is None
    assert "link-loan-member" not in carried


def test_a_persons_new_criterion_gets_the_next_free_own_id():
    criteria = [Criterion(id="own-1", text="a"), Criterion(id="own-3", text="b")]
    assert next_own_id(criteria) == "own-2"


def test_tagged_tests_are_found_in_typescript_titles_and_pytest_properties():
    files = {
        "backend/tests/criteria.test.ts": 'describe("Tools", () => {\n  it("records-tool: adds a tool", async () => {});\n'
        "  it(`login: refuses a stranger`, async () => {});\n"
        '  it("not-a-criterion: other", async () => {});\n});\n',
        "backend/tests/test_criteria.py": "def test_records_tool(client, record_property):\n"
        '    record_property("criterion", "records-tool")\n\n\n'
        "def test_untagged(client):\n    pass\n",
        "backend/src/app.ts": 'it("records-tool: not a test file, but found all the same")',
    }
    found = tagged_tests(files, ["records-tool", "login", "due-loan"])
    assert found["login"] == [{"file": "backend/tests/criteria.test.ts", "name": "login: refuses a stranger"}]
    assert {"file": "backend/tests/test_criteria.py", "name": "test_records_tool"} in found["records-tool"]
    assert found["due-loan"] == []


def test_the_criteria_map_says_which_criteria_no_generated_test_can_prove():
    spec = rich_spec("tool-shed")
    spec = spec.model_copy(
        update={"criteria": [*spec.criteria, Criterion(id="own-1", text="Reminders by email", by="person")]}
    )
    rows = {row["id"]: row for row in json.loads(criteria_json(spec, {}))["criteria"]}
    assert rows["own-1"]["covered"] is False
    assert rows["own-1"]["not_covered"].startswith("Nothing in what we'll build expresses this")
    assert rows["records-tool"]["covered"] is True and rows["records-tool"]["tests"] == []


def test_the_tests_agent_maps_every_criterion_of_an_offline_project_to_its_tests():
    from testbed.verify import generated

    files, spec = generated(TOOL_SHED)
    rows = json.loads(files[CRITERIA_PATH])["criteria"]
    assert [row["id"] for row in rows] == _ids(spec)
    assert all(row["tests"] for row in rows), [row["id"] for row in rows if not row["tests"]]


# --- the reports ----------------------------------------------------------------------------------

JEST_REPORT = {
    "numTotalTests": 3,
    "testResults": [
        {
            "name": "/tmp/verify-x/backend/tests/criteria.test.ts",
            "status": "failed",
            "message": "",
            "assertionResults": [
                {
                    "ancestorTitles": ["A tool can be added"],
                    "title": "records-tool: adds a tool",
                    "status": "passed",
                    "failureMessages": [],
                },
                {
                    "ancestorTitles": ["Only logged in"],
                    "title": "login: refuses a stranger",
                    "status": "failed",
                    "failureMessages": [
                        "\x1b[31mexpect(received).toBe(expected)\x1b[39m\nExpected: 401\nReceived: 201"
                    ],
                },
                {"ancestorTitles": [], "title": "lists tools", "status": "passed", "failureMessages": []},
            ],
        },
        {
            "name": "/tmp/verify-x/backend/tests/broken.test.ts",
            "status": "failed",
            "assertionResults": [],
            "message": "Test suite failed to run: SyntaxError",
        },
    ],
}
JUNIT_REPORT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="2">
<testcase classname="tests.test_criteria" name="test_records_tool" time="0.1">
  <properties><property name="criterion" value="records-tool"/></properties></testcase>
<testcase classname="tests.test_criteria" name="test_login" time="0.1">
  <properties><property name="criterion" value="login"/></properties>
  <failure message="assert 201 == 401">tests/test_criteria.py:12: AssertionError</failure></testcase>
</testsuite></testsuites>"""


def test_a_jest_or_vitest_report_gives_each_test_its_file_status_message_and_tag(tmp_path):
    report = tmp_path / ".backend-tests.json"
    report.write_text(json.dumps(JEST_REPORT))
    tests = read_report(report, "backend", tmp_path / "backend")
    assert [(t.file, t.criterion, t.status) for t in tests] == [
        ("tests/criteria.test.ts", "records-tool", "passed"),
        ("tests/criteria.test.ts", "login", "failed"),
        ("tests/criteria.test.ts", "", "passed"),
        ("tests/broken.test.ts", "", "failed"),
    ]
    assert tests[1].name == "Only logged in › login: refuses a stranger"
    assert tests[1].message == "expect(received).toBe(expected)\nExpected: 401\nReceived: 201"


def test_a_junit_report_gives_each_test_its_criterion_property(tmp_path):
    report = tmp_path / ".backend-tests.xml"
    report.write_text(JUNIT_REPORT)
    tests = read_report(report, "backend", tmp_path / "backend")
    assert [(t.file, t.name, t.criterion, t.status) for t in tests] == [
        ("tests/test_criteria.py", "test_records_tool", "records-tool", "passed"),
        ("tests/test_criteria.py", "test_login", "login", "failed"),
    ]
    assert "assert 201 == 401" in tests[1].message


@pytest.mark.parametrize("content", ["not a report", '{"testResults": 3}', "<testsuites><testcase", ""])
def test_a_report_that_is_not_one_is_not_trusted(tmp_path, content):
    report = tmp_path / "r.json"
    report.write_text(content)
    assert read_report(report, "backend", tmp_path) is None


def test_a_report_that_is_a_link_is_not_followed(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps(JEST_REPORT))
    (tmp_path / "r.json").symlink_to(secret)
    assert read_report(tmp_path / "r.json", "backend", tmp_path) is None


def test_each_criterion_is_proven_failed_or_not_proven_by_its_tagged_tests(tmp_path):
    report = tmp_path / ".backend-tests.json"
    report.write_text(json.dumps(JEST_REPORT))
    spec = rich_spec("tool-shed")
    spec = spec.model_copy(
        update={"criteria": [*spec.criteria, Criterion(id="own-1", text="Reminders by email", by="person")]}
    )
    outcomes = {
        o.id: o for o in prove_criteria(spec, {"backend": read_report(report, "backend", tmp_path / "backend")})
    }
    assert outcomes["records-tool"].status == "passed"
    assert outcomes["login"].status == "failed" and "Received: 201" in outcomes["login"].tests[0]["message"]
    assert (outcomes["due-loan"].status, outcomes["due-loan"].note) == ("not_proven", "No test tagged with its id ran.")
    assert outcomes["own-1"].status == "not_proven" and outcomes["own-1"].note.startswith("Nothing in what we'll build")


def test_criteria_are_not_proven_when_the_tests_did_not_run():
    spec = rich_spec("tool-shed")
    outcomes = prove_criteria(spec, {"backend": None, "frontend": []})
    assert {o.status for o in outcomes} == {"not_proven"}
    assert outcomes[0].note == "The tests of the back end did not run to the end."


# --- through plan versions ------------------------------------------------------------------------


@pytest.fixture
def shed(project_a):
    project_a.request = TOOL_SHED
    project_a.save()
    return project_a


@pytest.mark.django_db
def test_a_persons_change_to_the_criteria_is_a_new_version_with_the_same_tasks(shed, alice):
    from orchestration.planning import edit_criteria, plan_project

    v1 = plan_project(shed, user=alice)
    criteria = [
        c.model_copy(update={"text": "Members can borrow any tool", "by": "person"}) if c.id == "records-loan" else c
        for c in v1.spec_model().criteria
        if c.id != "find-member"
    ]
    criteria.append(Criterion(id="own-1", text="Members get a reminder by email", by="person"))
    v2, notes = edit_criteria(v1, criteria, user=alice)
    assert (v2.number, v2.parent, v2.source, v2.tasks) == (2, v1, "edit", v1.tasks)
    assert "removed criterion find-member" in notes[0]
    assert any(n.startswith("reworded criterion records-loan now says “Members can borrow any tool”") for n in notes)
    assert "added criterion own-1: “Members get a reminder by email”" in notes
    assert v2.reasoning.startswith("alice changed what the app must do, starting from version 1:")


@pytest.mark.django_db
def test_an_unchanged_or_repeated_set_of_criteria_is_refused_in_words(shed, alice):
    from orchestration.planning import edit_criteria, plan_project
    from orchestration.plans import PlanInvalid

    v1 = plan_project(shed, user=alice)
    with pytest.raises(PlanInvalid, match="Nothing changed"):
        edit_criteria(v1, v1.spec_model().criteria, user=alice)
    with pytest.raises(PlanInvalid, match="Two criteria have the same id"):
        edit_criteria(v1, [*v1.spec_model().criteria, v1.spec_model().criteria[0]], user=alice)


@pytest.mark.django_db
def test_replanning_with_feedback_adds_criteria_keeps_the_teams_and_the_compare_says_which_changed(shed, alice):
    from orchestration.planning import edit_criteria, plan_project

    v1 = plan_project(shed, user=alice)
    own = Criterion(id="own-1", text="Members get a reminder by email", by="person")
    v2, _ = edit_criteria(v1, [*v1.spec_model().criteria, own], user=alice)
    v3 = plan_project(shed, user=alice, feedback="Each tool has a condition (good, worn, broken).")
    said = {c.id: c for c in v3.spec_model().criteria}
    assert said["own-1"] == own
    assert "choice-tool-condition" in said
    changes = [c.text for c in v2.diff(v3).criteria_changes]
    assert any(c.startswith("added criterion choice-tool-condition: “A tool's condition") for c in changes), changes
    assert any(c.startswith("criterion records-tool now says") and "condition" in c for c in changes), changes

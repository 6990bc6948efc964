"""What the app must do, on the project page: each acceptance criterion under "What we'll build", marked
when no generated test can prove it, and, once a run's checks proved them, ✓ or ✗ with the tests
behind each; the criteria editor that rewords, removes and adds them as a new version before Run;
the criteria's changes on the compare page; and the same results and criteria in the admin."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from agents.criteria import NOT_COVERED, about_key
from agents.spec import MAX_CRITERION_CHARS, Criterion, CriterionAbout
from orchestration.models import CriterionResult, PlanVersion, Run, TaskAttempt, TaskRun
from orchestration.offline_planner import spec_tasks
from testbed.rich_specs import rich_spec

from .ui_helpers import BACKEND_TASK, VERIFY_TASK, form_data, make_run, make_version

pytestmark = pytest.mark.django_db

FRIENDLY = Criterion(id="own-1", text="The pages feel friendly to a first-time member.", by="person")
ASSERTION = "expect(received).toBe(expected)\n\nExpected: 404\nReceived: 201 <script>"


def _spec(*extra: Criterion):
    spec = rich_spec("tool-shed")
    return spec.model_copy(update={"criteria": [*spec.criteria, *extra]})


@pytest.fixture
def shed(project_a) -> PlanVersion:
    """The tool shed with its derived criteria and one of the team's own that nothing built can prove."""
    spec = _spec(FRIENDLY)
    return make_version(project_a, tasks=spec_tasks(spec), spec=spec.model_dump(mode="json"))


def _text(page: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _must_do(client, project) -> str:
    """The "What it must do" section of the project page, as its text."""
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    found = re.search(r'<section class="what-it-must-do".*?</section>', page, re.DOTALL)
    assert found, "the project page has no “What it must do”"
    return found.group(0)


def _checked_run(project, *results: tuple[str, str, str, list[dict]], round: int = 0) -> Run:
    """A finished run of a tool-shed version whose verify task recorded `results`: (criterion, status, note, tests)."""
    spec = _spec(FRIENDLY)
    version = make_version(project, tasks=[BACKEND_TASK, VERIFY_TASK], spec=spec.model_dump(mode="json"))
    run = make_run(
        version,
        statuses={"backend-1": TaskRun.Status.SUCCEEDED, "verify": TaskRun.Status.SUCCEEDED},
        status=Run.Status.SUCCEEDED,
    )
    verify = run.task_runs.get(key="verify")
    TaskAttempt.objects.create(task_run=verify, number=1, started_at=verify.started_at, succeeded=True)
    texts = {c.id: c.text for c in spec.criteria}
    for criterion, status, note, tests in results:
        CriterionResult.objects.create(
            run=run,
            task_run=verify,
            attempt=1,
            round=round,
            criterion=criterion,
            text=texts.get(criterion, "?"),
            status=status,
            note=note,
            tests=tests,
        )
    return run


def _test(name: str, status: str = "passed", message: str = "") -> dict:
    return {
        "part": "backend",
        "file": "tests/criteria.test.ts",
        "name": name,
        "status": status,
        "message": message,
        "criterion": name.split(":")[0],
    }


# --- the project page ------------------------------------------------------------------------------


def test_each_criterion_is_listed_under_what_we_will_build_with_its_id(client, alice, project_a, shed):
    client.force_login(alice)
    page = client.get(reverse("projects:detail", args=[project_a.pk])).content.decode()
    built = page[page.index('id="what-we-build"') : page.index('id="status-heading"')]
    said = _text(built[built.index("What it must do") :])
    assert "No two members have the same email. unique-member-email" in said
    assert (
        "A tool's condition is one of good, worn or broken; a new tool starts as good; anything else is refused."
        in said
    )
    assert len(re.findall(r'class="criterion"', built)) == len(shed.spec_model().criteria) == 16
    assert "Change what it must do" in said


def test_a_criterion_no_generated_test_can_prove_is_marked_not_covered_in_words(client, alice, project_a, shed):
    client.force_login(alice)
    said = _text(_must_do(client, project_a))
    mine = said[said.index(FRIENDLY.text) :]
    assert mine.startswith(f"{FRIENDLY.text} own-1 Not covered: Nothing in what we'll build expresses this")
    assert said.count("Not covered:") == 1, "only the criterion nothing proves is marked"


def test_the_version_page_lists_the_criteria_too(client, alice, project_a, shed):
    client.force_login(alice)
    page = client.get(reverse("projects:version", args=[project_a.pk, shed.pk])).content.decode()
    assert "What it must do" in page and FRIENDLY.text in page


def test_a_version_without_a_spec_shows_no_criteria_and_its_editor_says_why(client, alice, project_a):
    version = make_version(project_a)
    client.force_login(alice)
    assert "What it must do" not in client.get(reverse("projects:detail", args=[project_a.pk])).content.decode()
    response = client.get(reverse("projects:edit_criteria", args=[project_a.pk, version.pk]), follow=True)
    assert "made before versions kept what the app must do" in response.content.decode()


def test_the_runs_results_say_proven_failed_or_not_proven_in_words(client, alice, project_a):
    _checked_run(
        project_a,
        ("unique-member-email", "passed", "", [_test("unique-member-email: refuses a second member with that email")]),
        (
            "records-tool",
            "failed",
            "",
            [
                _test("records-tool: adds a tool"),
                _test("records-tool: refuses a tool without a name", "failed", ASSERTION),
            ],
        ),
        ("find-tool", "not_proven", "The tests of the back end did not run to the end.", []),
        ("own-1", "not_proven", NOT_COVERED, []),
    )
    client.force_login(alice)
    section = _must_do(client, project_a)
    said = _text(section)
    assert "1 of 16 proven by the run’s tests." in said
    assert "✓ Proven No two members have the same email. unique-member-email" in said
    assert "✗ Failed A person who is logged in can add a tool" in said
    assert "✗ Not proven: The tests of the back end did not run to the end. Tools can be searched" in said
    assert f"✗ Not proven {FRIENDLY.text} own-1 Not covered: Nothing in what we'll build" in said, (
        "the reason is said once"
    )
    assert "1 of 16 proven by the run’s tests. A person who is logged in can add a member" in said, (
        "no result: no verdict"
    )


def test_a_criterion_opens_to_its_tests_and_a_failed_ones_message(client, alice, project_a):
    _checked_run(
        project_a,
        (
            "records-tool",
            "failed",
            "",
            [
                _test("records-tool: adds a tool"),
                _test("records-tool: refuses a tool without a name", "failed", ASSERTION),
            ],
        ),
    )
    client.force_login(alice)
    section = _must_do(client, project_a)
    opened = re.search(r'<details data-criterion="records-tool">.*?</details>', section, re.DOTALL).group(0)
    said = _text(opened)
    assert "Passed records-tool: adds a tool in backend/tests/criteria.test.ts" in said
    assert "Failed records-tool: refuses a tool without a name in backend/tests/criteria.test.ts" in said
    assert (
        '<pre class="check-output">expect(received).toBe(expected)\n\nExpected: 404\nReceived: 201 &lt;script&gt;</pre>'
        in opened
    )
    assert opened.count("<pre") == 1, "only a failed test's message is shown"


def test_the_last_rounds_results_are_shown(client, alice, project_a):
    run = _checked_run(
        project_a, ("records-tool", "failed", "", [_test("records-tool: adds a tool", "failed", "boom")])
    )
    verify = run.task_runs.get(key="verify")
    CriterionResult.objects.create(
        run=run,
        task_run=verify,
        attempt=1,
        round=1,
        criterion="records-tool",
        text="?",
        status="passed",
        tests=[_test("records-tool: adds a tool")],
    )
    client.force_login(alice)
    said = _text(_must_do(client, project_a))
    assert "1 of 16 proven by the run’s tests after repair round 1." in said
    assert "✓ Proven A person who is logged in can add a tool" in said and "✗ Failed" not in said


def test_the_status_endpoint_brings_the_criteria_anew_once_a_round_proved_them(client, alice, project_a):
    run = _checked_run(project_a)
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING, finished_at=None)
    TaskRun.objects.filter(run=run, key="verify").update(status=TaskRun.Status.RUNNING, finished_at=None)
    client.force_login(alice)
    url = reverse("projects:status", args=[project_a.pk])
    first = client.get(url).json()["checks"]
    assert "✓" not in first["criteria_html"]
    verify = run.task_runs.get(key="verify")
    CriterionResult.objects.create(
        run=run,
        task_run=verify,
        attempt=1,
        round=0,
        criterion="login",
        text="?",
        status="passed",
        tests=[_test("login: refuses a change without a log-in")],
    )
    changed = client.get(url, {"checks": first["key"]}).json()["checks"]
    assert changed["key"] != first["key"]
    assert (
        "✓</span> Proven" in changed["criteria_html"]
        and "login: refuses a change without a log-in" in changed["criteria_html"]
    )


# --- the editor ------------------------------------------------------------------------------------


def _editor(version: PlanVersion) -> str:
    return reverse("projects:edit_criteria", args=[version.project_id, version.pk])


def _form(client, version: PlanVersion) -> dict[str, str]:
    response = client.get(_editor(version))
    assert response.status_code == 200
    return form_data(response.content.decode())


def _row(data: dict, text: str) -> str:
    """The prefix (criteria-3) of the row whose text is `text`."""
    return next(
        key.removesuffix("-text") for key, value in data.items() if key.endswith("-text") and value.strip() == text
    )


def _new_row(data: dict) -> str:
    return next(key.removesuffix("-proven_by") for key in data if key.endswith("-proven_by"))


def _saved(client, response) -> tuple[PlanVersion, str]:
    assert response.status_code == 302, _text(response.content.decode())
    return PlanVersion.objects.order_by("-number").first(), _text(client.get(response.url).content.decode())


def test_a_reworded_criterion_keeps_its_id_and_what_proves_it_and_becomes_the_teams(client, alice, project_a, shed):
    client.force_login(alice)
    data = _form(client, shed)
    row = _row(data, "No two members have the same email.")
    saved, page = _saved(
        client, client.post(_editor(shed), data | {f"{row}-text": "Two members never share an email address."})
    )
    criterion = next(c for c in saved.spec_model().criteria if c.id == "unique-member-email")
    assert (criterion.text, criterion.by, criterion.about) == (
        "Two members never share an email address.",
        "person",
        CriterionAbout(kind="unique", entity="Member", name="email"),
    )
    assert (saved.number, saved.parent, saved.tasks) == (2, shed, shed.tasks)
    assert (
        "Saved as plan version 2: reworded criterion unique-member-email now says “Two members never share an email address.” "
        "(was “No two members have the same email.”)."
    ) in page
    assert "Two members never share an email address. unique-member-email" in page


def test_a_removed_criterion_is_gone_from_the_new_version(client, alice, project_a, shed):
    client.force_login(alice)
    data = _form(client, shed)
    saved, page = _saved(client, client.post(_editor(shed), data | {f"{_row(data, FRIENDLY.text)}-DELETE": "on"}))
    assert [c.id for c in saved.spec_model().criteria] == [c.id for c in shed.spec_model().criteria][:-1]
    assert f"removed criterion own-1: “{FRIENDLY.text}”" in page


def test_a_new_criterion_proven_by_nothing_we_build_is_kept_and_marked_not_covered(client, alice, project_a, shed):
    client.force_login(alice)
    data = _form(client, shed)
    saved, page = _saved(client, client.post(_editor(shed), data | {f"{_new_row(data)}-text": "It works on a phone."}))
    added = saved.spec_model().criteria[-1]
    assert (added.id, added.text, added.by, added.about) == ("own-2", "It works on a phone.", "person", None)
    assert "added criterion own-2: “It works on a phone.”" in page
    assert "It works on a phone. own-2 Not covered:" in page


def test_a_new_criterion_proven_by_something_we_build_says_so(client, alice, project_a, shed):
    client.force_login(alice)
    data = _form(client, shed)
    row = _new_row(data)
    proven_by = about_key(CriterionAbout(kind="due", entity="Loan"))
    saved, page = _saved(
        client,
        client.post(_editor(shed), data | {f"{row}-text": "Late loans stand out.", f"{row}-proven_by": proven_by}),
    )
    added = saved.spec_model().criteria[-1]
    assert (added.id, added.by, added.about) == ("own-2", "person", CriterionAbout(kind="due", entity="Loan"))
    assert "Late loans stand out. own-2 Not covered" not in page and "Late loans stand out. own-2" in page


def test_the_proven_by_choices_are_what_we_build_in_words_after_nothing(client, alice, shed):
    client.force_login(alice)
    page = unescape(client.get(_editor(shed)).content.decode())
    select = re.search(r'<select name="criteria-16-proven_by".*?</select>', page, re.DOTALL).group(0)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert options[0] == "Nothing we build yet (it will be marked as not covered)"
    assert "No two members have the same email." in options and len(options) == 16


def test_a_blank_criterion_is_refused_and_everything_typed_stays(client, alice, project_a, shed):
    client.force_login(alice)
    data = _form(client, shed)
    blank, reworded = _row(data, FRIENDLY.text), _row(data, "No two members have the same email.")
    data |= {
        f"{blank}-text": "  ",
        f"{reworded}-text": "Emails differ.",
        f"{_new_row(data)}-text": "It works on a phone.",
    }
    response = client.post(_editor(shed), data)
    page = unescape(response.content.decode())
    assert response.status_code == 400
    assert "Your changes were not saved" in page
    assert "Criterion 16: Please write what the app must do here, or tick “Remove this criterion”." in page
    assert "Emails differ.</textarea>" in page and "It works on a phone.</textarea>" in page
    assert PlanVersion.objects.count() == 1


def test_a_criterion_too_long_is_refused_saying_how_long(client, alice, project_a, shed):
    client.force_login(alice)
    data = _form(client, shed)
    response = client.post(_editor(shed), data | {f"{_new_row(data)}-text": "x" * (MAX_CRITERION_CHARS + 1)})
    assert response.status_code == 400
    assert (
        f"This has {MAX_CRITERION_CHARS + 1} characters; please keep a criterion to {MAX_CRITERION_CHARS} or fewer"
        in (response.content.decode())
    )
    assert PlanVersion.objects.count() == 1


def test_saving_nothing_changed_is_refused(client, alice, project_a, shed):
    client.force_login(alice)
    response = client.post(_editor(shed), _form(client, shed))
    assert response.status_code == 400
    assert "Nothing changed: the criteria are the same as in version 1." in response.content.decode()
    assert PlanVersion.objects.count() == 1


def test_add_another_criterion_works_without_a_script_and_keeps_what_was_typed(client, alice, project_a, shed):
    client.force_login(alice)
    data = _form(client, shed)
    data |= {f"{_new_row(data)}-text": "It works on a phone.", "add": "criterion"}
    page = client.post(_editor(shed), data).content.decode()
    assert page.count('<select name="criteria-') == 2 and "It works on a phone.</textarea>" in page
    assert "Your changes were not saved" not in page and PlanVersion.objects.count() == 1
    data = form_data(page)
    second = [key.removesuffix("-text") for key in data if key.endswith("-text")][-1]
    saved, _ = _saved(client, client.post(_editor(shed), data | {f"{second}-text": "It is quick."}))
    assert [(c.id, c.text) for c in saved.spec_model().criteria[-2:]] == [
        ("own-2", "It works on a phone."),
        ("own-3", "It is quick."),
    ]


def test_a_page_changed_so_that_a_criterion_is_missing_saves_nothing(client, alice, project_a, shed):
    client.force_login(alice)
    data = _form(client, shed) | {"criteria-INITIAL_FORMS": "3"}
    response = client.post(_editor(shed), data)
    assert response.status_code == 400 and "This page was changed in a way we cannot read" in response.content.decode()
    assert PlanVersion.objects.count() == 1


def test_a_viewer_sees_no_change_link_and_cannot_open_or_post_the_editor(client, victor, project_a, shed):
    client.force_login(victor)
    assert "Change what it must do" not in client.get(reverse("projects:detail", args=[project_a.pk])).content.decode()
    assert client.get(_editor(shed)).status_code == 403
    assert client.post(_editor(shed), {"criteria-TOTAL_FORMS": "1"}).status_code == 403
    assert PlanVersion.objects.count() == 1


def test_a_member_of_another_team_gets_404(client, charlie, project_a, shed):
    client.force_login(charlie)
    assert client.get(_editor(shed)).status_code == 404
    assert client.post(_editor(shed), {}).status_code == 404


# --- the compare page and the admin ------------------------------------------------------------------


def test_the_compare_page_shows_criteria_changes_under_their_own_heading(client, alice, project_a, shed):
    client.force_login(alice)
    data = _form(client, shed)
    client.post(_editor(shed), data | {f"{_row(data, 'No two members have the same email.')}-text": "Emails differ."})
    for page in (
        client.get(reverse("projects:compare", args=[project_a.pk])).content.decode(),
        client.get(
            reverse("projects:version", args=[project_a.pk, PlanVersion.objects.get(number=2).pk])
        ).content.decode(),
    ):
        said = _text(page)
        assert "The app keeps the same records, details, links and summaries." in said
        app = said.index("What changes in the app")
        must_do = said.index("What it must do", app)
        reworded = said.index("Reworded criterion unique-member-email now says “Emails differ.”")
        assert app < must_do < reworded < said.index("What changes in the plan")


def test_the_admin_run_page_shows_each_criterions_result_and_tests(client, staff, project_a):
    run = _checked_run(
        project_a,
        ("records-tool", "failed", "", [_test("records-tool: refuses a tool without a name", "failed", ASSERTION)]),
        ("find-tool", "not_proven", "No test tagged with its id ran.", []),
    )
    client.force_login(staff)
    page = client.get(reverse("admin:orchestration_run_change", args=[run.pk])).content.decode()
    said = _text(page)
    assert "Criterion results" in said
    assert "records-tool Failed" in said and "failed: records-tool: refuses a tool without a name" in said
    assert "Expected: 404 Received: 201 <script>" in said and "&lt;script&gt;" in page
    assert "find-tool Not proven" in said and "No test tagged with its id ran." in said


def test_the_admin_plan_version_page_lists_its_criteria(client, staff, project_a, shed):
    client.force_login(staff)
    said = _text(client.get(reverse("admin:orchestration_planversion_change", args=[shed.pk])).content.decode())
    assert "unique-member-email No two members have the same email. planner" in said
    assert f"own-1 {FRIENDLY.text} person Nothing in what we'll build expresses this" in said

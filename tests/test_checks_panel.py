"""People see a run's checks: the project page's Checks panel (round by round, each check opening to its
command and output, the repairs between rounds in words), whether the last run's checks passed in the
projects list, the admin's Checks filter and repair rounds, and `manage.py generate --verify`."""

from __future__ import annotations

import html
import io
import re
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from playwright.sync_api import expect

from orchestration.models import Check, Run, TaskAttempt, TaskRun
from projects.models import Project
from testbed.verify import CACHE

from .test_browser import DESKTOP, _log_in, browser  # noqa: F401 (the browser fixture)
from .ui_helpers import make_check, make_repair, make_run, make_verified_run, make_version, plan_tasks

S, F, R, P = TaskRun.Status.SUCCEEDED, TaskRun.Status.FAILED, TaskRun.Status.RUNNING, TaskRun.Status.PENDING
TYPE_ERROR = (
    "src/wrong.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.\n<script>alert(1)</script>"
)


def _panel(client, project: Project, run: Run | None = None) -> str:
    url = reverse("projects:run", args=[project.pk, run.pk]) if run else reverse("projects:detail", args=[project.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(r'<section class="card checks-panel".*?</section>', page, re.S)
    return found.group(0) if found else ""


def _text(panel: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel)))


@pytest.mark.django_db
def test_the_panel_shows_passed_checks_with_their_counts(client, alice, project_a):
    run = make_verified_run(project_a)
    make_check(run, "installs", note="reused installed dependencies")
    make_check(run, "types")
    make_check(run, "tests", counts={"passed": 45, "failed": 0, "skipped": 2})
    make_check(run, "contract", counts={"operations": 6, "cases": 30, "server_errors": 0, "violations": 0})
    client.force_login(alice)
    text = _text(_panel(client, project_a))
    assert "Checks Passed All 4 checks passed." in text
    assert "First checks: all 4 passed" in text
    assert "✓ Passed Back end: installs (12.3 s)" in text
    assert "Back end: 45 tests pass" in text and "Counted 45 passed, 0 failed, 2 skipped" in text
    assert "keeps its API contract (30 requests to 6 routes)" in text
    assert "Note reused installed dependencies" in text and "Command npm run tests" in text


@pytest.mark.django_db
def test_a_failed_run_names_its_failing_checks_first_with_their_output_inside(client, alice, project_a):
    error = "Checks failed: Back end: type errors; Back end: tests failed: 2."
    run = make_verified_run(project_a, verify=F, status=Run.Status.FAILED, error=error)
    make_check(run, "installs")
    make_check(run, "types", passed=False, output=TYPE_ERROR)
    make_check(run, "lint")
    make_check(run, "tests", passed=False, counts={"passed": 10, "failed": 2})
    client.force_login(alice)
    panel = _panel(client, project_a)
    text = _text(panel)
    assert "Checks Failed " + error in text
    assert 'class="checks-message error"' in panel
    assert "First checks: 2 of 4 passed" in text
    order = [
        text.index(words)
        for words in (
            "Back end: type errors",
            "Back end: tests failed: 2",
            "Back end: installs",
            "Back end: lint and format pass",
        )
    ]
    assert order == sorted(order)
    failing = panel.split("Back end: type errors", 1)[1].split("</details>", 1)[0]
    assert '<pre class="check-output">' in failing and "error TS2322" in failing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in failing and "<script>alert" not in panel
    assert "Exit code 2" in _text(failing)


@pytest.mark.django_db
def test_a_repair_round_says_who_repaired_what_and_how_the_checks_did_after(client, alice, project_a):
    run = make_verified_run(project_a)
    make_check(run, "types")
    make_check(run, "tests", passed=False, counts={"passed": 10, "failed": 2})
    make_repair(run, 1, reasoning="The last test expected 1 + 1 to be 3.")
    make_check(run, "types", round=1)
    make_check(run, "tests", round=1, counts={"passed": 12, "failed": 0})
    client.force_login(alice)
    text = _text(_panel(client, project_a))
    assert "All 2 checks passed after 1 repair round." in text
    assert (
        "Repair round 1 Back end: tests failed: 2 — repaired by the backend agent (“Build the API”) — "
        "Back end: 12 tests pass"
    ) in text
    assert "What the repair changed The last test expected 1 + 1 to be 3." in text
    assert (
        text.index("First checks: 1 of 2 passed")
        < text.index("Repair round 1")
        < text.index("Checks after repair round 1: all 2 passed")
    )


@pytest.mark.django_db
def test_a_repair_that_failed_is_said_with_its_reason(client, alice, project_a):
    run = make_verified_run(
        project_a,
        verify=F,
        status=Run.Status.FAILED,
        error="Checks failed: Back end: type errors. Not repaired: the backend agent could not: no answer.",
    )
    make_check(run, "types", passed=False)
    make_repair(run, 1, succeeded=False, error="The model's answer was not JSON.")
    client.force_login(alice)
    text = _text(_panel(client, project_a))
    assert (
        "Back end: type errors — the backend agent (“Build the API”) could not repair it: "
        "The model's answer was not JSON."
    ) in text
    assert "Checks after repair round 1: not run" in text


@pytest.mark.django_db
def test_only_the_latest_attempt_of_the_verify_task_is_shown(client, alice, project_a):
    run = make_verified_run(project_a)
    make_check(run, "tests", passed=False, counts={"failed": 3}, attempt=1)
    task = run.task_runs.get(key="verify")
    TaskAttempt.objects.create(
        task_run=task, number=2, started_at=task.started_at + timedelta(seconds=1), succeeded=True
    )
    make_check(run, "tests", counts={"passed": 8}, attempt=2)
    client.force_login(alice)
    text = _text(_panel(client, project_a))
    assert "Back end: 8 tests pass" in text and "tests failed" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("verify", "status", "shown"),
    [
        (P, Run.Status.RUNNING, "Checks Waiting Checks run once the code is written"),
        (R, Run.Status.RUNNING, "Checks Checking Checking… the project is being built and tested."),
        (
            TaskRun.Status.SKIPPED,
            Run.Status.FAILED,
            "Checks Not run Checks were not run. Skipped because “Build the API” failed.",
        ),
    ],
)
def test_before_and_while_checks_run_the_panel_says_so(client, alice, project_a, verify, status, shown):
    make_verified_run(
        project_a,
        verify=verify,
        status=status,
        error="Skipped because “Build the API” failed." if verify == TaskRun.Status.SKIPPED else "",
    )
    client.force_login(alice)
    assert shown in _text(_panel(client, project_a))


@pytest.mark.django_db
def test_checks_that_are_still_running_are_counted_so_far(client, alice, project_a):
    run = make_verified_run(project_a, verify=R, status=Run.Status.RUNNING)
    make_check(run, "installs")
    make_check(run, "types", passed=False)
    client.force_login(alice)
    assert "First checks: 2 done so far, 1 passed" in _text(_panel(client, project_a))


@pytest.mark.django_db
def test_with_checks_off_the_panel_gives_the_verify_tasks_reason(client, alice, project_a):
    make_verified_run(project_a, reasoning="Checks were not run: VERIFY_CHECKS is off on this server.")
    client.force_login(alice)
    assert "Checks Not run Checks were not run: VERIFY_CHECKS is off on this server." in _text(
        _panel(client, project_a)
    )


@pytest.mark.django_db
def test_a_plan_without_a_verify_task_has_no_panel(client, alice, project_a):
    make_run(make_version(project_a), statuses={t["key"]: S for t in plan_tasks()}, status=Run.Status.SUCCEEDED)
    client.force_login(alice)
    assert _panel(client, project_a) == ""
    assert "checks" not in client.get(reverse("projects:status", args=[project_a.pk])).json()


@pytest.mark.django_db
def test_an_older_runs_page_shows_that_runs_checks(client, alice, project_a):
    old = make_verified_run(
        project_a, verify=F, status=Run.Status.FAILED, error="Checks failed: Back end: type errors."
    )
    make_check(old, "types", passed=False)
    make_check(make_verified_run(project_a), "types")
    client.force_login(alice)
    assert "Back end: type errors" in _text(_panel(client, project_a, old))
    assert "All 1 checks passed." in _text(_panel(client, project_a))


@pytest.mark.django_db
def test_a_viewer_sees_the_checks_and_another_team_gets_404(client, victor, charlie, project_a):
    run = make_verified_run(project_a)
    make_check(run, "tests", counts={"passed": 45})
    client.force_login(victor)
    assert "Back end: 45 tests pass" in _text(_panel(client, project_a))
    client.force_login(charlie)
    for url in (
        reverse("projects:detail", args=[project_a.pk]),
        reverse("projects:run", args=[project_a.pk, run.pk]),
        reverse("projects:status", args=[project_a.pk]),
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_the_status_endpoint_sends_the_panel_only_when_it_changed(client, alice, project_a):
    run = make_verified_run(project_a, verify=R, status=Run.Status.RUNNING)
    client.force_login(alice)
    url = reverse("projects:status", args=[project_a.pk])
    first = client.get(url).json()["checks"]
    assert "Checking…" in first["html"]
    assert client.get(url, {"checks": first["key"]}).json()["checks"] == {"key": first["key"]}
    make_check(run, "tests", counts={"passed": 45})
    changed = client.get(url, {"checks": first["key"]}).json()["checks"]
    assert changed["key"] != first["key"] and "Back end: 45 tests pass" in changed["html"]


@pytest.mark.django_db
@pytest.mark.scaleout  # annotations and subqueries that each database plans its own way
def test_the_panel_costs_the_same_queries_for_many_checks_and_repairs(client, alice, team_a):
    def project_with(rounds: int) -> Project:
        project = Project.objects.create(
            team=team_a, created_by=alice, title=f"{rounds} rounds", request="A shop for hats."
        )
        run = make_verified_run(project, verify=R, status=Run.Status.RUNNING)
        for number in range(rounds):
            if number:
                make_repair(run, number, reasoning="Fixed it.")
            for name in ("installs", "types", "lint", "tests", "build"):
                make_check(run, name, round=number, passed=name != "tests", output="x" * 100)
        return project

    def queries(project: Project, name: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(f"projects:{name}", args=[project.pk])).status_code == 200
        return len(captured)

    few, many = project_with(1), project_with(3)
    client.force_login(alice)
    client.get(reverse("projects:list"))
    for name in ("detail", "status"):
        assert queries(few, name) == queries(many, name), name


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_open_page_shows_each_check_as_it_ends_and_keeps_an_opened_one_open(browser, live_server, alice, project_a):  # noqa: F811
    run = make_verified_run(project_a, verify=R, status=Run.Status.RUNNING)
    make_check(run, "types", passed=False, output=TYPE_ERROR)
    page = _log_in(browser, live_server.url, "alice", DESKTOP)
    page.goto(f"/projects/{project_a.pk}/")
    page.locator("#checks summary", has_text="type errors").click()
    make_check(run, "tests", counts={"passed": 45})
    expect(page.locator("#checks")).to_contain_text("Back end: 45 tests pass")
    expect(page.locator("#checks h3")).to_have_text("First checks: 2 done so far, 1 passed")
    expect(page.locator("#checks details", has_text="type errors")).to_have_attribute("open", "")
    expect(page.locator("#checks details", has_text="45 tests pass")).not_to_have_attribute("open", "")


@pytest.mark.django_db
@pytest.mark.scaleout  # annotations and subqueries that each database plans its own way
def test_the_projects_list_says_whether_the_last_runs_checks_passed(client, alice, team_a):
    def project(title: str) -> Project:
        return Project.objects.create(team=team_a, created_by=alice, title=title, request=f"A site about {title}.")

    make_check(make_verified_run(project("Green one")), "tests", counts={"passed": 3})
    red = make_verified_run(
        project("Red one"), verify=F, status=Run.Status.FAILED, error="Checks failed: Back end: type errors."
    )
    make_check(red, "types", passed=False)
    repaired = make_verified_run(project("Mended one"))
    make_check(repaired, "types", passed=False)
    make_check(repaired, "types", round=1)
    make_verified_run(project("Unchecked one"), reasoning="Checks were not run: VERIFY_CHECKS is off on this server.")
    going = make_verified_run(project("Going one"), verify=R, status=Run.Status.RUNNING)
    make_check(going, "types")
    client.force_login(alice)
    page = client.get(reverse("projects:list")).content.decode()
    items = {title: _text(item) for title, item in re.findall(r">([A-Z][a-z]+ one)</a>(.*?)</li>", page, re.S)}
    assert {title: ("checks passed" in text, "checks failed" in text) for title, text in items.items()} == {
        "Green one": (True, False),
        "Red one": (False, True),
        "Mended one": (True, False),
        "Unchecked one": (False, False),
        "Going one": (False, False),
    }


@pytest.mark.django_db
@pytest.mark.scaleout  # annotations and subqueries that each database plans its own way
def test_the_admin_filters_runs_by_their_checks_and_shows_repair_rounds(client, staff, project_a):
    passed = make_verified_run(project_a)
    make_check(passed, "types", passed=False)
    make_repair(passed, 1)
    make_repair(passed, 2)
    make_check(passed, "types", round=2)
    failed = make_verified_run(
        project_a, verify=F, status=Run.Status.FAILED, error="Checks failed: Back end: type errors."
    )
    make_check(failed, "types")
    make_check(failed, "tests", passed=False)
    unchecked = make_verified_run(project_a, reasoning="Checks were not run: VERIFY_CHECKS is off on this server.")
    client.force_login(staff)
    changelist = reverse("admin:orchestration_run_changelist")

    def runs(value: str) -> set[int]:
        return {run.pk for run in client.get(changelist, {"checks": value}).context["cl"].result_list}

    assert (runs("passed"), runs("failed"), runs("none")) == ({passed.pk}, {failed.pk}, {unchecked.pk})
    listed = client.get(changelist).content.decode()
    assert re.search(rf'>{failed.pk}</a></th>.*?<td class="field-checks_result">failed</td>', listed, re.DOTALL)
    response = client.get(reverse("admin:orchestration_run_change", args=[passed.pk]))
    assert re.search(r"Repair rounds:</label>\s*<div class=\"readonly\">2</div>", response.content.decode())
    inline = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is Check)
    assert [(form.original.round, form.original.name, form.original.status) for form in inline] == [
        (0, "types", "failed"),
        (2, "types", "passed"),
    ]


@pytest.mark.django_db
def test_the_admin_shows_a_repair_attempts_round_and_reasoning(client, staff, project_a):
    run = make_verified_run(project_a)
    make_repair(run, 1, reasoning="wrong.ts assigned a string to a number.")
    client.force_login(staff)
    response = client.get(reverse("admin:orchestration_taskrun_change", args=[run.task_runs.get(key="backend-1").pk]))
    page = re.sub(r"\s+", " ", response.content.decode())
    assert '<td class="field-repair_round"> <p>1</p> </td>' in page
    assert '<td class="field-reasoning"> <p>wrong.ts assigned a string to a number.</p> </td>' in page


@pytest.mark.django_db
def test_the_admin_lists_checks_and_filters_them_by_status(client, staff, project_a):
    run = make_verified_run(project_a)
    make_check(run, "types")
    failing = make_check(run, "tests", passed=False, output="1 failed")
    client.force_login(staff)
    found = (
        client.get(reverse("admin:orchestration_check_changelist"), {"status__exact": "failed"})
        .context["cl"]
        .result_list
    )
    assert list(found) == [failing]
    page = client.get(reverse("admin:orchestration_check_change", args=[failing.pk])).content.decode()
    assert "1 failed" in page and "Save" not in page


@pytest.mark.django_db(transaction=True)
def test_generate_without_verify_runs_no_checks(tmp_path, settings):
    settings.VERIFY_CHECKS = True
    report = io.StringIO()
    call_command(
        "generate", "An API for a plant nursery: plants with a name and a price", "--out", str(tmp_path), stdout=report
    )
    assert not Check.objects.exists()
    assert TaskRun.objects.get(agent="verify").reasoning.startswith("Checks were not run")
    assert "✓" not in report.getvalue()


@pytest.mark.django_db(transaction=True)
def test_generate_verify_says_when_checks_are_off(tmp_path, settings):
    settings.VERIFY_CHECKS = False
    report = io.StringIO()
    with pytest.raises(CommandError, match="VERIFY_CHECKS is off"):
        call_command(
            "generate",
            "An API for a plant nursery: plants with a name and a price",
            "--out",
            str(tmp_path),
            "--verify",
            stdout=report,
        )


@pytest.mark.django_db(transaction=True)
def test_generate_verify_prints_a_failed_check_and_fails(tmp_path, settings):
    """A real failure, quickly: each check may take one second, so the back end's first install (into an
    empty cache) is killed at its limit; the command prints the failed check and fails without writing."""
    settings.VERIFY_CHECKS, settings.VERIFY_SANDBOX, settings.VERIFY_STEP_TIMEOUT_S = True, "bwrap", 1
    settings.VERIFY_CACHE_DIR = Path(tempfile.mkdtemp(prefix="autodevos-empty-cache-"))
    settings.TASK_MAX_ATTEMPTS = 1
    report = io.StringIO()
    with pytest.raises(CommandError, match="Back end: does not install"):
        call_command(
            "generate",
            "An API for a plant nursery: plants with a name and a price",
            "--out",
            str(tmp_path / "out"),
            "--verify",
            stdout=report,
        )
    assert re.search(r"✗ Back end: does not install \(\d\.\d s\)", report.getvalue()), report.getvalue()
    assert not (tmp_path / "out").exists()
    shutil.rmtree(settings.VERIFY_CACHE_DIR, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_generate_verify_prints_each_check_as_it_ends(tmp_path, settings):
    settings.VERIFY_CHECKS = True
    settings.VERIFY_SANDBOX = "bwrap"
    settings.VERIFY_UNSANDBOXED_OFFLINE = False
    settings.VERIFY_CACHE_DIR = CACHE
    report = io.StringIO()
    call_command(
        "generate",
        "An API for a plant nursery: plants with a name, a price and a watering day",
        "--out",
        str(tmp_path),
        "--verify",
        stdout=report,
    )
    printed = report.getvalue()
    assert re.search(r"✓ Back end: \d+ tests pass \(\d+\.\d s\)", printed), printed
    assert "✓ Back end: installs" in printed and "✓ Back end: keeps its API contract" in printed
    assert re.search(r"All \d+ checks passed\.", printed)
    assert re.search(r"Acceptance criteria: (\d+) of \1 proven\.", printed), printed
    assert "✓ records-plant: A person who is logged in can add a plant" in printed
    assert printed.index("✓ Back end: installs") < printed.index("Wrote ")

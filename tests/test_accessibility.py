"""Every page of the app and the main admin pages, checked by axe-core in a real browser (Debian's
Chromium) at desktop and phone width: no serious or critical accessibility problem anywhere.

A new page joins the check by adding a Visit to `_visits`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from agents.criteria import derive_criteria
from orchestration.models import CriterionResult, LLMCall, Run, TaskAttempt, TaskRun
from orchestration.offline_planner import planned_spec, spec_tasks
from projects.models import Project
from testbed.rich_specs import rich_spec

from .axe import AXE_VERSION, Violation, audit, axe_source
from .conftest import PASSWORD
from .test_browser import DESKTOP, PHONE, browser  # noqa: F401 (the browser fixture)
from .ui_helpers import (
    BACKEND_TASK,
    VERIFY_TASK,
    make_artifact,
    make_check,
    make_repair,
    make_run,
    make_verified_run,
    make_version,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SUMMARY = "/tmp/autodevos-axe-{width}.txt"


@dataclass
class Visit:
    name: str
    url: str
    # Text the page shows in the state meant, so a page that went wrong is not checked in its place.
    shows: str
    user: str | None = "alice"
    # What a person does on the page before it is checked, e.g. sending a form with mistakes.
    then: Callable[[Page], None] | None = None


@pytest.fixture(scope="session")
def axe(request) -> str:
    return axe_source(request.config.cache.mkdir(f"axe-core-{AXE_VERSION}"))


def _send_without(field: str, button: str) -> Callable[[Page], None]:
    def send(page: Page) -> None:
        page.locator(field).first.fill("")
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state()

    return send


def _choice_without_options(page: Page) -> None:
    page.get_by_label("Kind").first.select_option("choice")
    page.get_by_role("button", name="Save as a new plan version").click()
    page.wait_for_load_state()


def _post_then_open(action: str, form: dict, shown: str) -> Callable[[Page], None]:
    """Sends a form the way the page's own button would, then opens the page that shows its message."""

    def send(page: Page) -> None:
        token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
        page.request.post(action, form={"csrfmiddlewaretoken": token, **form}, max_redirects=0)
        page.goto(shown)

    return send


def _visits(alice, team_a) -> list[Visit]:
    """The pages, each with data made directly in the database to show it in one state."""

    def project(title: str) -> Project:
        return Project.objects.create(
            team=team_a, created_by=alice, title=title, request=f"A site for {title.lower()}."
        )

    ready = project("Plan ready")
    first = make_version(ready, user=alice)
    latest = make_version(ready, user=alice, feedback="Also keep invoices.", tasks=first.tasks[:4])
    running = make_run(
        make_version(project("Run going")),
        status=Run.Status.RUNNING,
        statuses={"architect": TaskRun.Status.SUCCEEDED, "backend-1": TaskRun.Status.RUNNING},
    )
    failed = make_run(
        make_version(project("Run failed")),
        status=Run.Status.FAILED,
        statuses={
            "architect": TaskRun.Status.SUCCEEDED,
            "backend-1": TaskRun.Status.FAILED,
            "frontend-2": TaskRun.Status.SKIPPED,
        },
    )
    done_version = make_version(project("Run done"))
    done = make_run(
        done_version,
        status=Run.Status.SUCCEEDED,
        statuses={task["key"]: TaskRun.Status.SUCCEEDED for task in done_version.tasks},
    )
    make_artifact(done, "README.md", "# Run done\n\nHow to start it.\n")
    make_artifact(done, "backend/app/main.py", "def main() -> None:\n    print('hello')\n")
    LLMCall.objects.create(
        project=ready,
        plan_version=first,
        provider="openai",
        model="gpt",
        prompt="Plan it.",
        prompt_chars=8,
        response="{}",
        response_chars=2,
        error="The answer was not JSON.",
    )

    checked = project("Checks failed")
    red = make_verified_run(
        checked,
        verify=TaskRun.Status.FAILED,
        status=Run.Status.FAILED,
        error="Checks failed: Back end: type errors (after 1 repair round).",
    )
    make_check(red, "installs", note="reused installed dependencies")
    make_check(red, "tests", passed=False, counts={"passed": 10, "failed": 2}, output="✕ a deliberately failing test\n")
    make_repair(red, 1, reasoning="The last test expected 1 + 1 to be 3.")
    make_check(red, "tests", round=1, counts={"passed": 12, "failed": 0})
    make_check(
        red,
        "types",
        round=1,
        passed=False,
        output="src/wrong.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.\n" * 3,
    )

    proven = _proven_criteria(project("Criteria proven"))

    planning = project("Being planned")
    planning.planning_status = Project.PlanningStatus.PLANNING
    planning.save(update_fields=["planning_status"])
    unplanned = project("Not planned")
    unplanned.planning_status, unplanned.planning_error = (
        Project.PlanningStatus.FAILED,
        "The planner could not be reached.",
    )
    unplanned.save(update_fields=["planning_status", "planning_error"])

    shed = project("Tool shed")
    tool_shed, bakery = rich_spec("tool-shed"), rich_spec("bakery")
    make_version(shed, user=alice, tasks=spec_tasks(tool_shed), spec=tool_shed.model_dump(mode="json"))
    grown = make_version(shed, user=alice, tasks=spec_tasks(bakery), spec=bakery.model_dump(mode="json"))
    s = f"/projects/{shed.pk}"

    # Features a model builds, each with its criteria under it; an app of features only has no back end.
    games = project("Snake game")
    snake = planned_spec("A snake game in the browser with a high-score table")
    make_version(games, user=alice, tasks=spec_tasks(snake, features=True), spec=snake.model_dump(mode="json"))
    converters = project("Converter")
    converter = planned_spec("A unit converter for cooking measurements").model_copy(
        update={"entities": [], "summaries": [], "auth": False, "criteria": []}
    )
    converter = converter.model_copy(update={"criteria": derive_criteria(converter)})
    make_version(
        converters, user=alice, tasks=spec_tasks(converter, features=True), spec=converter.model_dump(mode="json")
    )

    p, r = f"/projects/{ready.pk}", f"/projects/{done_version.project_id}/runs/{done.pk}"
    g = f"/projects/{running.plan_version.project_id}"
    admin = "/admin/orchestration"
    return [
        Visit("log-in page", "/login/", "Username", user=None),
        Visit(
            "log-in page, wrong password",
            "/login/",
            "did not match",
            user=None,
            then=_log_in_as("alice", "not the password"),
        ),
        Visit("project list", "/projects/", "Run going"),
        Visit("new project form", "/projects/new/", "What should we build?"),
        Visit(
            "new project form with errors",
            "/projects/new/",
            "Please describe what you would like us to build.",
            then=_send_without("#id_request", "Plan my project"),
        ),
        Visit("project page, planning", f"/projects/{planning.pk}/", "drawing up a plan"),
        Visit("project page, planning failed", f"/projects/{unplanned.pk}/", "The planner could not be reached."),
        Visit("project page, plan ready", f"{p}/", "Run this plan"),
        Visit("project page, run going", f"/projects/{running.plan_version.project_id}/", "Running"),
        Visit("project page, run failed", f"/projects/{failed.plan_version.project_id}/", "the spec names no entities"),
        Visit("project page, run done", f"/projects/{done_version.project_id}/", "as a zip"),
        Visit(
            "project page, checks failed", f"/projects/{checked.pk}/", "error TS2322", then=_open_check("type errors")
        ),
        Visit("run page", f"{r}/", f"Files of run {done.pk}"),
        Visit("plan history", f"{p}/versions/", "Feedback: Also keep invoices."),
        Visit("version page", f"{p}/versions/{latest.pk}/", "Plan version 2"),
        Visit("version edit page", f"{p}/versions/{latest.pk}/edit/", "Edit plan version 2"),
        Visit(
            "version edit page with errors",
            f"{p}/versions/{latest.pk}/edit/",
            "Every task needs a short title.",
            then=_send_without("input[name$='-title']", "Save as a new version"),
        ),
        Visit("compare page", f"{p}/versions/compare/", "Version 1 → version 2"),
        Visit("project page, what we'll build", f"{s}/", "What we’ll build"),
        Visit("project page, features", f"/projects/{games.pk}/", "built by a model"),
        Visit("project page, a website only", f"/projects/{converters.pk}/", "A website only"),
        Visit("data-model editor", f"{s}/versions/{grown.pk}/model/", "Change what we’ll build"),
        Visit(
            "data-model editor with errors",
            f"{s}/versions/{grown.pk}/model/",
            "Your changes were not saved",
            then=_choice_without_options,
        ),
        Visit("compare page, the app's changes", f"{s}/versions/compare/", "What changes in the app"),
        Visit("criteria editor", f"{s}/versions/{grown.pk}/criteria/", "Change what it must do"),
        Visit(
            "criteria editor with errors",
            f"{s}/versions/{grown.pk}/criteria/",
            "Your changes were not saved",
            then=_send_without("textarea[name$='-text']", "Save as a new plan version"),
        ),
        Visit(
            "project page, criteria proven",
            f"/projects/{proven.plan_version.project_id}/",
            "Expected: 404",
            then=_open_criterion("find-customer"),
        ),
        Visit("files page", f"{r}/files/", "README.md"),
        Visit("file page", f"{r}/files/backend/app/main.py", "main.py"),
        Visit("message: nothing to download", f"{p}/download.zip", "There is nothing to download yet"),
        Visit(
            "message: plan changed (error)",
            f"{p}/",
            "The plan changed since you looked at it",
            then=_post_then_open(f"{p}/run/", {"version": str(first.pk)}, f"{p}/"),
        ),
        Visit(
            "message: run cancelled (success)",
            f"{g}/",
            f"Run {running.pk} is cancelled",
            then=_post_then_open(f"{g}/runs/{running.pk}/cancel/", {}, f"{g}/runs/{running.pk}/"),
        ),
        Visit("403 page", f"{p}/versions/{latest.pk}/edit/", "You cannot do that here", user="victor"),
        Visit("404 page", "/projects/999999/", "We could not find that page"),
        Visit("admin index", "/admin/", "Site administration", user="staff"),
        Visit("admin project list", "/admin/projects/project/", "Run going", user="staff"),
        Visit("admin project page", f"/admin/projects/project/{ready.pk}/change/", "Plan ready", user="staff"),
        Visit("admin plan version list", f"{admin}/planversion/", "compare with previous", user="staff"),
        Visit(
            "admin plan version page", f"{admin}/planversion/{latest.pk}/change/", "Also keep invoices.", user="staff"
        ),
        Visit("admin plan compare", f"{admin}/planversion/compare/{ready.pk}/", "Version 1 → version 2", user="staff"),
        Visit("admin run list", f"{admin}/run/", "1 failed", user="staff"),
        Visit("admin run page", f"{admin}/run/{failed.pk}/change/", "the spec names no entities", user="staff"),
        Visit("admin task-run list", f"{admin}/taskrun/", "backend-1", user="staff"),
        Visit(
            "admin task-run page",
            f"{admin}/taskrun/{failed.task_runs.get(key='backend-1').pk}/change/",
            "the spec names no entities",
            user="staff",
        ),
        Visit("admin LLM call list", f"{admin}/llmcall/", "openai", user="staff"),
        Visit(
            "admin run page with checks", f"{admin}/run/{red.pk}/change/", "reused installed dependencies", user="staff"
        ),
        Visit("admin run page with criteria", f"{admin}/run/{proven.pk}/change/", "Expected: 404", user="staff"),
        Visit("admin check list", f"{admin}/check/?status__exact=failed", "types", user="staff"),
        Visit(
            "admin check page", f"{admin}/check/{red.checks.get(name='types').pk}/change/", "error TS2322", user="staff"
        ),
    ]


def _proven_criteria(project: Project) -> Run:
    """A finished run of the bakery whose checks proved its first criterion, failed its second and could not prove the rest."""
    spec = rich_spec("bakery")
    run = make_run(
        make_version(project, tasks=[BACKEND_TASK, VERIFY_TASK], spec=spec.model_dump(mode="json")),
        statuses={"backend-1": TaskRun.Status.SUCCEEDED, "verify": TaskRun.Status.FAILED},
        status=Run.Status.FAILED,
    )
    verify = run.task_runs.get(key="verify")
    TaskAttempt.objects.create(task_run=verify, number=1, started_at=verify.started_at, succeeded=False)
    for n, criterion in enumerate(spec.criteria):
        status = ["passed", "failed"][n] if n < 2 else "not_proven"
        tests = (
            [
                {
                    "part": "backend",
                    "file": "tests/criteria.test.ts",
                    "name": f"{criterion.id}: works",
                    "status": status,
                    "message": "Expected: 404\nReceived: 201" if status == "failed" else "",
                }
            ]
            if n < 2
            else []
        )
        CriterionResult.objects.create(
            run=run,
            task_run=verify,
            attempt=1,
            round=0,
            criterion=criterion.id,
            text=criterion.text,
            status=status,
            note="No test tagged with its id ran." if n >= 2 else "",
            tests=tests,
        )
    return run


def _open_criterion(criterion: str) -> Callable[[Page], None]:
    """Opens a criterion of "What it must do" to the tests that check it."""

    def open_it(page: Page) -> None:
        page.locator(f'#criteria details[data-criterion="{criterion}"] summary').click()

    return open_it


def _open_check(words: str) -> Callable[[Page], None]:
    """Opens the Checks panel's line of the check that says `words`, to its command and output."""

    def open_it(page: Page) -> None:
        page.locator("#checks summary", has_text=words).first.click()

    return open_it


def _log_in_as(username: str, password: str = PASSWORD) -> Callable[[Page], None]:
    def log_in(page: Page) -> None:
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()

    return log_in


def _context(chromium: Browser, base_url: str, viewport: dict, axe: str, username: str | None) -> BrowserContext:
    # An init script reaches the page through the browser's debugging protocol, which the app's
    # Content-Security-Policy does not govern: axe runs with the policy in force, as people see the page.
    context = chromium.new_context(viewport=viewport, base_url=base_url)
    context.set_default_timeout(30_000)
    context.add_init_script(script=axe)
    if username:
        page = context.new_page()
        page.goto("/login/")
        _log_in_as(username)(page)
        page.close()
    return context


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_page_has_a_serious_or_critical_accessibility_problem(
    browser,
    live_server,
    axe,
    viewport,
    alice,
    team_a,  # noqa: F811
    victor,
    staff,
):
    visits = _visits(alice, team_a)
    contexts: dict[str | None, BrowserContext] = {}
    found: dict[str, list[Violation]] = {}
    for visit in visits:
        if visit.user not in contexts:
            contexts[visit.user] = _context(browser, live_server.url, viewport, axe, visit.user)
        page = contexts[visit.user].new_page()
        page.goto(visit.url)
        if visit.then:
            visit.then(page)
        expect(page.get_by_text(visit.shows).first).to_be_visible()
        found[visit.name] = audit(page)
        page.close()
    for context in contexts.values():
        context.close()

    summary = _summary(found, viewport)
    Path(SUMMARY.format(width=viewport["width"])).write_text(summary)
    print(summary)
    blocking = {name: [v for v in violations if v.blocking] for name, violations in found.items()}
    problems = "\n".join(f"{name}:\n" + "\n".join(f"  {v}" for v in vs) for name, vs in blocking.items() if vs)
    assert not problems, f"Serious or critical accessibility problems at {viewport['width']} px:\n{problems}"


def _summary(found: dict[str, list[Violation]], viewport: dict) -> str:
    impacts = ["critical", "serious", "moderate", "minor"]
    width = max(map(len, found))
    lines = [
        f"axe-core {AXE_VERSION} at {viewport['width']}x{viewport['height']}: violations (rules) per page",
        f"{'page':<{width}}  " + "  ".join(f"{i:>8}" for i in impacts) + "  rules",
    ]
    for name, violations in found.items():
        counts = [sum(v.impact == i for v in violations) for i in impacts]
        rules = ", ".join(sorted({v.rule for v in violations}))
        lines.append(f"{name:<{width}}  " + "  ".join(f"{c:>8}" for c in counts) + f"  {rules}")
    lines += ["", "Each violation:"] + [f"{name}: {v}" for name, violations in found.items() for v in violations]
    return "\n".join(lines) + "\n"


def test_a_cached_axe_core_that_is_not_the_published_one_is_refused_and_removed(tmp_path):
    tarball = tmp_path / f"axe-core-{AXE_VERSION}.tgz"
    tarball.write_bytes(b"not axe-core")
    with pytest.raises(AssertionError, match=f"is not the published axe-core {AXE_VERSION}"):
        axe_source(tmp_path)
    assert not tarball.exists()


def test_without_npm_the_audit_is_skipped_on_a_laptop_and_fails_in_ci(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no npm on the path
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="axe-core could not be fetched"):
        axe_source(tmp_path)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(AssertionError, match="need npm to fetch axe-core"):
        axe_source(tmp_path)

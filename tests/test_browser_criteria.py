"""Changing what the app must do in a real browser (Debian's Chromium), before Run: a person rewords an
acceptance criterion, saves it as a new version, runs it on a real worker cluster, and finds their
words in the generated criteria tests; and the open page shows each criterion proven as the checks prove it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orchestration.models import CriterionResult, Run, TaskRun
from orchestration.planning import plan_project
from projects.models import Project
from testbed.clusters import Cluster

from .test_browser import DESKTOP, _log_in, browser  # noqa: F401 (the browser fixture)
from .test_criteria_page import _checked_run, _test

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REQUEST = "A tool library: members borrow tools, each loan has a due date and a returned date. Tools have a condition."
MINE = "Only a logged-in volunteer may add, change or remove members, tools and loans; anyone else is turned away."


def test_a_person_rewords_a_criterion_runs_it_and_finds_their_words_in_the_generated_tests(
    browser,
    live_server,
    alice,  # noqa: F811
    project_a,
):
    Project.objects.filter(pk=project_a.pk).update(request=REQUEST)
    project_a.refresh_from_db()
    plan_project(project_a, provider_name="offline")
    with Cluster(workers=2) as cluster:
        try:
            _reword_and_run(browser, live_server.url, project_a)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n--- cluster log ---\n{cluster.log()}") from failure


def _reword_and_run(chromium, base_url: str, project: Project) -> None:
    page = _log_in(chromium, base_url, "alice", DESKTOP)
    page.goto(f"/projects/{project.pk}/")
    must_do = page.locator("#criteria")
    expect(must_do).to_contain_text("Only people who are logged in can add, change or remove")

    page.get_by_role("link", name="Change what it must do").click()
    expect(page.get_by_role("heading", name="Change what it must do")).to_be_visible()
    page.get_by_label(re.compile(r"^Criterion \d+ login$")).fill(MINE)
    page.get_by_role("button", name="Save as a new plan version").click()

    expect(page.locator(".messages")).to_contain_text(
        re.compile(r"Saved as plan version 2: reworded criterion login now says")
    )
    expect(must_do).to_contain_text(MINE)
    expect(must_do).not_to_contain_text("Only people who are logged in can add, change or remove")

    page.get_by_role("button", name="Run this plan").click()
    expect(page.locator("#run-percent")).to_have_text("100 %", timeout=240_000)
    page.get_by_role("link", name=re.compile(r"^Files of run")).click()
    files = page.get_by_role("navigation", name="Generated files")
    files.get_by_role("link", name="criteria.test.ts", exact=True).click()
    source = page.locator(".source")
    expect(source).to_contain_text(MINE)
    expect(source).not_to_contain_text("Only people who are logged in can add, change or remove")


def test_the_open_page_shows_the_criteria_as_the_checks_prove_them_and_keeps_an_opened_one_open(
    browser,
    live_server,
    alice,  # noqa: F811
    project_a,
):
    run = _checked_run(
        project_a, ("records-tool", "failed", "", [_test("records-tool: adds a tool", "failed", "boom")])
    )
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING, finished_at=None)
    TaskRun.objects.filter(run=run, key="verify").update(status=TaskRun.Status.RUNNING, finished_at=None)
    page = _log_in(browser, live_server.url, "alice", DESKTOP)
    page.goto(f"/projects/{project_a.pk}/")
    page.locator('#criteria details[data-criterion="records-tool"] summary').click()
    expect(page.locator("#criteria")).not_to_contain_text("✓ Proven")

    verify = run.task_runs.get(key="verify")
    for criterion in ("records-tool", "login"):
        CriterionResult.objects.create(
            run=run,
            task_run=verify,
            attempt=1,
            round=1,
            criterion=criterion,
            text="?",
            status="passed",
            tests=[_test(f"{criterion}: works")],
        )
    login = page.locator('#criteria details[data-criterion="login"]')
    expect(login).to_contain_text("✓ Proven Only people who are logged in")
    expect(page.locator("#criteria")).to_contain_text("2 of 16 proven by the run’s tests after repair round 1.")
    expect(page.locator('#criteria details[data-criterion="records-tool"]')).to_have_attribute("open", "")
    expect(login).not_to_have_attribute("open", "")

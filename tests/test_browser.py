"""A new user's whole journey in a real browser (Debian's Chromium) against the live app, with a
real django-q2 cluster doing the planning and the run."""

from __future__ import annotations

import re
import zipfile

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from orchestration.models import Run, TaskRun
from testbed.clusters import Cluster

from .conftest import PASSWORD
from .ui_helpers import make_run, make_version, plan_tasks

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
REQUEST = "An appointment booking site for a dog groomer, with customers, their dogs and appointments."
FEEDBACK = "Also keep track of invoices for each appointment, with an amount and a paid flag."


@pytest.fixture
def browser(monkeypatch) -> Browser:
    # Playwright's sync API keeps an event loop in this thread, which makes Django refuse ORM
    # calls from the test itself; nothing async shares those connections, so allow them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _log_in(
    browser: Browser, base_url: str, username: str, viewport: dict, *, csp_errors: list[str] | None = None
) -> Page:
    """A logged-in page; the browser's reports of anything the Content-Security-Policy blocked go to csp_errors."""
    page = browser.new_page(viewport=viewport, accept_downloads=True, base_url=base_url)
    page.set_default_timeout(30_000)
    if csp_errors is not None:
        page.on(
            "console",
            lambda message: (
                csp_errors.append(page.url + " " + message.text) if "Content Security Policy" in message.text else None
            ),
        )
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
    return page


def test_a_new_user_plans_runs_downloads_and_replans_a_project(browser, live_server, alice, tmp_path):
    with Cluster(workers=2) as cluster:
        try:
            _new_user_journey(browser, live_server.url, tmp_path)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n--- cluster log ---\n{cluster.log()}") from failure


def _new_user_journey(browser: Browser, base_url: str, tmp_path) -> None:
    csp_errors: list[str] = []
    page = _log_in(browser, base_url, "alice", DESKTOP, csp_errors=csp_errors)

    page.get_by_role("link", name="New project").first.click()
    page.get_by_label("What should we build?").fill(REQUEST)
    page.get_by_role("button", name="Plan my project").click()

    # The page reloads itself when the plan is ready; running it is the approval.
    run_button = page.get_by_role("button", name="Run this plan")
    expect(run_button).to_be_visible(timeout=90_000)
    expect(page.get_by_role("heading", name="Plan version 1")).to_be_visible()
    nodes = page.locator("svg.dag g.node")
    assert nodes.count() >= 5
    expect(page.locator("ol.tasks > li")).to_have_count(nodes.count())
    expect(page.locator("ol.tasks")).to_contain_text("architect")
    page.screenshot(path="/tmp/autodevos-plan-desktop.png", full_page=True)

    run_button.click()
    expect(page.locator("#run-percent")).to_have_text("100 %", timeout=240_000)
    expect(page.locator("#status-text")).to_contain_text(re.compile(r"Run \d+ succeeded: all \d+ tasks finished\."))
    expect(page.locator("svg.dag g.node.status-succeeded")).to_have_count(nodes.count())
    # Each task's timing bar was drawn, without an inline style.
    assert float(page.locator(".gantt-bar").first.get_attribute("width")) > 0
    page.screenshot(path="/tmp/autodevos-run-desktop.png", full_page=True)
    project_url = page.url

    page.get_by_role("link", name=re.compile(r"^Files of run")).click()
    page.get_by_role("navigation", name="Generated files").get_by_role("link", name="README.md").first.click()
    expect(page.locator(".source .highlight")).to_be_visible()
    expect(page.get_by_role("heading", name="README.md")).to_be_visible()

    page.goto(project_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download run \d+ \(plan version 1\) as a zip$")).click()
    archive = tmp_path / "project.zip"
    download_info.value.save_as(archive)
    names = zipfile.ZipFile(archive).namelist()
    assert any(name.endswith("README.md") for name in names) and len(names) > 10

    page.get_by_text("Re-plan with feedback").click()
    page.get_by_label("What should change in the plan?").fill(FEEDBACK)
    page.get_by_role("button", name="Make a new plan").click()
    expect(page.get_by_role("heading", name="Plan version 2")).to_be_visible(timeout=90_000)

    page.get_by_role("link", name="Plan history").click()
    expect(page.locator("ol.versions > li").first).to_contain_text(f"Feedback: {FEEDBACK}")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="Version 1 → version 2")).to_be_visible()
    expect(page.locator(".plan-diff")).to_contain_text("changed")
    assert csp_errors == []

    phone = _log_in(browser, base_url, "alice", PHONE)
    phone.goto(project_url)
    expect(phone.get_by_role("heading", name="Plan version 2")).to_be_visible()
    phone.screenshot(path="/tmp/autodevos-project-phone.png", full_page=True)
    # At phone width the page itself never scrolls sideways; only the diagram's own box does.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_viewer_has_no_run_button_and_the_post_is_refused(browser, live_server, victor, project_a):
    version = make_version(project_a)
    page = _log_in(browser, live_server.url, "victor", DESKTOP)
    page.get_by_role("link", name=project_a.title).click()
    expect(page.get_by_role("heading", name="Plan version 1")).to_be_visible()
    expect(page.get_by_text("you can view this project but not change it")).to_be_visible()
    expect(page.get_by_role("button", name="Run this plan")).to_have_count(0)

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"/projects/{project_a.pk}/run/", form={"csrfmiddlewaretoken": token, "version": str(version.pk)}
    )
    assert response.status == 403
    assert "Viewers can look at this project but not change it." in response.text()
    assert not version.runs.exists()


def _failed_twelve_task_run(project) -> Run:
    tasks = plan_tasks(12)
    tasks[1]["title"] = "Build the appointment booking API with reminders for customers and their dogs"
    tasks[2]["title"] = "MANAGE WAREHOUSE INVENTORY AND WORKSHOP MACHINES"
    version = make_version(project, tasks=tasks)
    statuses = {task["key"]: TaskRun.Status.SUCCEEDED for task in version.tasks[:6]}
    statuses |= {"tests-3": TaskRun.Status.FAILED, "docs-4": TaskRun.Status.FAILED, "devops-5": TaskRun.Status.SKIPPED}
    return make_run(version, statuses=statuses, status=Run.Status.FAILED)


def test_a_failed_run_of_a_twelve_task_plan_reads_well_on_desktop_and_phone(browser, live_server, alice, project_a):
    run = _failed_twelve_task_run(project_a)
    url = f"/projects/{project_a.pk}/"
    page = _log_in(browser, live_server.url, "alice", DESKTOP)
    page.goto(url)
    expect(page.locator("#status-text")).to_have_text(f"Run {run.pk} failed: 2 of 12 tasks failed and 1 was skipped.")
    expect(page.locator("#run-percent")).to_have_text("Failed")
    assert page.locator("#run-progress").evaluate("bar => getComputedStyle(bar).accentColor") == "rgb(179, 38, 30)"
    expect(page.get_by_text("Retry the failed tasks, edit the plan, or re-plan with feedback.")).to_be_visible()
    # Every line of every title fits inside its node at the font the browser really uses.
    widest = page.locator("svg.dag .node-title tspan").evaluate_all(
        "lines => Math.max(...lines.map(l => l.getComputedTextLength()))"
    )
    assert widest <= float(page.locator("svg.dag rect").first.get_attribute("width")) - 20
    expect(page.get_by_text("Scroll sideways to see the whole plan.")).to_be_hidden()
    page.screenshot(path="/tmp/ui-fixes-failed-desktop.png", full_page=True)

    phone = _log_in(browser, live_server.url, "alice", PHONE)
    phone.goto(url)
    expect(phone.get_by_text("Scroll sideways to see the whole plan.")).to_be_visible()
    phone.screenshot(path="/tmp/ui-fixes-failed-phone-status.png")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    region = phone.get_by_role("region", name="Plan diagram")
    for _ in range(40):  # the diagram's box is on the Tab path: keyboard users can reach it
        phone.keyboard.press("Tab")
        if region.evaluate("box => box === document.activeElement"):
            break
    expect(region).to_be_focused()
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function("box => box.scrollLeft > 0", arg=region.element_handle(), timeout=5_000)
    phone.screenshot(path="/tmp/ui-fixes-failed-phone-diagram.png")
    phone.screenshot(path="/tmp/ui-fixes-failed-phone.png", full_page=True)


def test_the_open_page_turns_red_with_words_when_the_run_fails(browser, live_server, alice, project_a):
    run = make_run(
        make_version(project_a), statuses={"architect": TaskRun.Status.SUCCEEDED, "backend-1": TaskRun.Status.RUNNING}
    )
    page = _log_in(browser, live_server.url, "alice", DESKTOP)
    page.goto(f"/projects/{project_a.pk}/")
    expect(page.locator("#run-percent")).to_have_text("20 %")
    run.task_runs.filter(key="backend-1").update(status=TaskRun.Status.FAILED, error="The agent stopped.")
    run.task_runs.exclude(key__in=["architect", "backend-1"]).update(status=TaskRun.Status.SKIPPED)
    Run.objects.filter(pk=run.pk).update(status=Run.Status.FAILED)
    expect(page.locator("#status-text")).to_have_text(f"Run {run.pk} failed: 1 of 5 tasks failed and 3 were skipped.")
    expect(page.locator("#run-progress-row")).to_have_class("progress-row run-failed")
    expect(page.locator("#run-percent")).to_have_text("Failed")


def test_a_long_paste_is_counted_kept_whole_and_refused_in_words(browser, live_server, alice):
    page = _log_in(browser, live_server.url, "alice", PHONE)
    page.goto("/projects/new/")
    box = page.get_by_label("What should we build?")
    box.fill("A" * 3950)
    expect(page.locator("#id_request_count")).to_have_text("3,950 of 4,000 characters")
    box.fill("A shop for hats." * 1250)
    assert box.evaluate("box => box.value.length") == 20_000
    expect(page.locator("#id_request_count")).to_contain_text("16,000 too many")
    page.get_by_role("button", name="Plan my project").click()
    expect(page.get_by_text("it has 20,000 characters, and we read at most 4,000").first).to_be_visible()
    assert page.get_by_label("What should we build?").evaluate("box => box.value.length") == 20_000
    page.screenshot(path="/tmp/ui-fixes-long-request-phone.png", full_page=True)


def test_the_admins_task_list_shows_status_and_error_without_scrolling_at_1280(browser, live_server, staff, project_a):
    _failed_twelve_task_run(project_a)
    page = _log_in(browser, live_server.url, "staff", DESKTOP)
    page.goto("/admin/orchestration/taskrun/")
    page.screenshot(path="/tmp/ui-fixes-admin-taskruns.png", full_page=True)
    results = page.locator(".results")
    assert results.evaluate("box => box.scrollWidth <= box.clientWidth"), results.evaluate(
        "box => [box.scrollWidth, box.clientWidth]"
    )
    for column in ["Status", "Error"]:
        header = page.get_by_role("columnheader", name=column)
        assert header.bounding_box()["x"] + header.bounding_box()["width"] <= DESKTOP["width"]
    page.screenshot(path="/tmp/ui-fixes-admin-taskruns.png", full_page=True)

"""Changing a plan in a real browser (Debian's Chromium): a person corrects what was understood only
through the data-model editor and finds the change in the generated files and the compare page; and
each edit that would make a plan unable to run is refused, in words, before anyone presses Run."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from orchestration.planning import plan_project
from projects.models import Project
from testbed.clusters import Cluster

from .test_browser import DESKTOP, PHONE, _log_in, browser  # noqa: F401, F811 (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The offline planner reads no mechanics, no repair status and no link between them in this.
REQUEST = "A site for my bike repair shop where customers drop off bikes for repairs."


def test_a_person_fixes_a_misunderstood_request_with_the_data_model_editor_and_runs_it(
    browser, live_server, alice, tmp_path
):
    with Cluster(workers=2) as cluster:
        try:
            _fix_and_run(browser, live_server.url)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n--- cluster log ---\n{cluster.log()}") from failure


def _fix_and_run(browser, base_url: str) -> None:
    page = _log_in(browser, base_url, "alice", DESKTOP)
    page.get_by_role("link", name="New project").first.click()
    page.get_by_label("What should we build?").fill(REQUEST)
    page.get_by_role("button", name="Plan my project").click()
    expect(page.get_by_role("button", name="Run this plan")).to_be_visible(timeout=90_000)
    built = page.locator("#what-we-build")
    expect(built).to_have_attribute("open", "")
    expect(built).not_to_contain_text("Mechanic")
    first = built.locator(".records li strong").first.inner_text()  # e.g. "Customers"
    project_url = page.url

    page.get_by_role("link", name="Change what we’ll build").click()
    expect(page.get_by_role("heading", name="Change what we’ll build")).to_be_visible()
    page.screenshot(path="/tmp/autodevos-model-editor-desktop.png", full_page=True)
    new_record = page.get_by_role("group", name="Add a record (optional)")
    new_record.get_by_label("Name of the record").fill("Mechanic")
    new_record.get_by_label("New detail").first.fill("name")
    record = page.get_by_role("group", name=re.compile(r"^Record: ")).first
    record_name = record.get_by_label("Name of the record").input_value()
    record.get_by_label("New detail").fill("repair status")
    record.get_by_label("Kind").last.select_option(label="choice")
    record.get_by_label("Options, for a choice").last.fill("waiting, repairing, done")
    # A record added on this page joins the link lists once the page is drawn again; nothing is lost.
    page.get_by_role("button", name="Add another link").click()
    expect(
        page.get_by_role("group", name="Add a record (optional)").first.get_by_label("Name of the record")
    ).to_have_value("Mechanic")
    page.get_by_label("Each", exact=True).last.select_option(label=record_name)
    page.get_by_label("How", exact=True).last.select_option(label="may be for one")
    page.get_by_label("Record", exact=True).last.select_option(label="Mechanic")
    page.get_by_role("button", name="Save as a new plan version").click()

    expect(page.locator(".messages")).to_contain_text("Saved as plan version 2: added record Mechanic (name)")
    expect(page.locator(".messages")).to_contain_text("repair status (choice: waiting, repairing, done)")
    expect(built).to_contain_text("Mechanics — name (text, optional)")
    expect(built).to_contain_text(f"Each {record_name} may be for one Mechanic.")
    expect(built).to_contain_text("repair status (waiting / repairing / done, optional)")
    assert first != "Mechanics"
    page.screenshot(path="/tmp/autodevos-model-edited-desktop.png", full_page=True)

    page.get_by_role("button", name="Run this plan").click()
    expect(page.locator("#run-percent")).to_have_text("100 %", timeout=240_000)
    page.get_by_role("link", name=re.compile(r"^Files of run")).click()
    files = page.get_by_role("navigation", name="Generated files")
    expect(files.get_by_role("link", name="mechanics.ts", exact=True)).to_have_count(1)
    files.get_by_role("link", name="spec.json").click()
    expect(page.locator(".source")).to_contain_text('"repairStatus"')
    expect(page.locator(".source")).to_contain_text('"Mechanic"')

    page.goto(project_url)
    page.get_by_role("link", name="Plan history").click()
    page.get_by_role("button", name="Compare").click()
    changes = page.locator(".plan-diff")
    expect(changes).to_contain_text(re.compile(r"added record Mechanic \(name\)", re.IGNORECASE))
    expect(changes).to_contain_text(re.compile(f"{record_name} now links to Mechanic", re.IGNORECASE))

    phone = _log_in(browser, base_url, "alice", PHONE)
    phone.goto(project_url)
    phone.get_by_role("link", name="Change what we’ll build").click()
    phone.screenshot(path="/tmp/autodevos-model-editor-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.goto(project_url)
    phone.screenshot(path="/tmp/autodevos-model-edited-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _edit(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name=re.compile(r"^Edit plan version"))).to_be_visible()


def _task(page: Page, title: str):
    return page.get_by_role("group", name=re.compile(f"^Task “{re.escape(title)}”"))


def _refused(page: Page, *said: str) -> None:
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("The plan was not saved")
    for words in said:
        expect(summary).to_contain_text(words)


def test_each_unsafe_edit_is_refused_with_the_reason_before_anyone_runs_it(browser, live_server, alice, project_a):
    Project.objects.filter(pk=project_a.pk).update(
        request="A tool library where members borrow tools and loans have a due date; also suppliers and repairs."
    )
    project_a.refresh_from_db()
    version = plan_project(project_a, provider_name="offline")
    url = f"/projects/{project_a.pk}/versions/{version.pk}/edit/"
    page = _log_in(browser, live_server.url, "alice", DESKTOP)

    _edit(page, url)
    _task(page, "Design the data model and API contract").get_by_label("Remove this task").check()
    page.get_by_role("button", name="Save as a new version").click()
    _refused(page, "No task writes spec/spec.json", "put back the architect's task")
    expect(_task(page, "Design the data model and API contract").get_by_label("Remove this task")).to_be_checked()

    _edit(page, url)
    new = page.get_by_role("group", name="Add a task (optional)")
    new.get_by_label("Title").fill("Build the booking API")
    new.get_by_label("Agent").select_option("backend")
    page.get_by_role("button", name="Save as a new version").click()
    _refused(
        page,
        "“Build the booking API” would write files that “Build the API core”",
        "Each file can come from one task only",
    )

    _edit(page, url)
    _task(page, "Build the API core").get_by_label("Remove this task").check()
    page.get_by_role("button", name="Save as a new version").click()
    _refused(page, "No task builds part of the back end", "so it would not run")

    _edit(page, url)
    _task(page, "Design the data model and API contract").get_by_label("Add end-to-end tests").check()
    page.get_by_role("button", name="Save as a new version").click()
    _refused(page, "go round in a circle", "“Design the data model and API contract”")
    page.screenshot(path="/tmp/autodevos-unsafe-edit-desktop.png", full_page=True)

    # Replacing the docs task with one that waits for nothing is mended, and the page says how.
    _edit(page, url)
    _task(page, "Write the README and API reference").get_by_label("Remove this task").check()
    new = page.get_by_role("group", name="Add a task (optional)")
    new.get_by_label("Title").fill("Write a user guide")
    new.get_by_label("Agent").select_option("docs")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".messages")).to_contain_text(
        "Saved as plan version 2. While checking it: “Write a user guide” now waits for “Design the data model and API contract”"
    )
    assert project_a.plan_versions.count() == 2

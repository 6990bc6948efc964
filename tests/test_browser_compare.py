"""The compare page on a phone, in a real browser (Debian's Chromium): the two versions stack one above
the other, so the page never scrolls sideways; only the folded JSON scrolls, inside its own box."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from orchestration.planning import plan_project

from .test_browser import PHONE, _log_in, browser  # noqa: F401 (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_compare_page_fits_a_phone_screen(browser, live_server, alice, project_a):  # noqa: F811
    plan_project(project_a, user=alice, provider_name="offline")
    plan_project(project_a, user=alice, provider_name="offline", feedback="Also keep invoices, vets and reminders")
    page = _log_in(browser, live_server.url, "alice", PHONE)
    page.goto(reverse("projects:compare", args=[project_a.pk]))
    expect(page.get_by_role("heading", name="Version 1 → version 2")).to_be_visible()
    expect(page.locator(".plan-diff-app")).to_contain_text("Added record Invoice")
    page.get_by_text("Technical detail: the plans as JSON").click()
    json_box = page.get_by_role("region", name="The tasks of version 1 and version 2 as JSON, line by line")
    expect(json_box).to_be_visible()
    page.screenshot(path="/tmp/autodevos-compare-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The JSON's long lines scroll inside their own box, which the keyboard can reach.
    assert json_box.evaluate("box => box.scrollWidth > box.clientWidth")
    json_box.focus()
    assert json_box.evaluate("box => document.activeElement === box")

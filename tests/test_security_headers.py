"""What every answer tells the browser: where scripts and styles may come from, which device features
are off, and that a team's pages, files and zips are never kept in a cache."""

import re

import pytest
from django.urls import reverse

from orchestration.models import Run

from .ui_helpers import make_artifact, make_run, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(project_a) -> dict[str, str]:
    version = make_version(project_a)
    make_version(project_a, tasks=version.tasks[:3])  # so the compare page shows a diff
    run = make_run(version, status=Run.Status.SUCCEEDED)
    make_artifact(run, "README.md", "# Hello\n")
    p, r = project_a.pk, run.pk
    return {
        "list": reverse("projects:list"),
        "new": reverse("projects:new"),
        "detail": reverse("projects:detail", args=[p]),
        "status": reverse("projects:status", args=[p]),
        "versions": reverse("projects:versions", args=[p]),
        "compare": reverse("projects:compare", args=[p]),
        "version": reverse("projects:version", args=[p, version.pk]),
        "edit": reverse("projects:edit_version", args=[p, version.pk]),
        "run": reverse("projects:run", args=[p, r]),
        "files": reverse("projects:files", args=[p, r]),
        "file": reverse("projects:file", args=[p, r, "README.md"]),
        "zip": reverse("projects:download", args=[p]),
        "run zip": reverse("projects:run_download", args=[p, r]),
    }


def test_every_page_has_a_content_security_policy_without_inline_code(client, alice, urls):
    client.force_login(alice)
    for name in ("list", "detail", "file", "status"):
        policy = client.get(urls[name])["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy, name
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy, name
    assert "script-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]


def test_no_page_carries_an_inline_script_or_style_the_policy_would_block(client, alice, urls):
    client.force_login(alice)
    for name, url in urls.items():
        if "zip" in name or name == "status":
            continue
        page = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page), name
        assert not re.search(r"<style\b|\sstyle=\"|\son[a-z]+=", page), name


def test_the_admin_pages_staff_use_carry_no_inline_script_or_style(client, staff, urls, project_a):
    client.force_login(staff)
    run = Run.objects.get()
    for url in (
        reverse("admin:index"),
        reverse("admin:orchestration_run_change", args=[run.pk]),
        reverse("admin:orchestration_planversion_compare", args=[project_a.pk]),
        reverse("task_workers"),
    ):
        page = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page), url
        assert not re.search(r"<style\b|\sstyle=\"|\son[a-z]+=", page), url


def test_device_features_are_switched_off(client, alice, urls):
    client.force_login(alice)
    policy = client.get(urls["detail"])["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_project_pages_files_and_zips_are_never_cached(client, alice, urls):
    client.force_login(alice)
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, name

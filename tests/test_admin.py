"""Staff review everything in the admin; the admin shows the task workers that are running."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_staff_can_open_every_registered_model_in_the_admin(client, staff, project_a):
    client.force_login(staff)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_django_q_admin_pages_are_present(client, staff):
    client.force_login(staff)
    assert apps.is_installed("django_q")
    names = ["schedule", "failure", "success"] + ([] if settings.REDIS_URL else ["ormq"])
    for name in names:
        assert client.get(reverse(f"admin:django_q_{name}_changelist")).status_code == 200


@pytest.mark.django_db
def test_a_team_member_cannot_open_the_admin(client, alice):
    client.force_login(alice)
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("task_workers")).status_code == 302


@pytest.mark.django_db
def test_the_workers_page_says_when_no_cluster_runs(client, staff):
    client.force_login(staff)
    page = client.get(reverse("task_workers")).content.decode()
    assert "No task worker cluster is running" in page


@pytest.mark.scaleout
@pytest.mark.django_db(transaction=True)
def test_the_workers_page_shows_a_running_cluster(client, staff):
    db = settings.DATABASES["default"]
    url = (
        f"sqlite:///{db['NAME']}"
        if db["ENGINE"].endswith("sqlite3")
        else (f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    )
    env = {**os.environ, "DATABASE_URL": url, "Q_WORKERS": "1"}
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client.force_login(staff)
        deadline = time.monotonic() + 30
        page = ""
        while time.monotonic() < deadline:
            page = client.get(reverse("task_workers")).content.decode()
            # A cluster shows "Starting" for a moment before its workers are ready.
            if "Idle" in page or "Working" in page:
                break
            time.sleep(0.5)
        assert "No task worker cluster is running" not in page
        assert "Idle" in page or "Working" in page, page
    finally:
        cluster.terminate()
        cluster.wait(timeout=20)

"""What people pressing, guessing or tampering can do: password guessing, Run pressed several times
at once, odd ids in query strings, a plan-edit form with forged counts."""

import threading

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from orchestration.models import Run
from orchestration.runs import RunAlreadyActive, cancel_run, start_run

from .conftest import PASSWORD
from .ui_helpers import make_run, make_version

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


def _log_in(client, url: str, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _guess_until_locked(client, url: str, username: str, address: str = "10.0.0.1") -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, url, username, WRONG, address)


# --- Log-in throttling --------------------------------------------------------------------


def test_the_right_password_is_refused_after_too_many_wrong_ones(client, alice):
    first = _log_in(client, reverse("login"), "alice", WRONG)
    assert "did not match" in first.content.decode()
    _guess_until_locked(client, reverse("login"), "alice")

    response = _log_in(client, reverse("login"), "alice", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many log-in attempts" in page
    assert f"Please wait {int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)} minutes" in page
    assert not _logged_in(client)


def test_guesses_at_one_account_from_many_addresses_lock_that_account(client, alice):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, reverse("login"), "alice", WRONG, address=f"10.0.1.{n}")

    response = _log_in(client, reverse("login"), "alice", PASSWORD, address="10.0.2.1")

    assert response.status_code == 429 and not _logged_in(client)


def test_guesses_at_many_accounts_from_one_address_lock_that_address(client, alice, bob):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, reverse("login"), f"someone-{n}", WRONG, address="10.0.3.1")

    assert _log_in(client, reverse("login"), "alice", PASSWORD, address="10.0.3.1").status_code == 429
    assert not _logged_in(client)
    # Alice herself, from her own address, is not held up by someone else's guessing.
    _log_in(client, reverse("login"), "alice", PASSWORD, address="10.0.4.1")
    assert _logged_in(client)


def test_the_admin_log_in_is_throttled_too(client, staff):
    _guess_until_locked(client, reverse("admin:login"), "staff")

    response = _log_in(client, reverse("admin:login"), "staff", PASSWORD)

    assert response.status_code == 429 and "Too many log-in attempts" in response.content.decode()
    assert not _logged_in(client)


def test_staff_unlock_an_account_in_the_admin(client, alice, staff):
    _guess_until_locked(client, reverse("login"), "alice")
    admin = Client()
    admin.force_login(staff)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "alice" in listing
    attempt = AccessAttempt.objects.get(username="alice")
    assert WRONG not in attempt.post_data  # a near-miss password is as good as the password

    admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    _log_in(client, reverse("login"), "alice", PASSWORD)
    assert _logged_in(client)


# --- One active run per project -------------------------------------------------------------


def test_starting_a_project_that_is_running_is_refused(project_a):
    version = make_version(project_a)
    first = start_run(version)

    with pytest.raises(RunAlreadyActive, match="A run is already going"):
        start_run(version)

    assert list(Run.objects.all()) == [first]


def test_a_project_runs_again_once_its_run_has_ended(project_a):
    version = make_version(project_a)
    cancel_run(start_run(version))

    assert start_run(version).status == Run.Status.RUNNING
    assert Run.objects.count() == 2


def test_a_failed_run_is_not_retried_while_a_newer_run_is_going(client, bob, project_a):
    version = make_version(project_a)
    first_key = version.tasks[0]["key"]
    failed = make_run(version, status=Run.Status.FAILED, statuses={first_key: "failed"})
    going = start_run(version)
    client.force_login(bob)

    page = client.post(reverse("projects:retry_run", args=[project_a.pk, failed.pk]), follow=True)

    assert "Another run of this project is going" in page.content.decode()
    failed.refresh_from_db()
    assert failed.status == Run.Status.FAILED
    assert failed.task_runs.get(key=first_key).status == "failed"
    assert list(Run.objects.filter(status=Run.Status.RUNNING)) == [going]


@pytest.mark.django_db(transaction=True)
@pytest.mark.scaleout
def test_three_run_presses_at_once_start_one_run(bob, project_a):
    version = make_version(project_a)
    clients = [Client() for _ in range(3)]
    for client in clients:
        client.force_login(bob)
    barrier = threading.Barrier(len(clients))
    pages: list[str] = []

    def press(client: Client) -> None:
        try:
            barrier.wait()
            response = client.post(
                reverse("projects:start_run", args=[project_a.pk]), {"version": version.pk}, follow=True
            )
            pages.append(response.content.decode())
        finally:
            connections.close_all()

    presses = [threading.Thread(target=press, args=(client,)) for client in clients]
    for thread in presses:
        thread.start()
    for thread in presses:
        thread.join(timeout=60)

    assert Run.objects.count() == 1
    assert sum("started. You can watch each task below." in page for page in pages) == 1
    assert sum("A run is already going for this project." in page for page in pages) == 2


# --- Ids in query strings ---------------------------------------------------------------------


@pytest.mark.parametrize("odd", ["²", "①", "1²", "abc"])
def test_an_odd_run_id_in_the_status_poll_is_a_bad_request(client, alice, project_a, odd):
    make_run(make_version(project_a))
    client.force_login(alice)

    response = client.get(reverse("projects:status", args=[project_a.pk]), {"run": odd})

    assert response.status_code == 400
    assert response.json() == {"error": "run must be the number of a run of this project."}


def test_a_run_id_too_big_for_the_database_is_not_found(client, alice, project_a):
    make_run(make_version(project_a))
    client.force_login(alice)

    response = client.get(reverse("projects:status", args=[project_a.pk]), {"run": "9" * 30})

    assert response.status_code == 404


@pytest.mark.parametrize("odd", ["²", "①"])
def test_odd_version_ids_on_the_compare_page_are_not_found(client, alice, project_a, odd):
    version = make_version(project_a)
    make_version(project_a)
    client.force_login(alice)

    response = client.get(reverse("projects:compare", args=[project_a.pk]), {"a": odd, "b": version.pk})

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_odd_version_numbers_on_the_admin_compare_page_show_the_latest_change(client, staff, project_a):
    make_version(project_a)
    make_version(project_a)
    client.force_login(staff)

    response = client.get(reverse("admin:orchestration_planversion_compare", args=[project_a.pk]), {"a": "²", "b": "①"})

    assert response.status_code == 200
    assert response.context["old"].number == 1 and response.context["new"].number == 2


# --- Forged counts in the plan-edit form ----------------------------------------------------------


def _edit_form(version, **counts) -> dict:
    data = {
        "tasks-TOTAL_FORMS": len(version.tasks) + 1,
        "tasks-INITIAL_FORMS": len(version.tasks),
        "tasks-MIN_NUM_FORMS": 0,
        "tasks-MAX_NUM_FORMS": 40,
    }
    for i, task in enumerate(version.tasks):
        data.update(
            {
                f"tasks-{i}-title": task["title"],
                f"tasks-{i}-agent": task["agent"],
                f"tasks-{i}-instructions": task["instructions"],
                f"tasks-{i}-depends_on": task["depends_on"],
            }
        )
    data.update({f"tasks-{name}": value for name, value in counts.items()})
    return data


@pytest.mark.parametrize(
    "counts",
    [
        {"INITIAL_FORMS": 0},
        {"INITIAL_FORMS": -1},
        {"INITIAL_FORMS": 2},
        {"TOTAL_FORMS": -5},
        {"TOTAL_FORMS": 100_000_000},
        {"TOTAL_FORMS": 41},
    ],
)
def test_a_plan_edit_with_forged_form_counts_is_refused_before_any_form_is_built(client, bob, project_a, counts):
    version = make_version(project_a)
    client.force_login(bob)

    response = client.post(
        reverse("projects:edit_version", args=[project_a.pk, version.pk]), _edit_form(version, **counts)
    )

    assert response.status_code == 400
    assert "Please reload it and make your edit again." in response.content.decode()
    assert response.context["formset"].forms == []
    assert project_a.plan_versions.count() == 1

"""Team sharing on every page: members act, viewers only look, outsiders see nothing, every change is a POST with CSRF."""

import pytest
from django.test import Client
from django.urls import reverse

from orchestration.models import Run, TaskRun

from .ui_helpers import make_artifact, make_run, make_version

pytestmark = [pytest.mark.django_db, pytest.mark.scaleout]


@pytest.fixture
def team_a_run(project_a):
    version = make_version(project_a)
    run = make_run(version, statuses={"architect": TaskRun.Status.FAILED}, status=Run.Status.FAILED)
    make_artifact(run, "README.md", "# Hello\n")
    return run


def _pages(project, run) -> list[str]:
    version = run.plan_version
    names_args = [
        ("list", []),
        ("new", []),
        ("detail", [project.pk]),
        ("status", [project.pk]),
        ("versions", [project.pk]),
        ("compare", [project.pk]),
        ("version", [project.pk, version.pk]),
        ("run", [project.pk, run.pk]),
        ("files", [project.pk, run.pk]),
        ("file", [project.pk, run.pk, "README.md"]),
        ("run_download", [project.pk, run.pk]),
    ]
    return [reverse(f"projects:{name}", args=args) for name, args in names_args]


def _actions(project, run) -> list[str]:
    return [
        reverse("projects:start_run", args=[project.pk]),
        reverse("projects:replan", args=[project.pk]),
        reverse("projects:cancel_run", args=[project.pk, run.pk]),
        reverse("projects:retry_run", args=[project.pk, run.pk]),
        reverse("projects:edit_version", args=[project.pk, run.plan_version.pk]),
    ]


def test_every_team_member_and_viewer_can_open_every_page(client, alice, bob, victor, project_a, team_a_run):
    for user in (alice, bob, victor):
        client.force_login(user)
        for url in _pages(project_a, team_a_run):
            assert client.get(url).status_code == 200, (user, url)


def test_a_viewer_sees_no_buttons_that_change_the_project(client, victor, project_a, team_a_run):
    client.force_login(victor)
    page = client.get(reverse("projects:run", args=[project_a.pk, team_a_run.pk])).content.decode()
    assert "you can view this project but not change it" in page
    for label in ("Retry failed tasks", "Cancel run", "Run this plan", "Edit plan", "Re-plan with feedback"):
        assert label not in page
    assert "Run this plan" not in client.get(reverse("projects:detail", args=[project_a.pk])).content.decode()


def test_a_member_sees_the_buttons(client, bob, project_a, team_a_run):
    client.force_login(bob)
    assert (
        "Retry failed tasks" in client.get(reverse("projects:run", args=[project_a.pk, team_a_run.pk])).content.decode()
    )
    page = client.get(reverse("projects:detail", args=[project_a.pk])).content.decode()
    assert "Run this plan again" in page and "Edit plan" in page and "Re-plan with feedback" in page


def test_a_viewer_is_refused_every_action_and_nothing_changes(client, victor, project_a, team_a_run):
    client.force_login(victor)
    for url in _actions(project_a, team_a_run):
        response = client.post(url, {"version": team_a_run.plan_version.pk, "feedback": "more"})
        assert response.status_code == 403, url
        assert "Viewers can look at this project but not change it." in response.content.decode()
    assert Run.objects.count() == 1
    assert project_a.plan_versions.count() == 1
    team_a_run.refresh_from_db()
    assert team_a_run.status == Run.Status.FAILED


def test_actions_do_not_answer_get(client, bob, project_a, team_a_run):
    client.force_login(bob)
    for url in _actions(project_a, team_a_run)[:4]:
        assert client.get(url).status_code == 405, url


def test_actions_need_the_csrf_token(bob, project_a, team_a_run):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    for url in _actions(project_a, team_a_run):
        assert client.post(url, {"version": team_a_run.plan_version.pk}).status_code == 403, url
    assert Run.objects.count() == 1


def test_outsiders_get_404_on_every_page_and_action(client, charlie, project_a, team_a_run):
    client.force_login(charlie)
    for url in _pages(project_a, team_a_run)[2:] + _actions(project_a, team_a_run):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url).status_code in (404, 405), url


def test_a_run_of_another_project_is_404_under_this_project(client, alice, charlie, project_a, project_b, team_a_run):
    from projects.models import Membership

    Membership.objects.create(user=charlie, team=project_a.team, role=Membership.Role.MEMBER)
    other_run = make_run(make_version(project_b))
    client.force_login(charlie)
    assert client.get(reverse("projects:run", args=[project_a.pk, other_run.pk])).status_code == 404
    assert client.get(reverse("projects:status", args=[project_a.pk]), {"run": other_run.pk}).status_code == 404
    assert client.post(reverse("projects:cancel_run", args=[project_a.pk, other_run.pk])).status_code == 404


def test_the_project_list_offers_new_projects_only_to_people_who_can_make_them(client, bob, victor, project_a):
    client.force_login(victor)
    assert 'class="button" href="/projects/new/"' not in client.get(reverse("projects:list")).content.decode()
    client.force_login(bob)
    assert 'class="button" href="/projects/new/"' in client.get(reverse("projects:list")).content.decode()

"""Who sees what: team members see their team's projects, nobody else does, viewers change nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from projects.access import get_project_for_user
from projects.models import Project

from .conftest import PASSWORD
from .ui_helpers import make_artifact, make_run, make_version

pytestmark = [pytest.mark.django_db, pytest.mark.scaleout]


def _team_a_urls(project: Project) -> list[str]:
    """Every URL of the projects app that names a team-A object, filled in with team A's ids
    (a plan version, a run of it and one of its files are made here so every URL can be filled)."""
    version = make_version(project)
    run = make_run(version)
    make_artifact(run, "README.md", "# Team A only\n")
    kwargs_for = {"project_id": project.pk, "version_id": version.pk, "run_id": run.pk, "path": "README.md"}
    urls = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace == "projects" and p.pattern.converters:
                names = set(p.pattern.converters)
                if names <= set(kwargs_for):
                    urls.append(reverse(f"projects:{p.name}", kwargs={n: kwargs_for[n] for n in names}))

    walk(get_resolver().url_patterns, None)
    return urls


def test_anonymous_requests_go_to_the_login_page(client, project_a):
    response = client.get(reverse("projects:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    response = client.get(reverse("projects:detail", args=[project_a.pk]))
    assert response.url.startswith(reverse("login"))


def test_the_login_page_logs_a_member_in(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.context["user"].username == "alice"


def test_team_members_see_their_teams_projects(client, bob, project_a):
    client.force_login(bob)
    response = client.get(reverse("projects:list"))
    assert project_a.title in response.content.decode()
    assert client.get(reverse("projects:detail", args=[project_a.pk])).status_code == 200


def test_charlie_never_sees_team_a_projects_in_the_list(client, charlie, project_a, project_b):
    client.force_login(charlie)
    page = client.get(reverse("projects:list")).content.decode()
    assert project_b.title in page
    assert project_a.title not in page


def test_charlie_gets_404_on_every_team_a_url(client, charlie, project_a):
    client.force_login(charlie)
    urls = _team_a_urls(project_a)
    assert urls, "expected the projects app to have URLs that name a project"
    for url in urls:
        # Actions answer only POST and pages only GET; whichever the URL answers must be a 404,
        # shown as the app's own page (never Django's debug page, which lists every URL pattern).
        responses = [client.get(url), client.post(url)]
        assert {r.status_code for r in responses} <= {404, 405}, url
        not_found = [r for r in responses if r.status_code == 404]
        assert not_found, url
        for response in not_found:
            page = response.content.decode()
            assert "We could not find that page" in page and "URLconf" not in page, url


def test_visible_to_returns_only_the_users_teams(alice, charlie, project_a, project_b):
    assert list(Project.objects.visible_to(alice)) == [project_a]
    assert list(Project.objects.visible_to(charlie)) == [project_b]


def test_a_viewer_sees_but_cannot_edit(victor, bob, project_a):
    assert list(Project.objects.visible_to(victor)) == [project_a]
    assert get_project_for_user(bob, project_a.pk, edit=True) == project_a
    assert get_project_for_user(victor, project_a.pk) == project_a
    with pytest.raises(PermissionDenied, match="Viewers can look at this project but not change it."):
        get_project_for_user(victor, project_a.pk, edit=True)


def test_a_user_in_two_teams_sees_the_list_grouped_by_team(client, alice, team_b, project_a, project_b):
    from projects.models import Membership

    Membership.objects.create(user=alice, team=team_b, role=Membership.Role.MEMBER)
    client.force_login(alice)
    page = client.get(reverse("projects:list")).content.decode()
    assert page.index("Team A") < page.index(project_a.title) < page.index("Team B") < page.index(project_b.title)


def test_a_server_error_shows_the_apps_own_page(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/projects/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()

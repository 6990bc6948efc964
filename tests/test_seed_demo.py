"""`make run`'s demo data: created once, passwords printed once and usable."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command

from projects.models import Membership

pytestmark = pytest.mark.django_db


def test_seed_demo_prints_working_credentials_once(capsys, rf):
    # Log-in throttling (django-axes) checks each log-in against the request it came with.
    login = rf.post("/login/")
    call_command("seed_demo")
    first = capsys.readouterr().out
    credentials = dict(re.findall(r"username=(\S+) password=(\S+)", first))
    assert set(credentials) == {"demo", "admin"}
    assert authenticate(login, username="demo", password=credentials["demo"]) is not None
    admin = authenticate(login, username="admin", password=credentials["admin"])
    assert admin is not None and admin.is_staff

    call_command("seed_demo")
    second = capsys.readouterr().out
    assert "password=" not in second
    assert authenticate(login, username="demo", password=credentials["demo"]) is not None
    assert Membership.objects.filter(team__name="Demo team").count() == 2


def test_the_demo_login_is_a_team_member_as_the_readme_says(capsys):
    call_command("seed_demo")
    roles = dict(Membership.objects.filter(team__name="Demo team").values_list("user__username", "role"))
    assert roles == {"demo": Membership.Role.MEMBER, "admin": Membership.Role.OWNER}
    assert "(the `demo` user is a team member)" in (settings.BASE_DIR / "README.md").read_text()

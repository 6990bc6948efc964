import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from projects.models import Membership, Project, Team
from testbed.verify import CACHE

PASSWORD = "correct-horse-battery-staple"
# Files a scripted model returns as a generated project's: the generated project's tests, not ours.
collect_ignore_glob = ["fixtures/*"]
# The execution tests' plans name the probe agent (agents/probe.py), which the site never loads;
# testbed/clusters.py passes this on to the worker processes it starts.
settings.AGENTS_EXTRA = [*settings.AGENTS_EXTRA, "agents.probe"]


@pytest.fixture
def team_a(db) -> Team:
    return Team.objects.create(name="Team A")


@pytest.fixture
def team_b(db) -> Team:
    return Team.objects.create(name="Team B")


def _user(username: str, team: Team, role: str = Membership.Role.MEMBER, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    Membership.objects.create(user=user, team=team, role=role)
    return user


@pytest.fixture
def alice(team_a):
    return _user("alice", team_a, Membership.Role.OWNER)


@pytest.fixture
def bob(team_a):
    return _user("bob", team_a, Membership.Role.MEMBER)


@pytest.fixture
def charlie(team_b):
    """In another team: must never see team A's data."""
    return _user("charlie", team_b, Membership.Role.OWNER)


@pytest.fixture
def victor(team_a):
    """A viewer in team A: sees everything, may change nothing."""
    return _user("victor", team_a, Membership.Role.VIEWER)


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser(username="staff", password=PASSWORD, email="staff@example.com")


@pytest.fixture
def project_a(alice, team_a) -> Project:
    return Project.objects.create(
        team=team_a,
        created_by=alice,
        title="Dog groomer bookings",
        request="An appointment booking site for a dog groomer, with customers, dogs and appointments.",
    )


@pytest.fixture
def project_b(charlie, team_b) -> Project:
    return Project.objects.create(
        team=team_b, created_by=charlie, title="Bakery for Charlie", request="A small web shop."
    )


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory):
    """`get(stack, scripts)`: a node_modules folder for one TypeScript stack, installed once per test
    session from the package.json and lockfile the stack writes (they are the same for every spec,
    so one install serves every generated project). Without scripts, nothing compiles: enough for
    the formatters and linters."""
    from tests.node_projects import install

    installed = {}

    def get(stack, scripts: bool = False):
        key = (stack.name, scripts)
        if key not in installed:
            installed[key] = install(stack, tmp_path_factory.mktemp(f"{stack.name}-modules"), scripts=scripts)
        return installed[key]

    return get


@pytest.fixture
def verify_settings(settings):
    """The verify stage on, in the bubblewrap sandbox, with the installs kept between sessions."""
    settings.VERIFY_CHECKS = True
    settings.VERIFY_SANDBOX = "bwrap"
    settings.VERIFY_UNSANDBOXED_OFFLINE = False
    settings.VERIFY_CACHE_DIR = CACHE
    return settings

"""The back ends' extension points for features: the scaffold carries the core that finds features
(Express's src/features/index.ts, FastAPI's app/features/), each stack says where a feature's files
go and how it plugs in, and — with the real toolchain, through the verify agent — the scaffold passes
every check with no feature, and with the loan reminders feature a scripted model would write
(tests/fixtures/backend_features/) too, its tagged tests proving its criterion."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.criteria import derive_criteria
from agents.extraction import extract_spec
from agents.generators.naming import normalise_spec
from agents.spec import Criterion, CriterionAbout, Feature, Spec, StackChoice
from agents.stacks import get_stack
from testbed.verify import Recorded, generated, verify

REQUEST = "members borrow tools; email a reminder the day before a loan is due"
LOAN_REMINDERS = Feature(
    name="loanReminders",
    title="Loan reminders",
    part="backend",
    text="The day before a loan is due, its member is sent a reminder to return the tool, unless it is back already.",
)
CRITERION = "feature-loan-reminders"
FIXTURES = Path(__file__).with_name("fixtures") / "backend_features"
BACKENDS = ["express", "fastapi"]


def reminders_spec(backend: str, *, auth: bool = True) -> Spec:
    """The offline reading of REQUEST on `backend`, with no website, the loan reminders feature and
    the criteria the planner derives (one of them the feature's)."""
    spec = normalise_spec(extract_spec(REQUEST))
    spec = spec.model_copy(
        update={
            "stack": StackChoice(backend=backend),
            "frontend": False,
            "auth": auth,
            "features": [LOAN_REMINDERS],
        }
    )
    return spec.model_copy(update={"criteria": derive_criteria(spec)})


def fixture_files(backend: str) -> dict[str, str]:
    """The loan reminders feature as a scripted model writes it for `backend`, paths from the project root."""
    root = FIXTURES / backend
    return {str(path.relative_to(root)): path.read_text() for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_express_scaffold_carries_the_module_that_finds_features():
    files = get_stack("express").files(reminders_spec("express"), ["core"])
    assert "export function loadFeatures(" in files["backend/src/features/index.ts"]
    assert "mountFeatures(Router(), { prisma, guard }, loadFeatures())" in files["backend/src/app.ts"]
    assert "startJobs(loadFeatures(), prisma);" in files["backend/src/server.ts"]
    assert not [path for path in files if path.startswith("backend/src/features/") and path.count("/") > 3]


def test_the_fastapi_scaffold_carries_the_package_that_finds_features():
    files = get_stack("fastapi").files(reminders_spec("fastapi"), ["core"])
    assert "def load_features() -> list[Feature]:" in files["backend/app/features/__init__.py"]
    assert "lifespan=run_jobs" in files["backend/app/main.py"]
    assert files["backend/tests/features/__init__.py"] == ""  # feature tests are modules of one package
    assert not [path for path in files if path.startswith("backend/app/features/") and path.count("/") > 3]


def test_the_format_checks_leave_the_model_written_folders_to_lint_and_types():
    express = get_stack("express").files(reminders_spec("express"), ["core"])
    assert {"src/features/*/", "tests/features/"} <= set(express["backend/.prettierignore"].split())
    fastapi = get_stack("fastapi").files(reminders_spec("fastapi"), ["core"])
    assert 'exclude = ["app/features/*/**", "tests/features/*/**"]' in fastapi["backend/pyproject.toml"]


@pytest.mark.parametrize(
    "backend, area",
    [
        ("express", ("backend/src/features/loanReminders/", "backend/tests/features/loanReminders/")),
        ("fastapi", ("backend/app/features/loan_reminders/", "backend/tests/features/loan_reminders/")),
    ],
)
def test_a_features_files_go_in_its_own_folders_which_hold_the_fixture(backend, area):
    assert get_stack(backend).feature_area(reminders_spec(backend), LOAN_REMINDERS) == area
    assert all(path.startswith(area) for path in fixture_files(backend))


def test_the_express_guide_shows_the_interface_the_imports_and_the_tag():
    guide = get_stack("express").feature_guide(reminders_spec("express"), LOAN_REMINDERS)
    assert "export function mount(router: Router, { prisma, guard }: FeatureDeps): void {" in guide
    assert "export interface Job {\n      name: string;\n      everyMinutes: number;" in guide
    assert 'const PATH = "/api/features/loan-reminders";' in guide
    assert "model Loan {" in guide and "returnedOn DateTime?" in guide
    assert "await runJob(jobs[0], api.prisma, " in guide
    assert f'it("{CRITERION}: <what the test shows, in words>"' in guide
    assert f"- {CRITERION}: The day before a loan is due" in guide
    assert "res.locals.user is the account" in guide


def test_the_fastapi_guide_shows_the_interface_the_imports_and_the_tag():
    guide = get_stack("fastapi").feature_guide(reminders_spec("fastapi"), LOAN_REMINDERS)
    assert "class Job:\n        name: str\n        every_minutes: int\n        run: Callable[[JobDeps], None]" in guide
    assert 'router = APIRouter(prefix="/api/features/loan-reminders", tags=["Loan reminders"])' in guide
    assert "from app.models import Loan, Member, Tool, User" in guide
    assert "class Loan(Record):\n        due_on: Mapped[dt.date | None]" in guide
    assert "class Credentials" not in guide  # a schema, not a table
    assert "run_job(jobs[0], sessions, " in guide
    assert f'record_property("criterion", "{CRITERION}")' in guide
    assert "from app.auth import CurrentUser, require_user" in guide


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_guide_without_log_ins_says_every_route_is_open(backend):
    guide = get_stack(backend).feature_guide(reminders_spec(backend, auth=False), LOAN_REMINDERS)
    assert "this app has none" in guide
    assert "require_user" not in guide and "res.locals.user" not in guide


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_guide_lists_the_criteria_the_team_agreed_for_the_feature(backend):
    spec = reminders_spec(backend)
    agreed = Criterion(
        id="own-1",
        text="A loan returned early gets no reminder.",
        by="person",
        about=CriterionAbout(kind="feature", name="loanReminders"),
    )
    guide = get_stack(backend).feature_guide(spec.model_copy(update={"criteria": [agreed]}), LOAN_REMINDERS)
    assert "- own-1: A loan returned early gets no reminder." in guide
    assert CRITERION not in guide


# --- with the real toolchain, in the verify stage's sandbox ------------------------------------


def verified(backend: str, extra: dict[str, str]) -> Recorded:
    files, spec = generated(REQUEST, reminders_spec(backend), agents=["backend", "tests"])
    hooks = Recorded()
    verify(files | extra, spec, hooks)
    failed = [(c.words, c.output[-3000:]) for c in hooks.checks if not c.passed]
    assert not failed, failed
    return hooks


# The scaffold with no feature (its features folder empty) is what every verify test checks (tests/test_verify.py).


@pytest.mark.slow
@pytest.mark.usefixtures("verify_settings")
@pytest.mark.parametrize("backend", BACKENDS)
def test_with_the_reminders_feature_every_check_passes_and_its_tagged_tests_prove_it(backend):
    hooks = verified(backend, fixture_files(backend))
    tests = next(c for c in hooks.checks if c.name == "tests")
    tagged = [t for t in tests.tests if t.criterion == CRITERION]
    assert len(tagged) == 3 and all(t.status == "passed" for t in tagged)
    assert all("features/" in t.file for t in tagged)
    [outcome] = [o for o in hooks.criteria[0] if o.id == CRITERION]
    assert outcome.status == "passed"

"""The FastAPI stack: which files a project gets, what a task scoped to one entity writes, how
awkward field names are carried, and what the devops and docs agents get from it."""

import ast
import re
import tomllib
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from pydantic import TypeAdapter, ValidationError

from agents.generators.naming import normalise_spec
from agents.openapi import list_parameters, summary_path
from agents.spec import Spec
from agents.stacks import get_stack, stacks_for
from testbed.rich_specs import rich_spec
from tests.strategies import specs

STACK = get_stack("fastapi")


def clinic(auth: bool = True) -> Spec:
    return normalise_spec(
        Spec.model_validate(
            {
                "app_name": "clinic",
                "title": "Clinic",
                "summary": "Appointments with doctors.",
                "auth": auth,
                "stack": {"backend": "fastapi"},
                "entities": [
                    {
                        "name": "Doctor",
                        "plural": "doctors",
                        "label": "Doctor",
                        "fields": [
                            {"name": "name"},
                            {"name": "email", "type": "email", "unique": True},
                        ],
                    },
                    {
                        "name": "Appointment",
                        "plural": "appointmentSlots",
                        "label": "Appointment",
                        "fields": [
                            {"name": "startsAt", "type": "datetime"},
                            {"name": "class"},
                            {"name": "from", "type": "date", "required": False},
                            {"name": "json", "type": "int"},
                            {"name": "metadata", "type": "text", "required": False},
                        ],
                        "relations": [{"name": "doctor", "target": "Doctor"}],
                    },
                ],
            }
        )
    )


def _generated_value_types() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(STACK.files(clinic(), [])["backend/app/fields.py"], "fields.py", "exec"), namespace)
    return namespace


# What the contract and the Express back end (its validation.ts) accept and refuse.
@pytest.mark.parametrize(
    ("kind", "value", "accepted"),
    [
        ("Integer", 2**31 - 1, True),
        ("Integer", 2**31, False),
        ("Integer", -(2**31), True),
        ("Integer", -(2**31) - 1, False),
        ("Integer", 3.0, True),
        ("Integer", "3", False),
        ("RecordId", 1, True),
        ("RecordId", 0, False),
        ("RecordId", 2**31, False),
        ("Email", "Someone+tag@mail.example.com", True),
        ("Email", "someone@example", False),
        ("Email", "some one@example.com", False),
        ("Email", "someone.@example.com", False),
        ("Email", "someone@-example.com", False),
        ("Email", "émile@example.com", False),
        ("Email", "someone@example.com\n", False),
        # JavaScript's \s: U+FEFF is a space and U+0085 is not.
        ("Email", "\ufeffsomeone@example.com", False),
        ("ShortText", "\ufeff", False),
        ("ShortText", "\x85", True),
        ("ShortText", " x ", True),
        ("ShortText", "", False),
        # Lengths in characters: an emoji is one.
        ("ShortText", "🎉" * 200, True),
        ("ShortText", "🎉" * 201, False),
        ("OptionalShortText", "", True),
        ("Day", "2024-02-29", True),
        ("Day", "2023-02-29", False),
        ("Day", "20240101", False),
        ("Day", "2024-01-01T00:00:00Z", False),
        ("Moment", "2030-01-02T09:30:00Z", True),
        ("Moment", "2030-01-02T09:30:00.1234567-05:30", True),
        ("Moment", "2030-01-02T09:30:00", False),
        ("Moment", "2030-01-02T09:30Z", False),
        ("Moment", "2030-01-02 09:30:00Z", False),
        ("Moment", 1893571200, False),
        # decimal numbers within 10^15 either way, as the contract bounds them
        ("Number", 1e15, True),
        ("Number", -1e15, True),
        ("Number", 1.0000001e15, False),
        ("Number", 1.7976931348623155e308, False),
        # the richer schema
        ("Money", "12.5", True),
        ("Money", "-3", True),
        ("Money", "999999999.99", True),
        ("Money", "1234567890", False),
        ("Money", "1.234", False),
        ("Money", 12.5, False),
        ("Money", "1e3", False),
        ("Money", " 1", False),
        ("Money", "", False),
        ("Url", "https://example.com/a?b=c#d", True),
        ("Url", "http://example.com", True),
        ("Url", "ftp://example.com", False),
        ("Url", "https://", False),
        ("Url", "https://exa mple.com", False),
        ("Url", "HTTPS://example.com", False),
        ("Url", "https://" + "a" * 1992, True),
        ("Url", "https://" + "a" * 1993, False),
        ("LinkedIds", [3, 1], True),
        ("LinkedIds", [], True),
        ("LinkedIds", [1, 1], False),
        ("LinkedIds", [0], False),
        ("LinkedIds", list(range(1, 101)), True),
        ("LinkedIds", list(range(1, 102)), False),
        ("LinkedIds", None, False),
        ("IdText", "5", True),
        ("IdText", "5.0", True),
        ("IdText", "0", False),
        ("IdText", "+5", False),
        ("IdText", "2147483648", False),
    ],
)
def test_the_generated_value_types_accept_what_the_contract_and_the_express_back_end_accept(
    kind: str,
    value: object,
    accepted: bool,
) -> None:
    adapter = TypeAdapter(_generated_value_types()[kind])
    try:
        adapter.validate_python(value)
    except ValidationError:
        assert not accepted
    else:
        assert accepted


def test_a_time_is_stored_in_utc() -> None:
    moment = TypeAdapter(_generated_value_types()["Moment"]).validate_python("2030-01-02T09:30:00.5+02:00")
    assert moment.isoformat() == "2030-01-02T07:30:00.500000"


def test_it_is_offered_as_a_back_end() -> None:
    assert "fastapi" in stacks_for("backend")
    assert STACK.root == "backend" and STACK.language == "python"


def test_it_lays_out_a_python_package_with_one_module_per_entity_in_each_layer() -> None:
    files = STACK.files(clinic(), [])
    for layer in ("models", "schemas", "routers"):
        assert f"backend/app/{layer}/doctors.py" in files
        assert f"backend/app/{layer}/appointment_slots.py" in files
    for path in (
        "pyproject.toml",
        "alembic.ini",
        "migrations/env.py",
        "migrations/versions/0001_initial.py",
        "app/main.py",
        "app/auth.py",
        "tests/conftest.py",
        "tests/test_auth.py",
        "tests/test_doctors_api.py",
    ):
        assert f"backend/{path}" in files
    assert all(path.startswith("backend/") for path in files)


def test_every_generated_python_file_parses() -> None:
    for path, text in (STACK.files(clinic(), []) | STACK.journey_files(clinic())).items():
        if path.endswith(".py"):
            ast.parse(text, filename=path)


def test_a_task_scoped_to_one_entity_writes_only_that_entitys_files() -> None:
    files = STACK.files(clinic(), ["Doctor"])
    assert sorted(files) == [
        "backend/app/models/doctors.py",
        "backend/app/routers/doctors.py",
        "backend/app/schemas/doctors.py",
        "backend/tests/test_doctors_api.py",
    ]
    assert "backend/app/main.py" in STACK.files(clinic(), ["core"])
    assert STACK.files(clinic(), ["Nobody"]) == {}


def test_an_api_without_accounts_has_no_auth_module_and_open_writes() -> None:
    files = STACK.files(clinic(auth=False), [])
    assert "backend/app/auth.py" not in files and "backend/tests/test_auth.py" not in files
    assert "require_user" not in files["backend/app/routers/doctors.py"]
    assert "JWT_SECRET" not in STACK.env_example(clinic(auth=False))


def test_field_names_that_are_python_keywords_keep_their_json_names() -> None:
    schemas = STACK.files(clinic(), [])["backend/app/schemas/appointment_slots.py"]
    assert 'class_: ShortText = Field(validation_alias="class")' in schemas
    assert 'from_: Day | None = Field(default=None, validation_alias="from")' in schemas
    assert 'json_: int = Field(serialization_alias="json")' in schemas
    assert 'metadata_: str | None = Field(serialization_alias="metadata")' in schemas
    assert 'starts_at: StoredMoment = Field(serialization_alias="startsAt")' in schemas


def test_a_field_named_l_is_renamed_in_python_since_ruff_refuses_it() -> None:
    spec = clinic().model_copy(deep=True)
    spec.entities[0].fields[0].name = "l"
    models = STACK.files(spec, [])["backend/app/models/doctors.py"]
    assert "    l_: Mapped[str] = mapped_column(String(200))" in models


def test_routes_are_mounted_where_the_contract_puts_them() -> None:
    router = STACK.files(clinic(), [])["backend/app/routers/appointment_slots.py"]
    assert 'router = APIRouter(prefix="/api/appointment-slots"' in router
    assert STACK.api_path(clinic().entities[1]) == "/api/appointment-slots"


def test_the_initial_migration_creates_each_table_after_the_ones_it_points_at() -> None:
    migration = STACK.files(clinic(), [])["backend/migrations/versions/0001_initial.py"]
    assert migration.index('"user"') < migration.index('"doctor"') < migration.index('"appointment"')
    assert (
        'sa.ForeignKeyConstraint(["doctor_id"], ["doctor.id"], name=op.f("fk_appointment_doctor_id"), ondelete="RESTRICT")'
        in migration
    )
    assert 'sa.UniqueConstraint("email", name=op.f("uq_doctor_email"))' in migration


def test_links_that_go_round_in_a_circle_are_added_after_both_tables_exist() -> None:
    spec = Spec.model_validate(
        {
            "app_name": "loop",
            "title": "Loop",
            "summary": "",
            "stack": {"backend": "fastapi"},
            "entities": [
                {
                    "name": "Team",
                    "plural": "teams",
                    "label": "Team",
                    "fields": [{"name": "name"}],
                    "relations": [{"name": "captain", "target": "Player", "required": False}],
                },
                {
                    "name": "Player",
                    "plural": "players",
                    "label": "Player",
                    "fields": [{"name": "name"}],
                    "relations": [{"name": "team", "target": "Team", "required": False}],
                },
            ],
        }
    )
    migration = STACK.files(spec, [])["backend/migrations/versions/0001_initial.py"]
    assert 'batch.create_foreign_key(\n            "fk_team_captain_id",\n            "player",' in migration
    assert 'batch.drop_constraint("fk_team_captain_id", type_="foreignkey")' in migration
    model = STACK.files(spec, [])["backend/app/models/teams.py"]
    assert 'ForeignKey("player.id", ondelete="SET NULL", use_alter=True)' in model


def test_the_pyproject_pins_its_tools_and_configures_them() -> None:
    pyproject = tomllib.loads(STACK.files(clinic(), [])["backend/pyproject.toml"])
    names = [r.split(">")[0].split("[")[0] for r in pyproject["project"]["dependencies"]]
    assert {"fastapi", "sqlalchemy", "alembic", "pyjwt", "pwdlib", "pydantic", "uvicorn"} <= set(names)
    assert all(">=" in r and "<" in r for r in pyproject["project"]["dependencies"])
    assert pyproject["tool"]["mypy"]["strict"] is True
    assert "I" in pyproject["tool"]["ruff"]["lint"]["select"]


@pytest.mark.parametrize("name", ["Base", "Record", "BaseModel", "TestClient", "Row", "O"])
def test_entity_names_that_clash_with_generated_names_are_reserved(name: str) -> None:
    assert name in STACK.reserved_names


def test_the_devops_agent_gets_a_dockerfile_a_compose_service_and_ci_jobs() -> None:
    spec = clinic()
    dockerfile = STACK.devops_files(spec)["backend/Dockerfile"]
    assert dockerfile.count("FROM python:") == 2 and "USER api" in dockerfile
    assert "uvicorn --factory app.main:create_app" in dockerfile and "alembic upgrade head" in dockerfile
    service = STACK.compose_service(spec)
    assert "/api/health" in " ".join(service["healthcheck"]["test"])
    assert service["environment"]["JWT_SECRET"].startswith("${JWT_SECRET:?")
    yaml.safe_dump({"services": {"backend": service}})
    steps = [step.get("run") for step in STACK.github_job(spec)["steps"]]
    assert {"ruff check .", "ruff format --check .", "mypy .", "pytest"} <= set(steps)
    assert "mypy ." in STACK.gitlab_job(spec)["script"]


def test_the_readme_section_and_env_example_say_how_to_run_it() -> None:
    section = STACK.readme_section(clinic())
    assert "alembic upgrade head" in section and "uvicorn --factory app.main:create_app" in section
    assert "JWT_SECRET=" in STACK.env_example(clinic())
    assert "DATABASE_URL=sqlite:///./dev.db" in STACK.env_example(clinic())


def test_the_journey_walks_every_entity() -> None:
    journey = STACK.journey_files(clinic())["backend/tests/test_journey.py"]
    assert journey.index('doctor_row = post("/api/doctors"') < journey.index("appointment_row = post(")
    assert journey.index('client.delete(f"/api/appointment-slots/') < journey.index('client.delete(f"/api/doctors/')


# --- the richer schema: money, web addresses, choices, many-to-many links, owned records, lookups, summaries


@pytest.mark.parametrize(("amount", "shown"), [("12.5", "12.50"), ("-0", "0.00"), ("-0.001", "0.00"), ("-3", "-3.00")])
def test_an_amount_is_answered_with_two_decimals_and_never_as_minus_zero(amount: str, shown: str) -> None:
    from decimal import Decimal

    assert _generated_value_types()["money_text"](Decimal(amount)) == shown


def test_money_is_stored_as_whole_cents_never_as_a_float() -> None:
    files = STACK.files(rich_spec("bakery", backend="fastapi"), [])
    assert "price: Mapped[Decimal] = mapped_column(Cents())" in files["backend/app/models/cakes.py"]
    assert 'sa.Column("price", sa.BigInteger(), nullable=False)' in files["backend/migrations/versions/0001_initial.py"]
    assert "Float" not in files["backend/app/models/cakes.py"]


def test_a_choice_is_one_of_its_options_and_a_create_that_leaves_it_out_gets_its_default() -> None:
    schemas = STACK.files(rich_spec("bakery", backend="fastapi"), [])["backend/app/schemas/orders.py"]
    assert 'STATUS_OPTIONS = Literal[\n    "open",\n    "in progress",\n    "done",\n]' in schemas
    assert 'status: STATUS_OPTIONS = Field(default="open", validation_alias="status")' in schemas


def test_a_many_to_many_link_has_its_own_table_created_after_both_ends() -> None:
    files = STACK.files(rich_spec("bakery", backend="fastapi"), [])
    migration = files["backend/migrations/versions/0001_initial.py"]
    assert migration.index('"cake",') < migration.index('"order__cake",') and migration.index(
        '"order",'
    ) < migration.index('"order__cake",')
    assert (
        'sa.ForeignKeyConstraint(["cake_id"], ["cake.id"], name=op.f("fk_order__cake_cake_id"), ondelete="CASCADE")'
        in migration
    )
    assert 'sa.PrimaryKeyConstraint("order_id", "cake_id", name=op.f("pk_order__cake"))' in migration
    # Dropped before the tables it points at.
    assert migration.index('op.drop_table("order__cake")') < migration.index('op.drop_table("cake")')
    model = files["backend/app/models/orders.py"]
    assert "def cake_ids(self) -> list[int]:" in model and 'order_by="Cake.id"' in model
    schemas = files["backend/app/schemas/orders.py"]
    assert 'cake_ids: LinkedIds = Field(default_factory=list, validation_alias="cakeIds")' in schemas
    assert 'cake_ids: list[int] = Field(serialization_alias="cakeIds")' in schemas


def test_a_link_from_a_record_to_one_of_its_own_kind_names_both_join_columns() -> None:
    spec = Spec.model_validate(
        {
            "app_name": "people",
            "title": "People",
            "summary": "",
            "stack": {"backend": "fastapi"},
            "entities": [
                {
                    "name": "Person",
                    "plural": "people",
                    "label": "Person",
                    "fields": [{"name": "name"}],
                    "relations": [{"name": "friend", "target": "Person", "many": True}],
                }
            ],
        }
    )
    model = STACK.files(spec, [])["backend/app/models/people.py"]
    assert "primaryjoin=lambda: Person.id == friend_links.c.person_id," in model
    assert "secondaryjoin=lambda: Person.id == friend_links.c.friend_id," in model


def test_every_route_of_an_owned_entity_needs_the_callers_account() -> None:
    files = STACK.files(rich_spec("running-club", backend="fastapi"), [])
    router = files["backend/app/routers/runs.py"]
    for route in ("list_records(", "show_record(", "create_record(", "update_record(", "delete_record("):
        signature = router[router.index(f"def {route}") :].split("\n")[0]
        assert "user: CurrentUser" in signature, signature
    assert "find_own(session, Run, id, user.id, NOT_FOUND)" in router
    assert "Run.owner_id == user.id" in router
    assert "class Run(OwnedRecord):" in files["backend/app/models/runs.py"]
    migration = files["backend/migrations/versions/0001_initial.py"]
    assert (
        'sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_run_owner_id"), ondelete="CASCADE")'
        in migration
    )
    # Tags are anyone's, but may list only the caller's own runs.
    tags = files["backend/app/routers/tags.py"]
    assert 'require(session, Run, values.pop("run_ids"), "Run", user_id)' in tags
    assert "def list_records(lookup: Annotated[TagLookup, Query()], session: SessionDep) -> list[TagOut]:" in tags


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(specs(backend="fastapi", max_entities=4))
def test_a_lists_query_parameters_are_the_contracts(spec: Spec) -> None:
    files = STACK.files(spec, [])
    for entity in spec.entities:
        module = STACK.context(spec)["py"][entity.name].module
        lookup = files[f"backend/app/schemas/{module}.py"].split(f"class {entity.name}Lookup(BaseModel):")[1]
        names = re.findall(r'alias="(\w+)"', lookup) + re.findall(r"^    (\w+): [^=]+ = None$", lookup, re.MULTILINE)
        assert sorted(names) == sorted(p["name"] for p in list_parameters(entity))


def test_each_summary_is_served_where_the_contract_puts_it() -> None:
    spec = rich_spec("tool-shed", backend="fastapi")
    summaries = STACK.files(spec, [])["backend/app/summaries.py"]
    for summary in spec.summaries:
        assert f'@router.get("{summary_path(summary).removeprefix("/api/summaries")}")' in summaries
    assert 'router = APIRouter(prefix="/api/summaries"' in summaries
    assert "Loan.still_open()" in summaries
    assert "app.include_router(summaries.router)" in STACK.files(spec, [])["backend/app/main.py"]


def test_a_project_without_summaries_has_no_summary_module() -> None:
    files = STACK.files(clinic(), [])
    assert "backend/app/summaries.py" not in files and "backend/tests/test_summaries.py" not in files

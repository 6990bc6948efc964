"""The offline generators and agents, over specs extracted from varied requests and built by hand."""

import json

import pytest
import yaml

from agents.base import AgentContext, PermanentAgentError
from agents.extraction import extract_spec
from agents.generators.devops import devops_files
from agents.generators.docs import docs_files
from agents.generators.naming import normalise_spec
from agents.openapi import openapi_document
from agents.registry import get_agent
from agents.spec import Spec
from agents.stacks import get_stack
from orchestration.offline_planner import planned_spec

EXPRESS = get_stack("express")
REACT = get_stack("react")


def backend_files(spec: Spec, scope: list[str]) -> dict[str, str]:
    return EXPRESS.files(spec, scope)


def frontend_files(spec: Spec, scope: list[str]) -> dict[str, str]:
    return REACT.files(spec, scope)


def schema_prisma(spec: Spec) -> str:
    return backend_files(spec, ["core"])["backend/prisma/schema.prisma"]


def migration_sql(spec: Spec) -> str:
    return backend_files(spec, ["core"])["backend/prisma/migrations/0_init/migration.sql"]


REQUESTS = [
    "A small clinic appointment system with doctors, patients and appointments; patients book an appointment with a doctor",
    "A library where members borrow books; each loan belongs to a member and a book, with a due date",
    "An inventory tracker for a warehouse: products, suppliers and stock movements",
    "A REST API in Python for tracking gym workouts and exercises",
    "A recipe sharing site where users post recipes with ingredients",
]


def _spec(**changes) -> Spec:
    data = {
        "app_name": "league",
        "title": "League",
        "summary": "Matches between teams.",
        "entities": [
            {"name": "Team", "plural": "teams", "label": "Team", "fields": [{"name": "name", "unique": True}]},
            {
                "name": "Match",
                "plural": "matches",
                "label": "Match",
                "fields": [{"name": "playedOn", "type": "date"}],
                "relations": [{"name": "homeTeam", "target": "Team"}, {"name": "awayTeam", "target": "Team"}],
            },
        ],
    }
    return Spec.model_validate(data | changes)


def _run(agent: str, request: str, upstream: dict[str, str], scope: list[str] | None = None, spec: Spec | None = None):
    context = AgentContext(
        request=request, task_key=agent, title=agent, instructions="", scope=scope or [], upstream=upstream, spec=spec
    )
    return get_agent(agent).run(context)


def _project(request: str) -> dict[str, dict[str, str]]:
    """Each agent's files for the request, offline."""
    spec_files = _run("architect", request, {}, spec=planned_spec(request)).files
    outputs = {"architect": spec_files}
    for agent in ("backend", "frontend", "tests", "docs", "devops"):
        outputs[agent] = _run(agent, request, spec_files).files
    return outputs


@pytest.mark.parametrize("request_text", REQUESTS)
def test_every_entity_gets_a_model_routes_tests_and_a_page(request_text):
    spec = normalise_spec(extract_spec(request_text))
    backend = backend_files(spec, [])
    frontend = frontend_files(spec, [])
    for entity in spec.entities:
        assert f"model {entity.name} {{" in backend["backend/prisma/schema.prisma"]
        assert any(p.startswith("backend/src/routes/") and entity.name[0].lower() in p for p in backend)
        assert f"backend/tests/{_kebab(entity.plural)}.test.ts" in backend
        assert f"frontend/src/pages/{entity.name}Page.tsx" in frontend


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in name)


@pytest.mark.parametrize("request_text", REQUESTS)
def test_no_two_agents_write_the_same_file(request_text):
    outputs = _project(request_text)
    seen: dict[str, str] = {}
    for agent, files in outputs.items():
        for path in files:
            assert path not in seen, f"{path} written by {seen.get(path)} and {agent}"
            seen[path] = agent


def test_the_migration_creates_a_table_per_entity_and_a_foreign_key_per_relation():
    sql = migration_sql(_spec())
    assert 'CREATE TABLE "Team"' in sql and 'CREATE TABLE "Match"' in sql and 'CREATE TABLE "User"' in sql
    assert 'CONSTRAINT "Match_homeTeamId_fkey" FOREIGN KEY ("homeTeamId") REFERENCES "Team" ("id")' in sql
    assert 'CREATE UNIQUE INDEX "Team_name_key" ON "Team"("name");' in sql


def test_two_relations_to_one_entity_get_separate_back_relations():
    schema = schema_prisma(_spec())
    assert 'matchesAsHomeTeam Match[]  @relation("MatchHomeTeam")' in schema
    assert 'matchesAsAwayTeam Match[]  @relation("MatchAwayTeam")' in schema


def test_without_accounts_there_is_no_user_table_and_no_auth_code():
    spec = _spec(auth=False)
    files = backend_files(spec, [])
    assert 'CREATE TABLE "User"' not in migration_sql(spec)
    assert "backend/src/auth.ts" not in files and "backend/tests/auth.test.ts" not in files
    assert "jwtSecret" not in files["backend/src/app.ts"]


def test_an_entity_named_user_keeps_the_login_table_apart():
    spec = _spec(entities=[{"name": "User", "plural": "users", "label": "User", "fields": [{"name": "nickname"}]}])
    schema = schema_prisma(spec)
    assert "model User {" in schema and "model Account {" in schema
    assert "const accounts = prisma.account;" in backend_files(spec, ["core"])["backend/src/auth.ts"]


def test_scope_core_is_the_shared_files_and_an_entity_scope_is_its_own_files():
    spec = _spec()
    everything = backend_files(spec, [])
    core = backend_files(spec, ["core"])
    team = backend_files(spec, ["Team"])
    assert set(team) == {"backend/src/routes/teams.ts", "backend/tests/teams.test.ts"}
    assert "backend/src/routes/index.ts" in core and not set(core) & set(team)
    assert set(core) | set(team) | set(backend_files(spec, ["Match"])) == set(everything)


def test_an_unknown_scope_name_selects_nothing():
    assert backend_files(_spec(), ["Nobody"]) == {}


def test_generation_is_deterministic():
    assert _project(REQUESTS[0]) == _project(REQUESTS[0])


def test_reserved_entity_names_are_renamed_with_their_relations():
    spec = normalise_spec(
        _spec(
            entities=[
                {"name": "Date", "plural": "dates", "label": "Date", "fields": [{"name": "day", "type": "date"}]},
                {
                    "name": "Guest",
                    "plural": "guests",
                    "label": "Guest",
                    "fields": [{"name": "name"}],
                    "relations": [{"name": "date", "target": "Date"}],
                },
            ]
        )
    )
    assert [e.name for e in spec.entities] == ["DateEntry", "Guest"]
    assert spec.entity("Guest").relations[0].target == "DateEntry"


def test_required_relation_cycles_become_optional_so_a_first_row_can_exist():
    spec = normalise_spec(
        _spec(
            entities=[
                {
                    "name": "Person",
                    "plural": "people",
                    "label": "Person",
                    "fields": [{"name": "name"}],
                    "relations": [{"name": "manager", "target": "Person"}, {"name": "desk", "target": "Desk"}],
                },
                {
                    "name": "Desk",
                    "plural": "desks",
                    "label": "Desk",
                    "fields": [{"name": "code"}],
                    "relations": [{"name": "owner", "target": "Person"}],
                },
            ]
        )
    )
    required = {(e.name, r.name) for e in spec.entities for r in e.relations if r.required}
    assert ("Person", "manager") not in required
    assert len(required & {("Person", "desk"), ("Desk", "owner")}) == 1


def test_the_contract_has_crud_paths_for_every_entity_and_secures_writes():
    document = openapi_document(_spec())
    assert set(document["paths"]["/api/teams"]) == {"get", "post"}
    assert set(document["paths"]["/api/matches/{id}"]) == {"parameters", "get", "put", "delete"}
    assert document["paths"]["/api/teams"]["post"]["security"] == [{"bearerAuth": []}]
    assert "security" not in document["paths"]["/api/teams"]["get"]
    assert document["components"]["schemas"]["MatchInput"]["required"] == ["playedOn", "homeTeamId", "awayTeamId"]


def test_without_accounts_the_contract_has_no_auth_routes():
    document = openapi_document(_spec(auth=False))
    assert "/api/auth/login" not in document["paths"]
    assert "security" not in document["paths"]["/api/teams"]["post"]


def test_the_api_reference_lists_every_route_of_the_contract():
    document = openapi_document(_spec())
    reference = docs_files(_spec(), document)["docs/API.md"]
    for path, item in document["paths"].items():
        for method in ("get", "post", "put", "delete"):
            if method in item:
                assert f"`{method.upper()} {path}`" in reference


def test_the_readme_explains_how_to_run_it_and_its_environment():
    readme = docs_files(_spec(), openapi_document(_spec()))["README.md"]
    assert "npm run dev" in readme and "docker compose up" in readme
    assert "`JWT_SECRET`" in readme and "`DATABASE_URL`" in readme


def test_devops_ships_no_secret_and_runs_containers_as_non_root():
    files = devops_files(_spec())
    assert "\nJWT_SECRET=\n" in files[".env.example"]
    compose = yaml.safe_load(files["docker-compose.yml"])
    assert compose["services"]["backend"]["environment"]["JWT_SECRET"].startswith("${JWT_SECRET:?")
    assert "USER node" in files["backend/Dockerfile"]
    assert "nginx-unprivileged" in files["frontend/Dockerfile"]


def test_compose_runs_each_part_with_its_volume_and_the_web_app_waits_for_a_healthy_api():
    compose = yaml.safe_load(devops_files(_spec())["docker-compose.yml"])
    assert set(compose["services"]) == {"backend", "frontend"}
    assert compose["services"]["frontend"]["depends_on"] == {"backend": {"condition": "service_healthy"}}
    assert compose["volumes"] == {"db": {}} and compose["services"]["backend"]["volumes"] == ["db:/data"]


def test_both_ci_files_install_lint_and_test_every_part():
    files = devops_files(_spec())
    github = yaml.safe_load(files[".github/workflows/ci.yml"])
    gitlab = yaml.safe_load(files[".gitlab-ci.yml"])
    assert set(github["jobs"]) == {"backend", "frontend"} and set(github["on"]) == {"push", "pull_request"}
    for part in ("backend", "frontend"):
        runs = [step.get("run") for step in github["jobs"][part]["steps"]]
        assert {"npm run lint", "npm test"} <= set(runs)
        assert gitlab[part]["script"][0] == f"cd {part}" and "npm test" in gitlab[part]["script"]


def test_an_api_only_spec_has_no_frontend_in_devops():
    files = devops_files(_spec(frontend=False))
    assert "frontend/Dockerfile" not in files and "frontend" not in files["docker-compose.yml"]
    assert "frontend" not in yaml.safe_load(files[".gitlab-ci.yml"])


def test_the_readme_has_a_section_for_each_part():
    readme = docs_files(_spec(), openapi_document(_spec()))["README.md"]
    assert "## The API: `backend/`" in readme and "## The web app: `frontend/`" in readme
    api_only = docs_files(_spec(frontend=False), openapi_document(_spec(frontend=False)))["README.md"]
    assert "frontend/" not in api_only


def test_the_tests_agent_adds_a_journey_through_every_kind_of_record():
    journey = EXPRESS.journey_files(_spec())["backend/tests/journey.test.ts"]
    assert "path: teamRoutes.PATH," in journey and "homeTeamId: teamRoutes.PATH," in journey


def test_labels_with_quotes_and_backticks_are_escaped_in_generated_code():
    spec = _spec(
        entities=[
            {"name": "Note", "plural": "notes", "label": 'Note "`${x}`', "fields": [{"name": "body", "type": "text"}]}
        ]
    )
    fixtures = backend_files(spec, [])["backend/tests/fixtures.ts"]
    assert '`Body ${n} of note "\\`\\${x}\\`, a longer text.`' in fixtures
    page = frontend_files(spec, [])["frontend/src/pages/NotePage.tsx"]
    assert 'const SINGULAR = `Note "\\`\\${x}\\``;' in page


def test_the_one_entity_guestbook_app_lists_its_page_expanded():
    spec = normalise_spec(extract_spec("A simple guestbook where visitors leave a message"))
    app = frontend_files(spec, ["core"])["frontend/src/App.tsx"]
    assert "const PAGES = [\n  {\n    key: " in app


def test_the_offline_architect_writes_the_spec_planned_with_the_options_chosen_on_the_form():
    planned = planned_spec(REQUESTS[0], options={"frontend": False})
    files = _run("architect", REQUESTS[0], {}, spec=planned).files
    assert Spec.model_validate_json(files["spec/spec.json"]) == planned
    assert json.loads(files["spec/spec.json"])["frontend"] is False
    assert json.loads(files["spec/openapi.json"])["openapi"] == "3.1.0"


def test_the_architect_of_a_version_planned_before_specs_were_stored_asks_for_a_replan():
    with pytest.raises(PermanentAgentError, match="Re-plan the project"):
        _run("architect", REQUESTS[0], {})


def test_an_agent_without_the_spec_upstream_fails_for_good():
    with pytest.raises(PermanentAgentError, match="spec/spec.json"):
        _run("backend", REQUESTS[0], {})


@pytest.mark.parametrize("half", ["backend", "frontend"])
def test_each_half_ships_a_lockfile_that_matches_its_package_json(half):
    """npm ignores a lockfile out of step with package.json. When a dependency changes, refresh
    agents/stacks/<stack>/templates/package-lock.json.j2 from an `npm install` of a generated project
    (its two "name" values written as {{ package_name }})."""
    files = (backend_files if half == "backend" else frontend_files)(_spec(), [])
    package = json.loads(files[f"{half}/package.json"])
    lock = json.loads(files[f"{half}/package-lock.json"])
    root = lock["packages"][""]
    assert lock["name"] == root["name"] == package["name"]
    assert root["dependencies"] == package["dependencies"]
    assert root["devDependencies"] == package["devDependencies"]
    assert all(
        "resolved" not in entry or entry["resolved"].startswith("https://registry.npmjs.org/")
        for entry in lock["packages"].values()
    )


def test_the_contract_states_the_rules_every_back_end_enforces():
    document = openapi_document(
        _spec(
            entities=[
                {
                    "name": "Member",
                    "plural": "members",
                    "label": "Member",
                    "fields": [
                        {"name": "name"},
                        {"name": "email", "type": "email"},
                        {"name": "nickname", "required": False},
                        {"name": "visits", "type": "int"},
                    ],
                },
            ]
        )
    )
    item = document["paths"]["/api/members/{id}"]
    assert item["parameters"][0]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    assert all("400" in item[method]["responses"] for method in ("get", "put", "delete"))
    schemas = document["components"]["schemas"]
    given = schemas["MemberInput"]["properties"]
    assert (
        schemas["MemberInput"]["additionalProperties"] is False
        and schemas["MemberChanges"]["additionalProperties"] is False
    )
    assert "required" not in schemas["MemberChanges"]
    assert given["name"]["pattern"] == "\\S" and "pattern" not in given["nickname"]
    assert given["email"] == {
        "type": "string",
        "format": "email",
        "maxLength": 200,
        "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
    }
    assert given["visits"]["maximum"] == 2**31 - 1
    assert item["put"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MemberChanges"
    }


def test_the_offline_reasoning_counts_one_file_in_the_singular():
    spec = extract_spec("A REST API for a library to track books, authors and loans.")
    docs = get_agent("docs")
    assert docs.offline_reasoning(spec, None, {"README.md": "# Library"}).startswith("Generated 1 file for")
    assert docs.offline_reasoning(spec, None, {"README.md": "", "docs/API.md": ""}).startswith("Generated 2 files for")

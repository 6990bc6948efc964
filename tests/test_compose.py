"""compose.yaml, the multi-machine deployment, as the Compose Specification's JSON schema checks it
(tests/schemas/, vendored: no container engine runs here), and the topology an operator relies on:
web, scalable workers, a verifier with the sandbox, the recovery loop, PostgreSQL and Redis, each
checked for health, secrets only from the environment. /healthz and `manage.py health` are what
those health checks ask."""

import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "compose-spec.json").read_text())


def errors(document: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(document)]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_yaml_is_valid_under_the_compose_specification(compose):
    found = errors(compose)
    print(f"compose.yaml against the Compose Specification schema: {len(found)} errors")
    assert found == []


def test_the_validation_rejects_what_compose_would_reject(compose):
    broken = json.loads(json.dumps(compose))
    broken["services"]["worker"]["replicas_please"] = 4
    broken["services"]["web"]["ports"] = "8000"
    found = errors(broken)
    assert any(e.startswith("services/worker") and "replicas_please" in e for e in found), found
    assert any(e.startswith("services/web/ports") for e in found), found


def test_every_part_of_the_deployment_is_there_and_checked_for_health(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "verifier", "recovery"}
    for name in ("postgres", "redis", "web", "worker", "verifier", "recovery"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["worker"]["healthcheck"]["test"] == ["CMD", "python", "manage.py", "health"]
    for name in ("web", "worker", "verifier", "recovery"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully", name
        assert needs["redis"]["condition"] == "service_healthy", name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "gunicorn" in services["web"]["command"]
    assert services["recovery"]["command"] == ["python", "manage.py", "recover", "--loop"]
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_workers_and_verifiers_scale_with_no_name_or_port_of_their_own(compose):
    for name in ("worker", "verifier"):
        service = compose["services"][name]
        assert "container_name" not in service and "ports" not in service, name
        assert service["command"] == ["python", "manage.py", "qcluster"]
    verifier = compose["services"]["verifier"]
    assert verifier["environment"]["WORKER_QUEUE"] == verifier["environment"]["VERIFY_QUEUE"] == "verify"
    assert verifier["build"]["target"] == "verifier"
    assert "FROM app AS verifier" in (ROOT / "Dockerfile").read_text()


def test_secrets_come_from_the_environment_never_from_the_file(compose):
    settings = compose["services"]["web"]["environment"]
    assert settings["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "${POSTGRES_PASSWORD:?" in settings["DATABASE_URL"]
    text = (ROOT / "compose.yaml").read_text()
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "GEMINI_API_KEY", "OPENAI_API_KEY", "METRICS_TOKEN"):
        for value in re.findall(rf"{name}: (.*)", text):
            assert value.startswith("${"), (name, value)
    # Every service of ours reads the same settings: one database, one broker, one verify queue.
    for name in ("migrate", "web", "worker", "verifier", "recovery"):
        environment = compose["services"][name]["environment"]
        assert environment["DATABASE_URL"] == settings["DATABASE_URL"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["VERIFY_QUEUE"] == "verify"


@pytest.mark.django_db
@pytest.mark.scaleout
def test_healthz_says_ok_when_the_database_and_the_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_and_the_health_command_name_the_broker_that_does_not_answer(client, monkeypatch):
    from django_q.conf import Conf

    from orchestration.tasks import queue_broker

    # The site's broker is a Redis server nobody runs (port 9, discard): it refuses the connection.
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", "redis://127.0.0.1:9/0")
    queue_broker.cache_clear()
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unreachable"}
        with pytest.raises(CommandError, match='"broker": "unreachable"'):
            call_command("health", stdout=io.StringIO())
    finally:
        queue_broker.cache_clear()


@pytest.mark.django_db
@pytest.mark.scaleout
def test_the_health_command_prints_ok():
    out = io.StringIO()
    call_command("health", stdout=out)
    assert json.loads(out.getvalue()) == {"status": "ok", "database": "ok", "broker": "ok"}

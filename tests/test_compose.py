"""compose.yaml, the multi-machine deployment, as the Compose Specification's JSON schema checks it
(tests/schemas/, vendored: no container engine runs here), and the topology an operator relies on:
web, scalable workers, a verifier with the sandbox, the recovery loop, PostgreSQL and Redis, each
checked for health, secrets only from the environment. /healthz and `manage.py health` are what
those health checks ask."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.management import CommandError, call_command

from testbed.subprocess_env import environ_without_settings

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


def test_the_verifier_may_build_its_sandbox_and_the_web_processes_share_their_metrics(compose):
    services = compose["services"]
    # bubblewrap's user namespace (seccomp, AppArmor) and its own /proc (Docker's masked /proc paths).
    assert {"seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"} <= set(
        services["verifier"]["security_opt"]
    )
    assert "verify-cache:/var/tmp/autodevos-verify-cache" in services["verifier"]["volumes"]
    assert services["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"] in services["web"]["tmpfs"]
    for name in ("migrate", "worker", "recovery"):
        assert "security_opt" not in services[name], name  # only the verifier runs unconfined
        assert "PROMETHEUS_MULTIPROC_DIR" not in services[name]["environment"], name


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


# What an operator puts in .env for compose: the three settings it requires, nothing else.
OPERATOR = {
    "SECRET_KEY": "a-long-random-production-key-" + "x9Q2" * 12,
    "POSTGRES_PASSWORD": "chosen-by-the-operator",
    "ALLOWED_HOSTS": "autodevos.example.org",
}


def interpolate(value: str, given: dict[str, str]) -> str:
    """Compose's ${NAME:?message} (required) and ${NAME:-default}, as `docker compose config` would
    substitute them; a required name that is not given fails, as compose would refuse to start."""

    def one(match: re.Match) -> str:
        name, kind, rest = match.groups()
        if kind == "?":
            assert given.get(name), f"compose requires {name}: {rest}"
        return given.get(name) or (rest if kind == "-" else "")

    return re.sub(r"\$\{(\w+)(?::([?-])([^}]*))?\}", one, str(value))


def site_settings(environment: dict[str, str], tmp_path: Path, *command: str) -> subprocess.CompletedProcess:
    """`manage.py <command>` with exactly these settings and the image's DATA_DIR, as the container runs it."""
    env = {**environ_without_settings(), **environment, "ENV_FILE": os.devnull, "DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


# Every setting of plain data (objects, whose text would differ between processes, left out).
SHOW_SETTINGS = """import json
from django.conf import settings as s
plain = (str, int, float, bool, list, tuple, dict, type(None))
print(json.dumps({n: v for n in dir(s) if n.isupper() and isinstance(v := getattr(s, n), plain)}, default=repr))"""


def test_compose_gives_the_site_every_setting_production_requires(compose, tmp_path):
    """With only the three required values set, the web service's settings pass Django's deployment
    checklist: DEBUG off, a real SECRET_KEY, HTTPS and cookie settings, allowed hosts."""
    environment = {
        name: interpolate(value, OPERATOR) for name, value in compose["services"]["web"]["environment"].items()
    }
    result = site_settings(environment, tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    print(result.stdout.strip())


def test_settings_compose_passes_on_empty_are_the_settings_defaults(compose, tmp_path):
    """Compose passes an optional setting the operator left out as an empty value; the site must then
    behave as if it were not set at all (an empty OPENAI_MODEL once replaced the default model)."""
    environment = {
        name: interpolate(value, OPERATOR) for name, value in compose["services"]["web"]["environment"].items()
    }
    unset = {name: value for name, value in environment.items() if value != ""}
    assert len(unset) < len(environment)  # some optional settings are left empty
    show = ["shell", "--no-imports", "-c", SHOW_SETTINGS]
    as_compose, as_unset = (site_settings(env, tmp_path, *show) for env in (environment, unset))
    assert as_compose.returncode == as_unset.returncode == 0, as_compose.stderr + as_unset.stderr
    assert json.loads(as_compose.stdout) == json.loads(as_unset.stdout)

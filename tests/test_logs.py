"""Log lines as an operator reads them: with LOG_FORMAT=json every line the engine writes about a task is a
JSON object carrying the ids of its run, task, attempt, agent, project and team (lines the agent's own
thread writes too, and recovery's); lines about a run (cancelled) or a project (planning) carry theirs;
the text format shows the same ids; no configured secret reaches either."""

from __future__ import annotations

import copy
import io
import json
import logging
import logging.config
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from orchestration.models import TaskRun
from orchestration.planning import plan_in_background
from orchestration.recovery import requeue_expired_leases
from orchestration.runs import cancel_run, start_run
from orchestration.tasks import claim_task, run_inline
from testbed.clusters import ROOT, make_plan, make_spec_then_probe_plan, probe_task
from testbed.stubs import OPENAI_TEST_KEY, OpenAIStub, Reply, use_openai
from testbed.subprocess_env import environ_without_settings

pytestmark = pytest.mark.django_db(transaction=True)

IDS = ("run_id", "task_run_id", "task_key", "attempt", "agent", "project_id", "team_id")
SPEC = {
    "app_name": "groomer",
    "title": "Dog groomer",
    "summary": "Bookings for a dog groomer.",
    "entities": [{"name": "Dog", "plural": "dogs", "label": "Dog", "fields": [{"name": "name"}]}],
}


def console(format: str) -> tuple[logging.Handler, io.StringIO]:
    """settings.LOGGING's console handler (its filters, and the formatter LOG_FORMAT=`format` picks),
    writing to a string."""
    configurator = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING))
    config = configurator.config
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(config["formatters"][format]))
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(configurator.configure_filter(config["filters"][name]))
    return handler, stream


@pytest.fixture
def captured():
    """captured(format) -> the stream every log line of the test goes to, formatted as the console does."""
    handlers = []

    def capture(format: str) -> io.StringIO:
        handler, stream = console(format)
        logging.getLogger().addHandler(handler)
        handlers.append(handler)
        return stream

    yield capture
    for handler in handlers:
        logging.getLogger().removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_line_about_a_task_carries_its_ids_including_the_agents_own(project_a, team_a, settings, captured):
    stream = captured("json")
    project_a.provider = "openai"
    project_a.save()
    version = make_spec_then_probe_plan(project_a)
    # The model's server fails once: the provider's retry is logged on the agent's thread.
    with OpenAIStub([Reply(status=500), Reply(json={"reasoning": "Dogs.", "spec": SPEC})]) as stub:
        use_openai(settings, stub, TASK_BACKOFF_BASE_S=0.01, TASK_BACKOFF_CAP_S=0.02)
        run = run_inline(start_run(version))
    tasks = {task.key: task for task in run.task_runs.all()}
    assert {task.status for task in tasks.values()} == {"succeeded"}

    lines = _lines(stream)
    about_tasks = [line for line in lines if line["logger"].startswith(("orchestration.tasks", "agents."))]
    assert about_tasks and all(name in line for line in about_tasks for name in IDS)

    def ids(task, attempt) -> dict:
        return {
            "run_id": run.pk,
            "task_run_id": task.pk,
            "task_key": task.key,
            "attempt": attempt,
            "agent": task.agent,
            "project_id": project_a.pk,
            "team_id": team_a.pk,
        }

    retried = next(line for line in lines if "retrying" in line["message"])
    assert retried["logger"] == "agents.providers.generation"
    assert {name: retried[name] for name in IDS} == ids(tasks["spec"], 1)
    failed = next(line for line in lines if "probe failed on attempt 1" in line["message"])
    assert failed["level"] == "WARNING" and {name: failed[name] for name in IDS} == ids(tasks["after"], 1)
    succeeded = next(
        line for line in lines if "task after of run" in line["message"] and "succeeded" in line["message"]
    )
    assert {name: succeeded[name] for name in IDS} == ids(tasks["after"], 2)
    started = next(line for line in lines if "started with 2 tasks" in line["message"])
    assert (started["run_id"], started["project_id"], started["team_id"]) == (run.pk, project_a.pk, team_a.pk)


def test_recovery_cancelling_and_planning_lines_carry_the_ids_of_what_they_are_about(
    project_a, team_a, settings, captured
):
    stream = captured("json")
    run = start_run(make_plan(project_a, [probe_task("a"), probe_task("b", "a")]))
    task = run.task_runs.get(key="a")
    claim = claim_task(task.pk, worker="gone:1")  # a worker that then stopped answering: its lease runs out
    TaskRun.objects.filter(pk=task.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert requeue_expired_leases() == 1
    cancel_run(run)
    settings.GEMINI_API_KEY = ""  # planning with a provider that is not configured fails, saying so
    assert plan_in_background(project_a.pk, None, "gemini", "") is None

    lines = _lines(stream)
    owner = {"project_id": project_a.pk, "team_id": team_a.pk}
    expired = next(line for line in lines if "the lease of worker gone:1 expired" in line["message"])
    assert {name: expired[name] for name in IDS} == {
        "run_id": run.pk,
        "task_run_id": task.pk,
        "task_key": "a",
        "attempt": claim.number,
        "agent": "probe",
        **owner,
    }
    cancelled = next(line for line in lines if line["message"] == f"run {run.pk} cancelled")
    assert (cancelled["run_id"], cancelled["project_id"], cancelled["team_id"]) == (run.pk, *owner.values())
    planning = next(line for line in lines if f"planning project {project_a.pk} failed" in line["message"])
    assert planning["level"] == "WARNING" and {name: planning[name] for name in owner} == owner


def test_the_text_format_shows_the_ids_after_the_loggers_name(project_a, team_a, settings, captured):
    stream = captured("text")
    settings.TASK_BACKOFF_BASE_S, settings.TASK_BACKOFF_CAP_S = 0.01, 0.02
    run = run_inline(start_run(make_plan(project_a, [probe_task("a", fail_times=1)])))
    task = run.task_runs.get()
    line = next(line for line in stream.getvalue().splitlines() if "probe failed on attempt 1" in line)
    ids = f"[run={run.pk} task={task.pk} key=a attempt=1 agent=probe project={project_a.pk} team={team_a.pk}]"
    assert f" WARNING orchestration.tasks {ids} task a of run {run.pk}, attempt 1: " in line


def test_no_configured_secret_reaches_a_line_not_even_through_an_exception(settings, captured):
    settings.OPENAI_API_KEY = "sk-live-0123456789abcdef"
    settings.SECRET_KEY = "django-secret-key-fedcba9876543210"
    json_stream, text_stream = captured("json"), captured("text")
    logger = logging.getLogger("orchestration.tasks")
    logger.warning("calling with key %s", settings.OPENAI_API_KEY)
    try:
        raise RuntimeError(f"the server said: bad key {settings.OPENAI_API_KEY} (signed {settings.SECRET_KEY})")
    except RuntimeError:
        logger.exception("the call failed")

    for output in (json_stream.getvalue(), text_stream.getvalue()):
        assert "sk-live-0123456789abcdef" not in output and "fedcba9876543210" not in output
    warning, error = _lines(json_stream)
    assert warning["message"] == "calling with key [redacted]"
    assert error["message"] == "the call failed"
    assert "RuntimeError: the server said: bad key [redacted] (signed [redacted])" in error["exc_info"]


def test_log_format_json_makes_the_console_write_json_lines():
    environ = environ_without_settings() | {
        "DJANGO_SETTINGS_MODULE": "autodevos_site.settings",
        "ENV_FILE": "/dev/null",
        "DEBUG": "true",
        "SECRET_KEY": "x",
        "OPENAI_API_KEY": OPENAI_TEST_KEY,
        "LOG_FORMAT": "json",
    }
    script = (
        "import django, logging; django.setup();"
        f"logging.getLogger('orchestration.runs').warning('run 7 used key {OPENAI_TEST_KEY}')"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True, check=True
    )
    (line,) = [json.loads(text) for text in done.stderr.splitlines()]
    assert line["level"] == "WARNING" and line["logger"] == "orchestration.runs"
    assert line["message"] == "run 7 used key [redacted]"

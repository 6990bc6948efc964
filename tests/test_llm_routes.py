"""Models per agent: each agent may call its own provider and model (LLM_ROUTES and a project's
own routes), and the plan says which one each task's agent calls."""

import re

import pytest
from django.core.checks import run_checks
from django.urls import reverse

from agents.providers import Route, format_routes, get_provider, parse_routes, resolved, route_for
from orchestration.models import TaskRun
from orchestration.planning import plan_project
from orchestration.runs import cancel_run, start_run
from orchestration.tasks import _model_wrote
from projects.admin import ProjectAdminForm
from projects.models import Project

from .test_deploy_check import _manage
from .ui_helpers import VERIFY_TASK, make_run, make_version, plan_tasks

pytestmark = pytest.mark.django_db

REQUEST = "An appointment booking site for a dog groomer, with customers, dogs and appointments."
# A server nobody listens on: configured, so it may be chosen, but showing a plan never calls it.
UNUSED_URL = "http://127.0.0.1:9/v1"


@pytest.fixture
def both_configured(settings):
    """Gemini and an OpenAI-compatible server set up, no deployment routes."""
    settings.LLM_PROVIDER = ""
    settings.GEMINI_API_KEY = "gemini-test-key"
    settings.GEMINI_MODEL = "gemini-2.5-flash"
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = UNUSED_URL
    settings.OPENAI_MODEL = "llama3.1"
    settings.LLM_ROUTES = ""
    return settings


def _route(agent: str, provider: str = "gemini", routes: dict | None = None) -> Route:
    return route_for(agent, project_provider=provider, project_routes=routes or {})


def _task_line(page: str, key: str) -> str:
    """The line under a task's title on the plan: its agent, the model it calls and what it waits for."""
    item = page.split(f'id="task-{key}"', 1)[1].split("</li>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", "", item.split('<p class="muted small">', 1)[1].split("</p>", 1)[0]).split())


# --- The syntax -------------------------------------------------------------------------------


def test_routes_are_read_with_spaces_and_models_that_have_colons_of_their_own():
    routes = parse_routes(" docs = openai:llama3.2:3b ,devops=openai, backend=gemini:gemini-2.5-pro,")
    assert routes == {
        "docs": Route("openai", "llama3.2:3b"),
        "devops": Route("openai", ""),
        "backend": Route("gemini", "gemini-2.5-pro"),
    }


def test_routes_are_written_back_as_they_are_read():
    text = "docs=openai:llama3.2:3b, devops=offline, backend=gemini:gemini-2.5-pro"
    assert format_routes(parse_routes(text)) == text


def test_no_routes_is_one_model_for_every_agent():
    assert parse_routes("") == {} and parse_routes("  ") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("docs", "“docs” is not a route: write agent=provider or agent=provider:model"),
        ("docs=:llama3.2", "“docs=:llama3.2” is not a route"),
        (
            "writer=openai",
            (
                "There is no agent called “writer” that calls a model; the agents you can route are "
                "architect, backend, devops, docs, feature, frontend, tests."
            ),
        ),
        ("verify=openai", "There is no agent called “verify” that calls a model"),
        ("docs=claude:opus", "There is no provider called “claude” (for docs); choose one of offline, gemini, openai."),
        ("docs=openai:", "“docs=openai:” names no model after the colon"),
        ("docs=openai, docs=gemini", "docs is given twice"),
    ],
)
def test_a_mistake_in_the_routes_is_said_in_plain_words(text, message):
    with pytest.raises(ValueError) as raised:
        parse_routes(text)
    assert message in str(raised.value)


# --- Which route an agent gets ----------------------------------------------------------------


def test_the_projects_own_route_comes_before_the_deployments(both_configured):
    both_configured.LLM_ROUTES = "docs=openai:llama3.2"
    assert _route("docs", routes={"docs": "gemini:gemini-2.5-pro"}) == Route("gemini", "gemini-2.5-pro")


def test_the_deployments_route_comes_before_the_projects_provider(both_configured):
    both_configured.LLM_ROUTES = "docs=openai:llama3.2:3b"
    assert _route("docs") == Route("openai", "llama3.2:3b")
    assert _route("backend") == Route("gemini", "")


def test_a_project_without_a_provider_of_its_own_uses_the_default_one(both_configured):
    assert _route("backend", provider="") == Route("gemini", "")


def test_a_project_that_chose_offline_ignores_the_deployments_routes_but_keeps_its_own(both_configured):
    both_configured.LLM_ROUTES = "docs=openai:llama3.2, backend=gemini"
    assert _route("docs", provider="offline") == Route("offline", "")
    assert _route("backend", provider="offline", routes={"backend": "openai:qwen2.5-coder"}) == Route(
        "openai", "qwen2.5-coder"
    )


def test_a_route_without_a_model_is_resolved_to_the_providers_configured_one(both_configured):
    assert resolved(Route("gemini")) == Route("gemini", "gemini-2.5-flash")
    assert resolved(Route("openai", "llama3.2:3b")) == Route("openai", "llama3.2:3b")
    assert resolved(Route("offline")) == Route("offline", "")


def test_a_provider_asked_for_with_a_model_calls_that_model(both_configured):
    assert get_provider("openai", model="llama3.2:3b").model == "llama3.2:3b"
    assert get_provider("openai").model == "llama3.1"


# --- The new-project form ---------------------------------------------------------------------


def _create(client, team, routes: str, provider: str = "offline"):
    return client.post(
        reverse("projects:new"), {"request": REQUEST, "team": team.pk, "provider": provider, "llm_routes": routes}
    )


def test_the_form_saves_models_per_agent_with_the_project(client, alice, team_a, both_configured):
    client.force_login(alice)
    _create(client, team_a, "docs=openai:llama3.2:3b, backend=gemini:gemini-2.5-pro")
    assert Project.objects.get().llm_routes == {"docs": "openai:llama3.2:3b", "backend": "gemini:gemini-2.5-pro"}


def test_the_form_refuses_an_agent_that_does_not_exist(client, alice, team_a, both_configured):
    client.force_login(alice)
    response = _create(client, team_a, "writer=openai")
    page = response.content.decode()
    assert response.status_code == 400 and not Project.objects.exists()
    assert 'id="id_llm_routes_error">There is no agent called “writer” that calls a model' in page
    assert 'value="writer=openai"' in page  # kept in the box


def test_the_form_refuses_a_provider_not_set_up_on_this_server(client, alice, team_a, both_configured):
    both_configured.GEMINI_API_KEY = ""
    client.force_login(alice)
    response = _create(client, team_a, "backend=gemini:gemini-2.5-pro")
    assert response.status_code == 400 and not Project.objects.exists()
    assert (
        "backend cannot use Gemini: it is not set up on this server. Pick another provider or leave backend out."
        in response.content.decode()
    )


def test_the_form_says_which_agents_can_have_their_own_model(client, alice):
    client.force_login(alice)
    page = client.get(reverse("projects:new")).content.decode()
    assert "Models per agent" in page and "leave empty to use one model for every agent" in page
    assert "architect, backend, devops, docs, feature, frontend, tests" in page


# --- What the plan shows ----------------------------------------------------------------------


def test_each_task_of_the_plan_says_which_model_its_agent_will_call(client, alice, project_a, both_configured):
    both_configured.LLM_ROUTES = "docs=openai:llama3.2:3b, backend=gemini:gemini-2.5-pro"
    Project.objects.filter(pk=project_a.pk).update(provider="gemini")
    version = make_version(project_a, tasks=[*plan_tasks(5), {**VERIFY_TASK, "depends_on": ["backend-1"]}])
    client.force_login(alice)
    for page in (
        client.get(reverse("projects:detail", args=[project_a.pk])).content.decode(),
        client.get(reverse("projects:version", args=[project_a.pk, version.pk])).content.decode(),
    ):
        assert _task_line(page, "architect") == "Agent architect · Gemini, gemini-2.5-flash · starts first"
        assert _task_line(page, "backend-1").startswith("Agent backend · Gemini, gemini-2.5-pro · waits for")
        assert _task_line(page, "docs-4").startswith("Agent docs · OpenAI-compatible, llama3.2:3b · waits for")
        assert _task_line(page, "verify").startswith("Agent verify · waits for")  # it calls no model


def test_an_offline_plan_names_no_model_though_the_deployment_routes_agents(client, alice, project_a, both_configured):
    both_configured.LLM_ROUTES = "docs=openai:llama3.2:3b"
    Project.objects.filter(pk=project_a.pk).update(provider="offline", llm_routes={"backend": "openai:qwen2.5-coder"})
    make_version(project_a)
    client.force_login(alice)
    page = client.get(reverse("projects:detail", args=[project_a.pk])).content.decode()
    assert _task_line(page, "docs-4").startswith("Agent docs · waits for")
    assert _task_line(page, "backend-1").startswith("Agent backend · OpenAI-compatible, qwen2.5-coder · waits for")


def test_a_run_shows_the_model_each_task_was_sent_to(client, alice, project_a, both_configured):
    run = make_run(make_version(project_a))
    TaskRun.objects.filter(run=run, key="backend-1").update(provider="gemini", model="gemini-2.5-pro")
    TaskRun.objects.filter(run=run, key="docs-4").update(provider="offline")
    both_configured.LLM_ROUTES = "backend=openai:llama3.2"  # changed since: the run keeps what it was given
    client.force_login(alice)
    page = client.get(reverse("projects:run", args=[project_a.pk, run.pk])).content.decode()
    assert _task_line(page, "backend-1").startswith("Agent backend · Gemini, gemini-2.5-pro · waits for")
    assert _task_line(page, "docs-4").startswith("Agent docs · waits for")


# --- The admin --------------------------------------------------------------------------------


def test_the_admin_lists_the_model_each_task_called(client, staff, project_a):
    run = make_run(make_version(project_a))
    TaskRun.objects.filter(run=run, key="backend-1").update(provider="gemini", model="gemini-2.5-pro")
    client.force_login(staff)
    page = client.get(reverse("admin:orchestration_taskrun_changelist")).content.decode()
    assert "gemini: gemini-2.5-pro" in page


def test_the_admin_edits_a_projects_models_per_agent_as_text(client, staff, project_a, both_configured):
    Project.objects.filter(pk=project_a.pk).update(llm_routes={"docs": "openai:llama3.2:3b", "backend": "gemini"})
    client.force_login(staff)
    page = client.get(reverse("admin:projects_project_change", args=[project_a.pk])).content.decode()
    assert 'value="docs=openai:llama3.2:3b, backend=gemini"' in page
    project_a.refresh_from_db()
    form = ProjectAdminForm({**_admin_fields(project_a), "llm_routes": "docs=claude"}, instance=project_a)
    assert form.errors["llm_routes"] == [
        "There is no provider called “claude” (for docs); choose one of offline, gemini, openai."
    ]
    form = ProjectAdminForm({**_admin_fields(project_a), "llm_routes": "devops=openai"}, instance=project_a)
    assert form.is_valid(), form.errors
    assert form.save().llm_routes == {"devops": "openai"}


def _admin_fields(project: Project) -> dict:
    return {
        "team": project.team_id,
        "created_by": project.created_by_id,
        "title": project.title,
        "request": project.request,
        "provider": project.provider,
        "options": "{}",
        "planning_status": project.planning_status,
    }


# --- Start-up ---------------------------------------------------------------------------------


def test_a_typo_in_llm_routes_stops_manage_py_check(tmp_path):
    result = _manage("check", DEBUG="true", SECRET_KEY="x", DATA_DIR=str(tmp_path), LLM_ROUTES="docs=olama:llama3.2")
    assert result.returncode != 0
    assert "LLM_ROUTES: There is no provider called “olama” (for docs)" in result.stderr


def test_a_route_to_a_provider_not_set_up_is_an_error_at_start_up(settings):
    settings.GEMINI_API_KEY = ""
    settings.LLM_ROUTES = "backend=gemini:gemini-2.5-pro"
    messages = [m.msg for m in run_checks() if m.id == "agents.E002"]
    assert messages == [
        (
            "LLM_ROUTES sends backend to Gemini, which is not set up: set GEMINI_API_KEY "
            "(and optionally GEMINI_MODEL and GEMINI_BASE_URL)."
        )
    ]


def test_code_a_routed_model_writes_in_an_offline_project_is_checked_as_model_code(project_a, alice, settings):
    """Verify sandboxes and repairs what any task's model wrote, not only what the project's provider wrote."""

    project_a.provider = "offline"
    project_a.save()
    version = plan_project(project_a, user=alice)
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # nothing is sent to it
    offline_run = start_run(version)
    assert not _model_wrote(offline_run.task_runs.get(agent="verify"))
    cancel_run(offline_run)
    project_a.llm_routes = {"backend": "openai:small"}
    project_a.save()
    routed = start_run(version)
    assert routed.task_runs.get(agent="backend").provider == "openai"
    assert _model_wrote(routed.task_runs.get(agent="verify"))

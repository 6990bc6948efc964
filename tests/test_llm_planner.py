"""The LLM planner, with the real google-genai and openai clients talking to stub servers:
good plans are stored with their calls; bad plans go back to the model with the reasons, and
after the repairs run out planning fails in plain words, never falling back to another planner."""

import pytest
from django_q.conf import Conf

from agents.providers import ProviderError
from agents.stacks import stacks_for
from orchestration.models import LLMCall, PlanVersion
from orchestration.planning import plan_project, request_plan
from projects.models import Project
from testbed.stubs import GeminiStub, OpenAIStub, Reply, use_gemini, use_openai

pytestmark = pytest.mark.django_db

STUBS = {"gemini": (GeminiStub, use_gemini), "openai": (OpenAIStub, use_openai)}


def _task(key: str, agent: str, depends_on: list[str] | None = None) -> dict:
    return {
        "key": key,
        "title": f"Do {key}",
        "agent": agent,
        "instructions": f"{key} work",
        "depends_on": depends_on or [],
        "scope": [],
        "timeout_s": None,
    }


BACKENDS = sorted(stacks_for("backend"))
FRONTEND = sorted(stacks_for("frontend"))[0]
GOOD = {
    "reasoning": "Three entities and a web UI, so one backend task and a frontend.",
    "tasks": [
        _task("spec", "architect"),
        _task("api", "backend", ["spec"]),
        _task("web", "frontend", ["spec"]),
        _task("tests", "tests", ["api", "web"]),
        _task("docs", "docs", ["spec"]),
        _task("devops", "devops", ["spec"]),
        _task("verify", "verify", ["api", "web", "tests", "devops"]),
    ],
    "stack": {"backend": BACKENDS[-1], "frontend": FRONTEND},
    "criteria": [
        {
            "id": "book-appointment",
            "text": "A customer can book an appointment for their dog",
            "about": {"kind": "records", "entity": "Appointment"},
        },
        {
            "id": "appointment-customer",
            "text": "Every appointment is for a customer we know",
            "about": {"kind": "link", "entity": "Appointment", "name": "customer"},
        },
    ],
}
UNKNOWN_STACK = {**GOOD, "stack": {"backend": "cobol", "frontend": FRONTEND}}
CYCLE = {**GOOD, "tasks": [_task("spec", "architect", ["tests"]), *GOOD["tasks"][1:]]}
UNKNOWN_AGENT = {**GOOD, "tasks": [*GOOD["tasks"][:5], _task("devops", "sysadmin", ["spec"]), GOOD["tasks"][6]]}
NO_ARCHITECT = {
    **GOOD,
    "tasks": [dict(t, depends_on=[d for d in t["depends_on"] if d != "spec"]) for t in GOOD["tasks"][1:]],
}
MISSING_DEP = {**GOOD, "tasks": [*GOOD["tasks"][:3], _task("tests", "tests", ["api", "qa-plan"]), *GOOD["tasks"][4:]]}
NO_VERIFY = {**GOOD, "tasks": GOOD["tasks"][:6]}
CRITERION_ABOUT_NOTHING = {
    **GOOD,
    "criteria": [
        {"id": "cat-records", "text": "Cats can be booked too", "about": {"kind": "records", "entity": "Cat"}}
    ],
}
NO_CRITERIA = {key: value for key, value in GOOD.items() if key != "criteria"}


@pytest.fixture(params=sorted(STUBS))
def provider(request, settings):
    """Yields (name, start) where start(replies) runs a stub for that provider and points the settings at it."""
    stub_class, use = STUBS[request.param]
    stubs = []

    def start(replies):
        stub = stub_class(replies).__enter__()
        stubs.append(stub)
        use(settings, stub)
        return stub

    yield request.param, start
    for stub in stubs:
        stub.__exit__(None, None, None)


def test_a_good_plan_is_stored_with_provider_model_tokens_and_its_call(provider, project_a, alice):
    name, start = provider
    start([Reply(json=GOOD, tokens_in=900, tokens_out=300)])
    version = plan_project(project_a, user=alice, provider_name=name)
    assert (version.number, version.source, version.provider) == (1, "llm", name)
    assert version.model
    assert (version.tokens_in, version.tokens_out) == (900, 300)
    assert version.reasoning == GOOD["reasoning"]
    assert [t["key"] for t in version.tasks] == ["spec", "api", "web", "tests", "docs", "devops", "verify"]
    assert list(version.llm_calls.values_list("purpose", "attempt", "error")) == [("plan", 1, "")]


def test_the_prompt_carries_the_request_and_the_agents(provider, project_a):
    name, start = provider
    stub = start([Reply(json=GOOD)])
    plan_project(project_a, provider_name=name)
    sent = stub.requests[0].body.decode()
    assert "dog groomer" in sent
    for agent in ("architect", "backend", "frontend", "tests", "docs", "devops"):
        assert agent in sent
    assert "probe" not in sent
    for stack in [*stacks_for("backend").values(), *stacks_for("frontend").values()]:
        assert f"{stack.name} ({stack.label})" in sent


def test_the_prompt_explains_the_spec_and_shows_the_one_read_from_the_request(provider, project_a):
    name, start = provider
    stub = start([Reply(json=GOOD)])
    plan_project(project_a, provider_name=name)
    roles = dict(stub.requests[0].messages)
    assert "money (an exact amount" in roles["system"] and "summaries:" in roles["system"]
    read = roles["user"].split("The spec read from the request:\n", 1)[1]
    assert '"name":"Appointment"' in read and '"name":"Dog"' in read


def test_the_version_stores_the_spec_drawn_from_the_request_with_the_stacks_the_model_chose(provider, project_a):
    name, start = provider
    start([Reply(json=GOOD)])
    spec = plan_project(project_a, provider_name=name).spec_model()
    assert [e.name for e in spec.entities] == ["Customer", "Dog", "Appointment"]
    assert (spec.stack.backend, spec.stack.frontend) == (BACKENDS[-1], FRONTEND)


def test_the_models_acceptance_criteria_are_stored_with_the_version_as_the_models(provider, project_a):
    name, start = provider
    start([Reply(json=GOOD)])
    spec = plan_project(project_a, provider_name=name).spec_model()
    assert [(c.id, c.text, c.by) for c in spec.criteria] == [
        ("book-appointment", "A customer can book an appointment for their dog", "model"),
        ("appointment-customer", "Every appointment is for a customer we know", "model"),
    ]


def test_the_prompt_shows_the_criteria_derived_from_the_spec_and_how_to_write_them(provider, project_a):
    name, start = provider
    stub = start([Reply(json=GOOD)])
    plan_project(project_a, provider_name=name)
    roles = dict(stub.requests[0].messages)
    assert "Acceptance criteria" in roles["system"] and "private (entity that is owned)" in roles["system"]
    assert '"id": "records-appointment"' in roles["user"].split("The acceptance criteria derived from it", 1)[1]


def test_a_plan_without_criteria_gets_those_derived_from_the_spec_and_says_so(provider, project_a):
    name, start = provider
    start([Reply(json=NO_CRITERIA)])
    version = plan_project(project_a, provider_name=name)
    assert "records-appointment" in [c.id for c in version.spec_model().criteria]
    assert "the model wrote no acceptance criteria, so they were derived from the spec" in version.reasoning


def test_the_teams_back_end_choice_stands_whatever_the_model_chose(provider, project_a):
    name, start = provider
    stub = start([Reply(json=GOOD)])
    Project.objects.filter(pk=project_a.pk).update(options={"backend": BACKENDS[0], "python": True})  # a retired option
    project_a.refresh_from_db()
    assert plan_project(project_a, provider_name=name).spec_model().stack.backend == BACKENDS[0]
    assert f'Choices made by the team:\n{{"backend": "{BACKENDS[0]}"}}' in stub.requests[0].messages[-1][1]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (CYCLE, "go round in a circle"),
        (UNKNOWN_AGENT, "agent 'sysadmin' does not exist"),
        (MISSING_DEP, "waits for 'qa-plan', which is not a task in this plan"),
        (UNKNOWN_STACK, "unknown backend stack 'cobol'"),
        (NO_ARCHITECT, "No task writes spec/spec.json or spec/openapi.json"),
        (CRITERION_ABOUT_NOTHING, "criterion cat-records: there is no record called Cat"),
    ],
)
def test_a_bad_plan_goes_back_to_the_model_and_the_repaired_one_is_kept(provider, project_a, bad, reason):
    name, start = provider
    stub = start([Reply(json=bad), Reply(json=GOOD)])
    version = plan_project(project_a, provider_name=name)
    assert [t["key"] for t in version.tasks] == [t["key"] for t in GOOD["tasks"]]
    assert reason in stub.requests[1].messages[-1][1]
    calls = version.llm_calls.order_by("attempt")
    assert [bool(c.error) for c in calls] == [True, False]
    assert reason in calls[0].error


def test_after_the_repairs_run_out_planning_fails_with_the_reason_and_no_version(provider, project_a, settings):
    name, start = provider
    start([Reply(json=MISSING_DEP)] * (settings.LLM_MAX_REPAIRS + 1))
    with pytest.raises(ProviderError) as caught:
        plan_project(project_a, provider_name=name)
    assert "did not give a usable answer" in str(caught.value)
    assert "waits for 'qa-plan', which is not a task in this plan" in str(caught.value)
    assert not PlanVersion.objects.exists()
    assert LLMCall.objects.filter(project=project_a, plan_version=None).count() == settings.LLM_MAX_REPAIRS + 1


def test_a_failed_background_planning_is_shown_on_the_project_and_nothing_else_plans_instead(
    provider, project_a, settings, monkeypatch, django_capture_on_commit_callbacks
):
    name, start = provider
    start([Reply(json=CYCLE)] * (settings.LLM_MAX_REPAIRS + 1))
    monkeypatch.setattr(Conf, "SYNC", True)
    with django_capture_on_commit_callbacks(execute=True):
        request_plan(project_a, provider_name=name)
    project_a.refresh_from_db()
    assert project_a.planning_status == "failed"
    assert "go round in a circle" in project_a.planning_error
    assert not project_a.plan_versions.exists()


def test_replanning_sends_the_current_plan_and_the_feedback(provider, project_a, alice):
    name, start = provider
    api_only = [
        *GOOD["tasks"][:2],
        _task("tests", "tests", ["api"]),
        *GOOD["tasks"][4:6],
        _task("verify", "verify", ["api", "tests", "devops"]),
    ]
    stub = start([Reply(json=GOOD), Reply(json={**GOOD, "tasks": api_only})])
    v1 = plan_project(project_a, provider_name=name)
    v2 = plan_project(project_a, user=alice, provider_name=name, feedback="Drop the frontend, we only need the API")
    assert (v2.number, v2.source, v2.parent, v2.feedback) == (
        2,
        "replan",
        v1,
        "Drop the frontend, we only need the API",
    )
    prompt = stub.requests[1].messages[-1][1]
    assert "Current plan (version 1)" in prompt and '"key": "web"' in prompt
    assert f'Current stacks:\n{{"backend": "{BACKENDS[-1]}", "frontend": "{FRONTEND}"}}' in prompt
    assert "Drop the frontend, we only need the API" in prompt
    assert [t["key"] for t in v1.diff(v2).removed] == ["web"]


def test_a_server_that_keeps_failing_ends_planning_with_a_clear_message(provider, project_a, settings):
    name, start = provider
    start([Reply(status=500)] * (settings.LLM_MAX_RETRIES + 1))
    with pytest.raises(ProviderError, match="kept failing"):
        plan_project(project_a, provider_name=name)
    assert not PlanVersion.objects.exists()


def test_a_plan_that_would_pass_the_token_budget_is_never_requested(provider, project_a):
    name, start = provider
    stub = start([Reply(json=GOOD)])
    Project.objects.filter(pk=project_a.pk).update(token_budget=10)
    project_a.refresh_from_db()
    with pytest.raises(ProviderError, match="token budget exceeded"):
        plan_project(project_a, provider_name=name)
    assert stub.requests == []


def test_a_plan_without_the_verify_stage_gets_it_back_waiting_for_the_code_and_says_so(provider, project_a):
    name, start = provider
    start([Reply(json=NO_VERIFY)])
    version = plan_project(project_a, provider_name=name)
    verify = version.tasks[-1]
    assert (verify["key"], verify["agent"], verify["title"]) == ("verify", "verify", "Build and test the project")
    assert set(verify["depends_on"]) == {"api", "web", "tests", "devops"}
    assert (
        "“Build and test the project” was added: every plan ends by building and testing the code" in version.reasoning
    )


def test_a_model_may_divide_a_part_between_tasks_by_their_instructions(provider, project_a):
    name, start = provider
    divided = {**GOOD, "tasks": [*GOOD["tasks"], _task("auth", "backend", ["spec"])]}
    start([Reply(json=divided)])
    version = plan_project(project_a, provider_name=name)
    assert [t["key"] for t in version.tasks] == [t["key"] for t in divided["tasks"]]

"""The agents with an LLM provider: the real openai client against the OpenAI-compatible stub,
answering with recorded agent answers."""

import pytest

from agents.file_agent import CONTRACT_PATH, SPEC_PATH, relevant_upstream
from agents.spec import Spec
from orchestration.models import Artifact, LLMCall, PlanVersion, TaskRun
from orchestration.offline_planner import planned_spec
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from testbed.stubs import OpenAIStub, Reply, use_openai

SPEC = {
    "app_name": "groomer",
    "title": "Dog groomer",
    "summary": "Bookings for a dog groomer.",
    "entities": [
        {"name": "Dog", "plural": "dogs", "label": "Dog", "fields": [{"name": "name"}]},
        {
            "name": "Booking",
            "plural": "bookings",
            "label": "Booking",
            "fields": [{"name": "startsAt", "type": "datetime"}],
            "relations": [{"name": "dog", "target": "Dog"}],
        },
    ],
}
ARCHITECT_ANSWER = {"reasoning": "Dogs are booked in; a booking belongs to one dog.", "spec": SPEC}
APP_LINE = '  app.disable("x-powered-by");\n'
BACKEND_ANSWER = {
    "reasoning": "Behind the groomer's proxy; a greeting for the front desk.",
    "files": [{"path": "backend/src/greeting.ts", "content": 'export const greeting = "Woof";\n'}],
    "edits": [
        {"path": "backend/src/app.ts", "search": APP_LINE, "replace": APP_LINE + '  app.set("trust proxy", 1);\n'}
    ],
}
MISSED_EDIT = {
    **BACKEND_ANSWER,
    "edits": [{"path": "backend/src/app.ts", "search": "app.disable('x-powered-by');", "replace": ""}],
}
ESCAPING_ANSWER = {
    "reasoning": "Also a helper next to the project.",
    "files": [
        {"path": "backend/src/app.ts", "content": "export const app = 1;\n"},
        {"path": "../outside.txt", "content": "escaped"},
    ],
}
TRESPASSING_ANSWER = {"reasoning": "A page too.", "files": [{"path": "frontend/src/App.tsx", "content": "x"}]}

pytestmark = pytest.mark.django_db(transaction=True)


def _run_plan(project, settings, replies, *, spec: Spec | None = None, feedback: str = "", spec_edited: bool = False):
    project.provider = "openai"
    project.save()
    tasks = [
        {
            "key": "spec",
            "title": "Spec",
            "agent": "architect",
            "instructions": "",
            "depends_on": [],
            "scope": [],
            "timeout_s": None,
        },
        {
            "key": "backend",
            "title": "API",
            "agent": "backend",
            "instructions": "",
            "depends_on": ["spec"],
            "scope": [],
            "timeout_s": None,
        },
    ]
    spec = spec or planned_spec(project.request)
    version = PlanVersion.objects.create(
        project=project,
        number=1,
        source="llm",
        tasks=tasks,
        feedback=feedback,
        spec=spec.model_dump(mode="json"),
        spec_edited=spec_edited,
    )
    with OpenAIStub([Reply(json=answer) for answer in replies]) as stub:
        use_openai(settings, stub, TASK_MAX_ATTEMPTS=1)
        run = run_inline(start_run(version))
    return run, stub


def test_the_architect_stores_the_models_spec_contract_and_reasoning(project_a, settings):
    run, _ = _run_plan(project_a, settings, [ARCHITECT_ANSWER, BACKEND_ANSWER])
    spec_task = run.task_runs.get(key="spec")
    assert spec_task.status == TaskRun.Status.SUCCEEDED
    assert spec_task.reasoning.startswith("Dogs are booked in; a booking belongs to one dog.")
    paths = set(Artifact.objects.filter(task_run=spec_task).values_list("path", flat=True))
    assert paths == {SPEC_PATH, CONTRACT_PATH}


def test_the_architect_starts_the_model_from_the_versions_spec_and_feedback(project_a, settings):
    _, stub = _run_plan(project_a, settings, [ARCHITECT_ANSWER, BACKEND_ANSWER], feedback="Also keep the dogs' breeds")
    prompt = stub.requests[0].last_user_text
    assert "The planner's spec, to start from" in prompt and '"name": "Appointment"' in prompt
    assert "The team's feedback, which this plan version answers:\nAlso keep the dogs' breeds" in prompt


def test_the_architect_keeps_the_stack_website_and_log_ins_the_plan_was_built_for(project_a, settings):
    planned = planned_spec(project_a.request, options={"frontend": False, "auth": False})
    run, _ = _run_plan(
        project_a,
        settings,
        [{**ARCHITECT_ANSWER, "spec": {**SPEC, "frontend": True, "auth": True}}, BACKEND_ANSWER],
        spec=planned,
    )
    written = Spec.model_validate_json(Artifact.objects.get(run=run, path=SPEC_PATH).content)
    assert [e.name for e in written.entities] == ["Dog", "Booking"]
    assert (written.stack, written.frontend, written.auth) == (planned.stack, False, False)


def test_a_data_model_set_in_the_editor_is_written_as_it_is_without_asking_the_model(project_a, settings):
    edited = Spec.model_validate(SPEC)
    run, stub = _run_plan(project_a, settings, [BACKEND_ANSWER], spec=edited, spec_edited=True)
    spec_task = run.task_runs.get(key="spec")
    assert spec_task.status == TaskRun.Status.SUCCEEDED
    assert Spec.model_validate_json(Artifact.objects.get(run=run, path=SPEC_PATH).content) == edited
    assert "as the team set it in the editor" in spec_task.reasoning
    assert LLMCall.objects.filter(task_run=spec_task).count() == 0 and len(stub.requests) == 1


def test_the_architects_prompt_explains_the_richer_spec_with_an_example(project_a, settings):
    _, stub = _run_plan(project_a, settings, [ARCHITECT_ANSWER, BACKEND_ANSWER])
    system = dict(stub.requests[0].messages)["system"]
    for words in (
        "money (an exact amount",
        "choice (one of",
        '"many": true',
        "owned: true",
        "summaries:",
        '"only": "open"',
        "features:",
        "not_built",
    ):
        assert words in system


RICH_SPEC = {
    **SPEC,
    "entities": [
        {
            "name": "Dog",
            "plural": "dogs",
            "label": "Dog",
            "owned": True,
            "fields": [
                {"name": "name"},
                {"name": "size", "type": "choice", "options": ["small", "large"], "default": "small"},
            ],
        },
        {
            "name": "Booking",
            "plural": "bookings",
            "label": "Booking",
            "fields": [{"name": "startsAt", "type": "datetime"}, {"name": "price", "type": "money"}],
            "relations": [{"name": "dog", "target": "Dog", "many": True}],
        },
    ],
    "summaries": [
        {
            "name": "takings",
            "label": "Takings per month",
            "entity": "Booking",
            "measure": "sum",
            "field": "price",
            "period": "month",
            "date_field": "startsAt",
        }
    ],
}


def test_the_architect_keeps_a_models_choices_money_many_links_ownership_and_summaries(project_a, settings):
    run, _ = _run_plan(project_a, settings, [{**ARCHITECT_ANSWER, "spec": RICH_SPEC}, BACKEND_ANSWER])
    written = Spec.model_validate_json(Artifact.objects.get(run=run, path=SPEC_PATH).content)
    dog, booking = written.entities
    assert dog.owned and dog.fields[1].options == ["small", "large"] and booking.fields[1].type == "money"
    assert booking.relations[0].many and written.summaries[0].period == "month"
    contract = Artifact.objects.get(run=run, path=CONTRACT_PATH).content
    assert "/api/summaries/takings" in contract and '"dogIds"' in contract


def test_a_spec_that_breaks_the_plans_choices_goes_back_to_the_model_with_the_reason(project_a, settings):
    planned = planned_spec(project_a.request, options={"auth": False})
    run, stub = _run_plan(
        project_a, settings, [{**ARCHITECT_ANSWER, "spec": RICH_SPEC}, ARCHITECT_ANSWER, BACKEND_ANSWER], spec=planned
    )
    assert run.task_runs.get(key="spec").status == TaskRun.Status.SUCCEEDED
    assert "private to its creator, which needs log-ins" in stub.requests[1].last_user_text
    written = Spec.model_validate_json(Artifact.objects.get(run=run, path=SPEC_PATH).content)
    assert not written.auth and not any(e.owned for e in written.entities)


def test_an_agent_writes_the_scaffold_with_the_models_changes_and_keeps_its_reasoning(project_a, settings):
    run, _ = _run_plan(project_a, settings, [ARCHITECT_ANSWER, BACKEND_ANSWER])
    backend = run.task_runs.get(key="backend")
    assert backend.status == TaskRun.Status.SUCCEEDED
    assert backend.reasoning == "Behind the groomer's proxy; a greeting for the front desk."
    files = dict(backend.artifacts.values_list("path", "content"))
    # The offline scaffold for the architect's spec, with the model's new file and its edit.
    assert {"backend/src/routes/dogs.ts", "backend/src/routes/bookings.ts", "backend/prisma/schema.prisma"} <= set(
        files
    )
    assert files["backend/src/greeting.ts"] == 'export const greeting = "Woof";\n'
    assert APP_LINE + '  app.set("trust proxy", 1);\n' in files["backend/src/app.ts"]
    assert LLMCall.objects.filter(task_run=backend, purpose="agent").count() == 1


def test_an_edit_that_does_not_apply_goes_back_with_the_files_text_and_the_next_answer_is_applied(project_a, settings):
    run, stub = _run_plan(project_a, settings, [ARCHITECT_ANSWER, MISSED_EDIT, BACKEND_ANSWER])
    backend = run.task_runs.get(key="backend")
    assert backend.status == TaskRun.Status.SUCCEEDED
    sent_back = stub.requests[2].last_user_text
    assert "edit 1 of backend/src/app.ts: its search text is not in the file" in sent_back
    assert "--- current text of backend/src/app.ts ---\n" in sent_back and APP_LINE in sent_back
    assert not backend.artifacts.filter(path="backend/src/app.ts", content__contains='x-powered-by");\n\n').exists()
    assert 'app.set("trust proxy", 1);' in backend.artifacts.get(path="backend/src/app.ts").content
    calls = LLMCall.objects.filter(task_run=backend, purpose="agent").order_by("pk")
    assert [bool(call.error) for call in calls] == [True, False]


def test_the_prompt_carries_the_spec_the_contract_and_the_expected_layout(project_a, settings):
    _, stub = _run_plan(project_a, settings, [ARCHITECT_ANSWER, BACKEND_ANSWER])
    prompt = stub.requests[1].last_user_text
    assert '"app_name": "groomer"' in prompt
    assert f"--- upstream file {CONTRACT_PATH} ---" in prompt and '"/api/bookings/{id}"' in prompt
    assert "backend/src/routes/bookings.ts" in prompt and "backend/prisma/schema.prisma" in prompt


def test_a_model_that_writes_outside_the_project_fails_the_task_and_nothing_is_stored(project_a, settings, tmp_path):
    run, _ = _run_plan(project_a, settings, [ARCHITECT_ANSWER, ESCAPING_ANSWER])
    backend = run.task_runs.get(key="backend")
    assert backend.status == TaskRun.Status.FAILED
    assert "climbs out of the project" in backend.error
    assert not backend.artifacts.exists()
    assert not Artifact.objects.filter(run=run, path__contains="outside").exists()


def test_a_model_that_writes_another_agents_files_fails_the_task(project_a, settings):
    run, _ = _run_plan(project_a, settings, [ARCHITECT_ANSWER, TRESPASSING_ANSWER])
    backend = run.task_runs.get(key="backend")
    assert backend.status == TaskRun.Status.FAILED
    assert "may only write backend/" in backend.error
    assert not backend.artifacts.exists()


def test_upstream_files_are_shown_most_relevant_first_within_the_budget():
    upstream = {
        "docs/API.md": "d" * 100,
        "backend/src/app.ts": "b" * 100,
        SPEC_PATH: "{}",
        "backend/tests/big.test.ts": "t" * 1000,
    }
    shown = relevant_upstream(upstream, ("backend/",), budget_tokens=60)
    assert list(shown) == [SPEC_PATH, "backend/src/app.ts", "backend/tests/big.test.ts"]
    assert shown["backend/src/app.ts"] == "b" * 100
    assert shown["backend/tests/big.test.ts"].endswith("[... truncated to fit the context budget ...]")
    assert len(shown["backend/tests/big.test.ts"]) < 1000

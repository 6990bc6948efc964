"""Changes longer than one answer of the model come in batches: each answer says whether more is to
come, is applied onto the files as the earlier batches left them, and the next prompt says what was
already sent — with the real SDK clients against the stubs."""

import pytest

from agents.file_agent import MAX_BATCHES
from orchestration.models import LLMCall, PlanVersion, Run, TaskRun
from orchestration.offline_planner import planned_spec
from orchestration.planning import plan_project
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from projects.models import Project
from testbed.scripted_model import CONVERTER_REQUEST, ScriptedModel, feature_files
from testbed.stubs import GeminiStub, OpenAIStub, Reply, use_gemini, use_openai
from tests.test_agents_llm import APP_LINE, ARCHITECT_ANSWER

pytestmark = pytest.mark.django_db(transaction=True)

PROVIDERS = [pytest.param(OpenAIStub, use_openai, id="openai"), pytest.param(GeminiStub, use_gemini, id="gemini")]
PROXY_LINE = '  app.set("trust proxy", 1);\n'
WRITE_GREETING = {
    "reasoning": "A greeting for the front desk. Still to send: the proxy setting, a louder greeting.",
    "files": [{"path": "backend/src/greeting.ts", "content": 'export const greeting = "Woof";\n'}],
    "more": True,
}
TRUST_PROXY = {
    "reasoning": "Behind the groomer's proxy.",
    "edits": [{"path": "backend/src/app.ts", "search": APP_LINE, "replace": APP_LINE + PROXY_LINE}],
}
LOUDER_GREETING = {
    "reasoning": "A louder greeting.",
    "edits": [{"path": "backend/src/greeting.ts", "search": '"Woof"', "replace": '"WOOF"'}],
}
MISSED_EDIT = {
    **TRUST_PROXY,
    "edits": [{"path": "backend/src/app.ts", "search": "app.disable('x-powered-by');", "replace": ""}],
}


def _run_backend(project, settings, answers, stub_class=OpenAIStub, use=use_openai, **overrides):
    """A plan of the architect and the backend agent, run with the model giving `answers` to the backend."""
    project.provider = "gemini" if stub_class is GeminiStub else "openai"
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
    version = PlanVersion.objects.create(
        project=project, number=1, source="llm", tasks=tasks, spec=planned_spec(project.request).model_dump(mode="json")
    )
    with stub_class([Reply(json=answer) for answer in [ARCHITECT_ANSWER, *answers]]) as stub:
        use(settings, stub, TASK_MAX_ATTEMPTS=1, **overrides)
        run = run_inline(start_run(version))
    return run.task_runs.get(key="backend"), stub


def _errors(task) -> list[bool]:
    return [bool(call.error) for call in LLMCall.objects.filter(task_run=task).order_by("pk")]


@pytest.mark.parametrize("stub_class, use", PROVIDERS)
def test_a_feature_sent_in_three_batches_is_written_as_one_answer_would_write_it(
    alice, team_a, settings, stub_class, use
):
    project = Project.objects.create(
        team=team_a,
        created_by=alice,
        title="Converter",
        request=CONVERTER_REQUEST,
        provider="gemini" if stub_class is GeminiStub else "openai",
    )
    with stub_class(ScriptedModel(feature_batches=3)) as stub:
        use(settings, stub, TASK_MAX_ATTEMPTS=1, VERIFY_CHECKS=False)
        run = run_inline(start_run(plan_project(project)))
    assert run.status == Run.Status.SUCCEEDED, list(run.task_runs.values_list("key", "error"))
    feature = run.task_runs.get(agent="feature")
    assert dict(feature.artifacts.values_list("path", "content")) == feature_files("converter")
    assert _errors(feature) == [False, False, False]
    first, second, third = [
        r.last_user_text for r in stub.requests if r.messages[0][1].startswith("You are the feature agent")
    ]
    paths = list(feature_files("converter"))
    assert "Files written or edited so far" not in first
    assert f"Files written or edited so far: {', '.join(sorted(paths[:2]))}\n" in second
    assert f"Files written or edited so far: {', '.join(sorted(paths[:4]))}\n" in third
    assert feature.reasoning.count("The converter feature, with tests tagged with its criterion.") == 3


@pytest.mark.parametrize("stub_class, use", PROVIDERS)
def test_an_edit_in_the_third_batch_changes_a_file_the_first_one_wrote(project_a, settings, stub_class, use):
    backend, stub = _run_backend(
        project_a, settings, [WRITE_GREETING, {**TRUST_PROXY, "more": True}, LOUDER_GREETING], stub_class, use
    )
    assert backend.status == TaskRun.Status.SUCCEEDED
    files = dict(backend.artifacts.values_list("path", "content"))
    assert files["backend/src/greeting.ts"] == 'export const greeting = "WOOF";\n'
    assert APP_LINE + PROXY_LINE in files["backend/src/app.ts"]
    assert "backend/src/routes/dogs.ts" in files  # the scaffold is kept
    assert backend.reasoning == "\n\n".join(a["reasoning"] for a in (WRITE_GREETING, TRUST_PROXY, LOUDER_GREETING))
    # The third prompt shows app.ts as the second batch left it: the prompt's own copy is from before.
    third = stub.requests[3].last_user_text
    assert "--- your file backend/src/app.ts, as your edits left it ---\n" in third and PROXY_LINE in third
    assert _errors(backend) == [False, False, False]


def test_an_edit_that_fails_in_the_second_batch_goes_back_and_the_first_batch_is_kept(project_a, settings):
    backend, stub = _run_backend(project_a, settings, [WRITE_GREETING, MISSED_EDIT, TRUST_PROXY])
    assert backend.status == TaskRun.Status.SUCCEEDED
    assert "edit 1 of backend/src/app.ts: its search text is not in the file" in stub.requests[3].last_user_text
    files = dict(backend.artifacts.values_list("path", "content"))
    assert files["backend/src/greeting.ts"] == 'export const greeting = "Woof";\n'
    assert APP_LINE + PROXY_LINE in files["backend/src/app.ts"]
    assert _errors(backend) == [False, True, False]


def test_an_answer_that_says_more_is_to_come_but_changes_nothing_goes_back(project_a, settings):
    backend, stub = _run_backend(project_a, settings, [{"reasoning": "The rest follows.", "more": True}, TRUST_PROXY])
    assert backend.status == TaskRun.Status.SUCCEEDED
    assert "more is true but the answer changes no file" in stub.requests[2].last_user_text
    assert APP_LINE + PROXY_LINE in backend.artifacts.get(path="backend/src/app.ts").content


def test_a_model_that_never_stops_saying_more_fails_the_task_with_nothing_written(project_a, settings):
    endless = [
        {
            "reasoning": f"Part {n}; more follows.",
            "more": True,
            "files": [{"path": f"backend/src/part{n}.ts", "content": f"export const part = {n};\n"}],
        }
        for n in range(1, MAX_BATCHES + 2)
    ]
    backend, _ = _run_backend(project_a, settings, endless, LLM_OUTPUT_LIMITS={}, LLM_MAX_OUTPUT_TOKENS=8192)
    assert backend.status == TaskRun.Status.FAILED
    assert (
        f"The model still had more changes to send after {MAX_BATCHES} answers of about 6144 tokens each"
        in backend.error
    )
    assert not backend.artifacts.exists()
    assert LLMCall.objects.filter(task_run=backend).count() == MAX_BATCHES


@pytest.mark.parametrize(
    "stub_class, use, told",
    [pytest.param(OpenAIStub, use_openai, 1500, id="openai"), pytest.param(GeminiStub, use_gemini, 3000, id="gemini")],
)
def test_the_answer_size_the_model_is_told_follows_its_output_limit(project_a, settings, stub_class, use, told):
    limits = {"llama3.1": 2000, "gemini-2.5-flash": 4000}
    backend, stub = _run_backend(
        project_a, settings, [TRUST_PROXY], stub_class, use, LLM_OUTPUT_LIMITS=limits, LLM_MAX_OUTPUT_TOKENS=8192
    )
    assert backend.status == TaskRun.Status.SUCCEEDED
    assert f"Each answer must stay within about {told} tokens." in dict(stub.requests[1].messages)["system"]

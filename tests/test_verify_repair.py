"""Repairs with a model: a scripted model on the OpenAI-compatible stub (the real openai client) writes a
back end with a type error and a failing test; the verify task sends it the compiler's and the test
runner's output, and the model answers with fixed files. A model that fixes them ends the run green after
one repair round, both attempts of the backend task recorded; one that never does ends failed after
VERIFY_MAX_REPAIRS rounds, with the failing checks named."""

from __future__ import annotations

import pytest

from agents.base import AgentContext
from agents.registry import get_agent
from orchestration.models import Check, LLMCall, PlanVersion, Run, TaskAttempt, TaskRun
from orchestration.offline_planner import planned_spec, verify_task
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from testbed.stubs import OpenAIStub, Reply, use_openai
from testbed.verify import CACHE

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REQUEST = "An API for a plant nursery: plants with a name, a price and a watering day"
WRONG = 'export const wrongType: number = "not a number";\n'
RIGHT = "export const rightType = 42;\n"
FAILING_TEST = '\ntest("a deliberately failing test", () => {\n  expect(1 + 1).toBe(3);\n});\n'


class ScriptedModel:
    """The backend agent's model: its first answer adds to the offline back end a type error
    (src/wrong.ts) and a failing test; a repair answer fixes both when `fixes`, else repeats them."""

    def __init__(self, spec, *, fixes: bool) -> None:
        upstream = get_agent("architect").run(self._context(spec, {})).files
        self.files = get_agent("backend").offline(spec, self._context(spec, upstream))
        self.test = "backend/tests/plants.test.ts"
        self.fixes = fixes
        self.repair_prompts: list[str] = []

    @staticmethod
    def _context(spec, upstream) -> AgentContext:
        return AgentContext(
            request=REQUEST, task_key="x", title="x", instructions="", scope=[], upstream=upstream, spec=spec
        )

    def __call__(self, request) -> Reply:
        system, prompt = dict(request.messages)["system"], request.last_user_text
        assert "You are the backend agent" in system, system[:200]
        if "--- failing checks ---" not in prompt:
            end = self.files[self.test][-40:]
            return self._answer(
                "The back end, one router per record.",
                {"backend/src/wrong.ts": WRONG},
                [{"path": self.test, "search": end, "replace": end + FAILING_TEST}],
            )
        self.repair_prompts.append(prompt)
        if self.fixes:
            return self._answer(
                "wrong.ts assigned a string to a number; the last test expected 1 + 1 to be 3.",
                {"backend/src/wrong.ts": RIGHT},
                [{"path": self.test, "search": FAILING_TEST, "replace": ""}],
            )
        return self._answer("Renamed it.", {"backend/src/wrong.ts": WRONG.replace("wrongType", "stillWrong")})

    @staticmethod
    def _answer(reasoning: str, files: dict[str, str], edits: list[dict] = ()) -> Reply:
        return Reply(
            json={
                "reasoning": reasoning,
                "files": [{"path": p, "content": c} for p, c in files.items()],
                "edits": list(edits),
            }
        )


@pytest.fixture
def verified(settings):
    settings.VERIFY_CHECKS = True
    settings.VERIFY_SANDBOX = "bwrap"
    settings.VERIFY_CACHE_DIR = CACHE
    settings.VERIFY_CONTRACT_EXAMPLES = 2
    return settings


def _run(project, settings, model: ScriptedModel, spec) -> Run:
    """A run of spec → backend → verify with the model writing the back end (the spec, set in the
    data-model editor, is written as it is)."""
    project.provider = "openai"
    project.save()
    tasks = [
        {
            "key": "spec",
            "title": "Design the data model and API contract",
            "agent": "architect",
            "instructions": "",
            "depends_on": [],
            "scope": [],
            "timeout_s": None,
        },
        {
            "key": "backend",
            "title": "Build the API",
            "agent": "backend",
            "instructions": "",
            "depends_on": ["spec"],
            "scope": [],
            "timeout_s": None,
        },
        verify_task(spec, ["backend"]).model_dump(),
    ]
    version = PlanVersion.objects.create(
        project=project, number=1, source="model", tasks=tasks, spec=spec.model_dump(mode="json"), spec_edited=True
    )
    with OpenAIStub(model) as stub:
        use_openai(settings, stub, TASK_MAX_ATTEMPTS=1)
        return run_inline(start_run(version))


def _checks(run: Run, round: int) -> dict[str, Check]:
    return {check.name: check for check in Check.objects.filter(run=run, round=round)}


def test_a_model_fixes_a_type_error_and_a_failing_test_in_one_repair_round(project_a, verified):
    spec = planned_spec(REQUEST)
    model = ScriptedModel(spec, fixes=True)
    run = _run(project_a, verified, model, spec)

    verify = TaskRun.objects.get(run=run, key="verify")
    failed = [(c.round, c.name, c.output[-1500:]) for c in Check.objects.filter(run=run, status="failed")]
    assert (run.status, verify.status) == ("succeeded", "succeeded"), (verify.error, failed)
    first, second = _checks(run, 0), _checks(run, 1)
    assert not first["types"].passed and "src/wrong.ts" in first["types"].output
    assert first["tests"].counts["failed"] == 1 and first["tests"].words == "tests failed: 1"
    assert all(check.passed for check in second.values()), {
        n: c.output[-500:] for n, c in second.items() if not c.passed
    }
    assert set(second) >= {"installs", "types", "lint", "tests", "build", "contract"}

    # The model was shown the compiler's error and the failing test's name and assertion.
    (prompt,) = model.repair_prompts
    assert "TS2322" in prompt and "a deliberately failing test" in prompt and "Expected: 3" in prompt

    backend = TaskRun.objects.get(run=run, key="backend")
    attempts = list(TaskAttempt.objects.filter(task_run=backend).order_by("number"))
    assert [(a.number, a.repair_round, a.succeeded) for a in attempts] == [(1, None, True), (2, 1, True)]
    assert "string to a number" in attempts[1].reasoning
    assert list(LLMCall.objects.filter(task_run=backend).order_by("id").values_list("purpose", flat=True)) == [
        "agent",
        "repair",
    ]
    files = dict(run.artifacts.values_list("path", "content"))
    assert files["backend/src/wrong.ts"] == RIGHT and FAILING_TEST not in files["backend/tests/plants.test.ts"]
    assert "Then: " in verify.reasoning and "checks passed." in verify.reasoning


def test_a_model_that_never_fixes_its_code_fails_the_run_after_the_last_repair_round(project_a, verified):
    verified.VERIFY_MAX_REPAIRS = 1
    spec = planned_spec(REQUEST)
    model = ScriptedModel(spec, fixes=False)
    run = _run(project_a, verified, model, spec)

    verify = TaskRun.objects.get(run=run, key="verify")
    assert (run.status, verify.status) == ("failed", "failed")
    assert verify.error.startswith("Checks failed: ") and "Back end: type errors" in verify.error
    assert "Back end: tests failed: 1" in verify.error and "(after 1 repair round)" in verify.error
    assert len(model.repair_prompts) == 1
    assert not _checks(run, 1)["types"].passed
    backend = TaskRun.objects.get(run=run, key="backend")
    assert list(backend.attempts.values_list("repair_round", flat=True).order_by("number")) == [None, 1]
    assert _checks(run, 1)["tests"].counts["failed"] == 1

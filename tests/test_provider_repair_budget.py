"""What every provider shares: repairs of unusable answers, token budgets and token totals."""

import threading

import pytest
from django.db import connection
from pydantic import BaseModel, Field

from agents.base import PermanentAgentError
from agents.providers import BudgetExceeded, ProviderError, generate, get_provider
from orchestration.models import LLMCall, PlanVersion, Run, TaskRun
from orchestration.usage import llm_context, project_token_budget
from testbed.stubs import GeminiStub, OpenAIStub, Reply, use_gemini, use_openai

GOOD = {"title": "Pancakes", "steps": ["Mix", "Fry"]}


class Recipe(BaseModel):
    title: str
    steps: list[str] = Field(min_length=1)


class TooManyProblems(ValueError):
    """Like orchestration.plans.PlanInvalid: a ValueError carrying a list of problems."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _ask(context, validate=None):
    return generate(
        get_provider(),
        system="You write recipes.",
        prompt="Pancakes, please.",
        schema=Recipe,
        context=context,
        validate=validate,
    )


def _task_runs(project, *, budget: int, keys=("backend",)) -> list[TaskRun]:
    version = PlanVersion.objects.create(project=project, number=1, source="offline", tasks=[])
    run = Run.objects.create(plan_version=version, token_budget=budget)
    return [TaskRun.objects.create(run=run, key=key, agent="backend", title=key) for key in keys]


def test_an_answer_that_fails_the_schema_is_repaired(settings, project_a):
    with OpenAIStub([Reply(json={"title": "Pancakes", "steps": []}), Reply(json=GOOD)]) as stub:
        use_openai(settings, stub)
        generated = _ask(llm_context(project_a))
    assert generated.value == Recipe(**GOOD)
    assert "steps: List should have at least 1 item" in stub.requests[1].last_user_text


def test_an_answer_that_fails_validation_is_repaired_with_every_problem(settings, project_a):
    def no_burnt_pancakes(recipe: Recipe) -> None:
        if "Burn" in recipe.steps:
            raise TooManyProblems(["step 'Burn' is not allowed", "a recipe needs at least two steps"])

    with GeminiStub([Reply(json={"title": "Pancakes", "steps": ["Burn"]}), Reply(json=GOOD)]) as stub:
        use_gemini(settings, stub)
        generated = _ask(llm_context(project_a), validate=no_burnt_pancakes)
    assert generated.value == Recipe(**GOOD)
    repair = stub.requests[1].last_user_text
    assert "- step 'Burn' is not allowed\n- a recipe needs at least two steps" in repair


def test_what_validate_returns_replaces_the_answer(settings, project_a):
    with OpenAIStub([Reply(json=GOOD)]) as stub:
        use_openai(settings, stub)
        generated = _ask(
            llm_context(project_a), validate=lambda recipe: recipe.model_copy(update={"title": recipe.title.upper()})
        )
    assert generated.value.title == "PANCAKES"


def test_after_the_last_repair_it_explains_what_was_wrong(settings, project_a):
    with OpenAIStub(default=Reply(json={"title": "Pancakes"})) as stub:
        use_openai(settings, stub, LLM_MAX_REPAIRS=2)
        with pytest.raises(ProviderError) as failure:
            _ask(llm_context(project_a))
    assert str(failure.value) == (
        "The OpenAI-compatible model did not give a usable answer in 3 tries. "
        "The last answer had these problems: steps: Field required"
    )
    assert len(stub.requests) == 3
    assert LLMCall.objects.filter(project=project_a, error__startswith="unusable answer").count() == 3


def test_repairs_count_in_the_tokens_returned(settings, project_a):
    with OpenAIStub(
        [Reply(text="nope", tokens_in=10, tokens_out=1), Reply(json=GOOD, tokens_in=20, tokens_out=5)]
    ) as stub:
        use_openai(settings, stub)
        generated = _ask(llm_context(project_a))
    assert (generated.tokens_in, generated.tokens_out) == (30, 6)
    assert len(generated.call_ids) == 2


@pytest.mark.scaleout
def test_tokens_are_added_to_the_task_and_its_run(settings, project_a):
    backend, frontend = _task_runs(project_a, budget=0, keys=("backend", "frontend"))
    with OpenAIStub(
        [Reply(json=GOOD, tokens_in=100, tokens_out=10), Reply(json=GOOD, tokens_in=200, tokens_out=20)]
    ) as stub:
        use_openai(settings, stub)
        _ask(llm_context(project_a, task_run=backend, purpose="agent"))
        _ask(llm_context(project_a, task_run=frontend, purpose="agent"))
    run = Run.objects.get(pk=backend.run_id)
    assert (run.tokens_in, run.tokens_out) == (300, 30)
    backend.refresh_from_db()
    assert (backend.tokens_in, backend.tokens_out) == (100, 10)
    assert LLMCall.objects.filter(task_run=frontend, purpose="agent").count() == 1


def test_a_runs_cost_follows_the_configured_prices(settings, project_a):
    (backend,) = _task_runs(project_a, budget=0)
    settings.LLM_PRICE_INPUT_PER_MTOK, settings.LLM_PRICE_OUTPUT_PER_MTOK = 0.30, 2.50
    with OpenAIStub([Reply(json=GOOD, tokens_in=10_000, tokens_out=2_000)]) as stub:
        use_openai(settings, stub)
        _ask(llm_context(project_a, task_run=backend, purpose="agent"))
    assert str(Run.objects.get(pk=backend.run_id).cost_usd) == "0.0080"


@pytest.mark.scaleout
@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_lose_no_tokens(settings, project_a):
    task_runs = _task_runs(project_a, budget=0, keys=[f"task{i}" for i in range(6)])
    with OpenAIStub(default=Reply(json=GOOD, tokens_in=7, tokens_out=3)) as stub:
        use_openai(settings, stub)

        def call(task_run):
            try:
                _ask(llm_context(project_a, task_run=task_run, purpose="agent"))
            finally:
                connection.close()

        threads = [threading.Thread(target=call, args=(t,)) for t in task_runs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    run = Run.objects.get(pk=task_runs[0].run_id)
    assert (run.tokens_in, run.tokens_out) == (42, 18)


def test_a_call_that_would_pass_the_run_budget_is_refused_before_it_is_sent(settings, project_a):
    [task_run] = _task_runs(project_a, budget=5000)
    Run.objects.filter(pk=task_run.run_id).update(tokens_in=3000, tokens_out=500)
    with OpenAIStub([Reply(json=GOOD)]) as stub:
        use_openai(settings, stub, LLM_OUTPUT_TOKEN_ESTIMATE=2000)
        with pytest.raises(BudgetExceeded) as refusal:
            _ask(llm_context(project_a, task_run=task_run, purpose="agent"))
    assert str(refusal.value).startswith("token budget exceeded: the next model call needs about 2,")
    assert "the run has used 3,500 of its 5,000" in str(refusal.value)
    assert stub.requests == []
    assert not LLMCall.objects.exists()


def test_a_budget_refusal_is_a_permanent_agent_failure():
    assert issubclass(BudgetExceeded, PermanentAgentError)


def test_a_run_budget_of_zero_means_no_limit(settings, project_a):
    [task_run] = _task_runs(project_a, budget=0)
    Run.objects.filter(pk=task_run.run_id).update(tokens_in=10**9)
    with OpenAIStub([Reply(json=GOOD)]) as stub:
        use_openai(settings, stub)
        assert _ask(llm_context(project_a, task_run=task_run)).value == Recipe(**GOOD)


def test_the_budget_also_stops_repairs(settings, project_a):
    [task_run] = _task_runs(project_a, budget=3000)
    with OpenAIStub([Reply(text="not json", tokens_in=500, tokens_out=600), Reply(json=GOOD)]) as stub:
        use_openai(settings, stub, LLM_OUTPUT_TOKEN_ESTIMATE=2000)
        with pytest.raises(BudgetExceeded):
            _ask(llm_context(project_a, task_run=task_run))
    assert len(stub.requests) == 1


def test_planning_is_held_to_the_projects_budget(settings, project_a):
    project_a.token_budget = 1000
    with GeminiStub([Reply(json=GOOD)]) as stub:
        use_gemini(settings, stub, LLM_OUTPUT_TOKEN_ESTIMATE=2000)
        with pytest.raises(BudgetExceeded, match="planning has used 0 of its 1,000"):
            _ask(llm_context(project_a))
    assert stub.requests == []


def test_a_project_without_its_own_budget_uses_the_setting(settings, project_a):
    settings.RUN_TOKEN_BUDGET = 1234
    assert project_token_budget(project_a) == 1234
    project_a.token_budget = 99
    assert project_token_budget(project_a) == 99

"""Answers that fit the model's output limit: the limit is sent, and an answer cut off there is
continued, not repaired. Real SDK clients against the stub servers, for both APIs."""

import json

import pytest
from pydantic import BaseModel, Field

from agents.providers import BudgetExceeded, ProviderError, generate, get_provider
from agents.providers.generation import CONTINUE_REQUEST
from orchestration.models import LLMCall
from orchestration.usage import llm_context
from testbed.stubs import APIS, Reply

GOOD = {"title": "Pancakes", "steps": ["Mix the flour, eggs and milk", "Rest the batter", "Fry in butter"]}
GOOD_TEXT = json.dumps(GOOD)


class Recipe(BaseModel):
    title: str
    steps: list[str] = Field(min_length=1)


@pytest.fixture(params=APIS, ids=lambda api: api.name)
def api(request):
    return request.param


def _ask(project):
    return generate(
        get_provider(),
        system="You write recipes.",
        prompt="Pancakes, please.",
        schema=Recipe,
        context=llm_context(project),
    )


def _calls(project) -> list[LLMCall]:
    return list(LLMCall.objects.filter(project=project).order_by("attempt"))


def _limit_sent(request) -> int:
    body = request.json
    return body["generationConfig"]["maxOutputTokens"] if "contents" in body else body["max_tokens"]


def _held_to_schema(request) -> bool:
    body = request.json
    return "responseJsonSchema" in body.get("generationConfig", {}) or "response_format" in body


def _split(text: str, parts: int) -> list[str]:
    size = len(text) // parts + 1
    return [text[start : start + size] for start in range(0, len(text), size)]


def test_the_models_own_limit_is_sent(settings, project_a, api):
    with api.stub([Reply(json=GOOD)]) as stub:
        api.use(
            settings,
            stub,
            GEMINI_MODEL="gemini-2.5-pro",
            OPENAI_MODEL="llama3.2",
            LLM_OUTPUT_LIMITS={"llama3.2": 4096, "gemini-2.5-pro": 65536},
            LLM_MAX_OUTPUT_TOKENS=8192,
        )
        _ask(project_a)
    assert _limit_sent(stub.requests[0]) == {"gemini": 65536, "openai": 4096}[api.name]


def test_a_model_without_a_limit_of_its_own_gets_the_default(settings, project_a, api):
    with api.stub([Reply(json=GOOD)]) as stub:
        api.use(settings, stub, LLM_OUTPUT_LIMITS={"some-other-model": 4096}, LLM_MAX_OUTPUT_TOKENS=3000)
        _ask(project_a)
    assert _limit_sent(stub.requests[0]) == 3000


@pytest.mark.parametrize("parts", [2, 3])
def test_an_answer_cut_off_at_the_limit_is_continued_and_parsed_whole(settings, project_a, api, parts):
    pieces = _split(GOOD_TEXT, parts)
    replies = [Reply(text=piece, finish_reason=api.cut_off, tokens_in=50, tokens_out=64) for piece in pieces[:-1]]
    with api.stub(replies + [Reply(text=pieces[-1], tokens_in=50, tokens_out=10)]) as stub:
        api.use(settings, stub, LLM_MAX_OUTPUT_TOKENS=64)
        generated = _ask(project_a)
    assert generated.value == Recipe(**GOOD)
    assert generated.raw_text == GOOD_TEXT
    assert (generated.tokens_in, generated.tokens_out) == (50 * parts, 64 * (parts - 1) + 10)
    calls = _calls(project_a)
    assert [c.truncated for c in calls] == [True] * (parts - 1) + [False]
    assert [c.error for c in calls] == ["answer cut off at the output limit (64 tokens); asked to continue"] * (
        parts - 1
    ) + [""]
    assert [c.response for c in calls] == pieces


def test_a_continuation_shows_the_answer_so_far_and_asks_for_the_rest(settings, project_a, api):
    first, second, rest = _split(GOOD_TEXT, 3)
    script = [
        Reply(text=first, finish_reason=api.cut_off),
        Reply(text=second, finish_reason=api.cut_off),
        Reply(text=rest),
    ]
    with api.stub(script) as stub:
        api.use(settings, stub)
        _ask(project_a)
    assert stub.requests[2].messages[1:] == [
        ("user", "Pancakes, please."),
        ("assistant", first + second),
        ("user", CONTINUE_REQUEST),
    ]
    assert all("could not be used" not in r.last_user_text for r in stub.requests)


def test_a_continuation_is_not_held_to_the_schema(settings, project_a, api):
    """A model held to the schema could only start a new JSON value, never give the rest of one."""
    first, rest = _split(GOOD_TEXT, 2)
    with api.stub([Reply(text=first, finish_reason=api.cut_off), Reply(text=rest)]) as stub:
        api.use(settings, stub)
        _ask(project_a)
    assert [_held_to_schema(r) for r in stub.requests] == [True, False]


def test_an_answer_that_never_ends_is_reported_in_plain_words(settings, project_a, api):
    with api.stub(default=Reply(text='{"title": "Pan', finish_reason=api.cut_off)) as stub:
        api.use(settings, stub, LLM_MAX_OUTPUT_TOKENS=64, LLM_MAX_CONTINUATIONS=2)
        with pytest.raises(ProviderError) as failure:
            _ask(project_a)
    assert str(failure.value).startswith(
        "The answer kept reaching the model's output limit of 64 tokens; 2 continuations"
    )
    assert len(stub.requests) == 3
    assert [c.truncated for c in _calls(project_a)] == [True, True, True]
    assert _calls(project_a)[-1].error == "answer cut off at the output limit (64 tokens)"


def test_a_continued_answer_that_breaks_the_schema_is_repaired_whole(settings, project_a, api):
    bad = json.dumps({"title": "Pancakes", "steps": []})
    first, rest = _split(bad, 2)
    with api.stub([Reply(text=first, finish_reason=api.cut_off), Reply(text=rest), Reply(json=GOOD)]) as stub:
        api.use(settings, stub)
        generated = _ask(project_a)
    assert generated.value == Recipe(**GOOD)
    repair = stub.requests[2].messages
    assert repair[-2] == ("assistant", bad)
    assert "could not be used" in repair[-1][1] and "steps" in repair[-1][1]
    calls = _calls(project_a)
    assert [c.truncated for c in calls] == [True, False, False]
    assert calls[1].error.startswith("unusable answer: steps") and calls[2].error == ""


def test_the_budget_is_checked_before_a_continuation(settings, project_a, api):
    project_a.token_budget = 1000
    project_a.save()
    first, rest = _split(GOOD_TEXT, 2)
    with api.stub(
        [Reply(text=first, finish_reason=api.cut_off, tokens_in=100, tokens_out=900), Reply(text=rest)]
    ) as stub:
        api.use(settings, stub, LLM_OUTPUT_TOKEN_ESTIMATE=100)
        with pytest.raises(BudgetExceeded):
            _ask(project_a)
    assert len(stub.requests) == 1


def test_a_secret_split_between_two_parts_is_removed(settings, project_a, api):
    text = json.dumps({"title": f"The key is {api.key}", "steps": ["Mix"]})
    cut = text.index(api.key) + 6
    with api.stub([Reply(text=text[:cut], finish_reason=api.cut_off), Reply(text=text[cut:])]) as stub:
        api.use(settings, stub)
        generated = _ask(project_a)
    assert api.key not in generated.raw_text
    assert generated.value.title == "The key is [redacted]"

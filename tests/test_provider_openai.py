"""OpenAI-compatible servers through the real openai client, against a chat-completions stub."""

import time
from email.utils import formatdate

import pytest
from pydantic import BaseModel, Field

from agents.providers import ProviderError, generate, get_provider
from orchestration.models import LLMCall
from orchestration.usage import llm_context
from testbed.stubs import OPENAI_TEST_KEY, OpenAIStub, Reply, use_openai

GOOD = {"title": "Pancakes", "steps": ["Mix", "Fry"]}


class Recipe(BaseModel):
    title: str
    steps: list[str] = Field(min_length=1)


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


def test_it_returns_the_answer_as_the_schema(settings, project_a):
    with OpenAIStub([Reply(json=GOOD, tokens_in=80, tokens_out=20)]) as stub:
        use_openai(settings, stub)
        generated = _ask(project_a)
    assert generated.value == Recipe(**GOOD)
    assert (generated.tokens_in, generated.tokens_out) == (80, 20)
    [call] = _calls(project_a)
    assert (call.provider, call.model, call.attempt, call.tokens_in, call.tokens_out, call.error) == (
        "openai",
        "llama3.1",
        1,
        80,
        20,
        "",
    )


def test_it_asks_for_the_json_schema_when_the_server_supports_it(settings, project_a):
    with OpenAIStub([Reply(json=GOOD)]) as stub:
        use_openai(settings, stub)
        _ask(project_a)
    sent = stub.requests[0].json
    assert sent["model"] == "llama3.1"
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"]["required"] == ["title", "steps"]
    assert stub.requests[0].messages == [("system", "You write recipes."), ("user", "Pancakes, please.")]
    assert stub.requests[0].headers["authorization"] == f"Bearer {OPENAI_TEST_KEY}"


def test_without_json_schema_support_the_schema_goes_in_the_prompt(settings, project_a):
    fenced = '```json\n{"title": "Pancakes", "steps": ["Mix", "Fry"]}\n```'
    with OpenAIStub([Reply(text=fenced)]) as stub:
        use_openai(settings, stub, OPENAI_JSON_SCHEMA=False)
        generated = _ask(project_a)
    assert generated.value == Recipe(**GOOD)
    assert "response_format" not in stub.requests[0].json
    system = stub.requests[0].messages[0][1]
    assert system.startswith("You write recipes.") and '"steps"' in system and "JSON Schema" in system


def test_a_server_that_rejects_the_json_schema_format_is_asked_for_json_in_the_text(settings, project_a):
    rejected = Reply(
        status=400, body={"error": {"message": "response_format json_schema is not supported by this model"}}
    )
    with OpenAIStub([rejected, Reply(json=GOOD)]) as stub:
        use_openai(settings, stub)
        generated = _ask(project_a)
    assert generated.value == Recipe(**GOOD)
    assert "response_format" in stub.requests[0].json
    assert "response_format" not in stub.requests[1].json
    assert "JSON Schema" in stub.requests[1].messages[0][1]
    first, second = LLMCall.objects.filter(project=project_a).order_by("attempt")
    assert "takes no JSON-schema response format" in first.error and second.error == ""


def test_other_bad_requests_are_not_retried(settings, project_a):
    with OpenAIStub([Reply(status=400, body={"error": {"message": "model 'nope' not found"}})]) as stub:
        use_openai(settings, stub)
        with pytest.raises(ProviderError, match="refused the request"):
            _ask(project_a)
    assert len(stub.requests) == 1


def test_a_local_server_needs_no_key(settings, project_a):
    with OpenAIStub([Reply(json=GOOD)]) as stub:
        use_openai(settings, stub, OPENAI_API_KEY="")
        assert _ask(project_a).value == Recipe(**GOOD)


def test_it_waits_for_retry_after_then_succeeds(settings, project_a):
    with OpenAIStub([Reply(status=429, headers={"Retry-After": "1"}), Reply(json=GOOD)]) as stub:
        use_openai(settings, stub)
        generated = _ask(project_a)
    assert generated.value == Recipe(**GOOD)
    first, second = _calls(project_a)
    assert first.error.startswith("HTTP 429") and second.error == ""
    assert (second.created_at - first.created_at).total_seconds() >= 1.0
    assert stub.requests[1].received_at - stub.requests[0].received_at >= 1.0


def test_a_retry_after_date_is_honoured(settings, project_a):
    # An HTTP date has whole seconds: the client is asked to come back at exactly this second.
    retry_at = int(time.time()) + 2  # at most LLM_BACKOFF_MAX_S (2 s), which caps Retry-After
    with OpenAIStub(
        [Reply(status=503, headers={"Retry-After": formatdate(retry_at, usegmt=True)}), Reply(json=GOOD)]
    ) as stub:
        use_openai(settings, stub)
        _ask(project_a)
    first, second = (request.received_at for request in stub.requests[:2])
    # However long the first request took to arrive (a busy machine), the client waited for the date,
    # not its own backoff (a fraction of a second with these settings).
    assert first < retry_at, "the first request came after the date it was to be told; the test proves nothing"
    assert second >= retry_at - 0.05


def test_retry_after_is_capped_by_the_longest_backoff(settings, project_a):
    with OpenAIStub([Reply(status=429, headers={"Retry-After": "8"}), Reply(json=GOOD)]) as stub:
        use_openai(settings, stub, LLM_BACKOFF_MAX_S=0.2)
        assert _ask(project_a).value == Recipe(**GOOD)
    assert stub.requests[1].received_at - stub.requests[0].received_at < 6


def test_it_gives_up_after_repeated_server_errors(settings, project_a):
    with OpenAIStub(default=Reply(status=500)) as stub:
        use_openai(settings, stub)
        with pytest.raises(ProviderError) as failure:
            _ask(project_a)
    assert (
        str(failure.value) == "The OpenAI-compatible service kept failing (HTTP 500) after 5 attempts; try again later."
    )
    assert len(stub.requests) == 5
    assert [c.attempt for c in _calls(project_a)] == [1, 2, 3, 4, 5]


def test_a_slow_server_times_out_and_is_retried(settings, project_a):
    with OpenAIStub(default=Reply(json=GOOD, delay=5)) as stub:
        use_openai(settings, stub, LLM_TIMEOUT_S=0.3, LLM_MAX_RETRIES=1)
        with pytest.raises(ProviderError, match=r"kept failing \(no answer within 0.3 s\) after 2 attempts"):
            _ask(project_a)
    assert [c.error for c in _calls(project_a)] == ["no answer within 0.3 s"] * 2


def test_an_unreachable_server_is_reported_in_plain_words(settings, project_a):
    with OpenAIStub() as stub:
        url = stub.url
    use_openai(settings, stub, OPENAI_BASE_URL=url, LLM_MAX_RETRIES=1)
    with pytest.raises(ProviderError, match=r"kept failing \(could not connect\) after 2 attempts"):
        _ask(project_a)


def test_a_missing_model_fails_at_once(settings, project_a):
    with OpenAIStub(
        default=Reply(status=404, body={"error": {"message": "model 'llama9' not found", "type": "not_found_error"}})
    ) as stub:
        use_openai(settings, stub)
        with pytest.raises(ProviderError, match=r"refused the request \(HTTP 404: model 'llama9' not found\)"):
            _ask(project_a)
    assert len(stub.requests) == 1


def test_malformed_json_is_sent_back_and_repaired(settings, project_a):
    with OpenAIStub([Reply(text="Sure! Here is your recipe: pancakes."), Reply(json=GOOD)]) as stub:
        use_openai(settings, stub)
        generated = _ask(project_a)
    assert generated.value == Recipe(**GOOD)
    assert stub.requests[1].messages[2] == ("assistant", "Sure! Here is your recipe: pancakes.")
    assert "not valid JSON" in stub.requests[1].last_user_text
    assert [c.error.split(":")[0] for c in _calls(project_a)] == ["unusable answer", ""]

"""Gemini through the real google-genai client, against a stub of the Gemini REST API."""

import pytest
from pydantic import BaseModel, Field

from agents.providers import ProviderError, generate, get_provider
from orchestration.models import LLMCall
from orchestration.usage import llm_context
from testbed.stubs import GEMINI_TEST_KEY, GeminiStub, Reply, use_gemini

GOOD = {"title": "Pancakes", "steps": ["Mix", "Fry"]}


class Recipe(BaseModel):
    title: str
    steps: list[str] = Field(min_length=1)


def _ask(project, purpose: str = "plan"):
    return generate(
        get_provider(),
        system="You write recipes.",
        prompt="Pancakes, please.",
        schema=Recipe,
        context=llm_context(project, purpose=purpose),
    )


def _calls(project) -> list[LLMCall]:
    return list(LLMCall.objects.filter(project=project).order_by("attempt"))


def test_it_returns_the_answer_as_the_schema(settings, project_a):
    with GeminiStub([Reply(json=GOOD, tokens_in=120, tokens_out=30)]) as stub:
        use_gemini(settings, stub)
        generated = _ask(project_a)
    assert generated.value == Recipe(**GOOD)
    assert (generated.tokens_in, generated.tokens_out) == (120, 30)


def test_it_records_the_call(settings, project_a):
    with GeminiStub([Reply(json=GOOD, tokens_in=120, tokens_out=30)]) as stub:
        use_gemini(settings, stub)
        generated = _ask(project_a)
    [call] = _calls(project_a)
    assert (call.provider, call.model, call.purpose, call.attempt, call.error) == (
        "gemini",
        "gemini-2.5-flash",
        "plan",
        1,
        "",
    )
    assert (call.tokens_in, call.tokens_out) == (120, 30)
    assert "You write recipes." in call.prompt and "Pancakes, please." in call.prompt
    assert call.response == generated.raw_text
    assert generated.call_ids == (call.pk,)


def test_it_asks_for_json_matching_the_schema(settings, project_a):
    with GeminiStub([Reply(json=GOOD)]) as stub:
        use_gemini(settings, stub)
        _ask(project_a)
    config = stub.requests[0].json["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"]["required"] == ["title", "steps"]
    assert stub.requests[0].messages == [("system", "You write recipes."), ("user", "Pancakes, please.")]
    assert stub.requests[0].path == "/v1/models/gemini-2.5-flash:generateContent"


def test_it_sends_the_configured_safety_threshold(settings, project_a):
    with GeminiStub([Reply(json=GOOD)]) as stub:
        use_gemini(settings, stub, GEMINI_SAFETY_THRESHOLD="BLOCK_ONLY_HIGH")
        _ask(project_a)
    safety = stub.requests[0].json["safetySettings"]
    assert {s["threshold"] for s in safety} == {"BLOCK_ONLY_HIGH"}
    assert "HARM_CATEGORY_DANGEROUS_CONTENT" in {s["category"] for s in safety}


def test_it_rejects_an_unknown_safety_threshold(settings):
    settings.GEMINI_API_KEY = GEMINI_TEST_KEY
    settings.GEMINI_SAFETY_THRESHOLD = "BLOCK_EVERYTHING"
    with pytest.raises(
        ProviderError, match="GEMINI_SAFETY_THRESHOLD='BLOCK_EVERYTHING' is not one of .*BLOCK_ONLY_HIGH"
    ):
        get_provider("gemini")


def test_it_waits_for_retry_after_then_succeeds(settings, project_a):
    with GeminiStub([Reply(status=429, headers={"Retry-After": "1"}), Reply(json=GOOD)]) as stub:
        use_gemini(settings, stub)
        generated = _ask(project_a)
    assert generated.value == Recipe(**GOOD)
    first, second = _calls(project_a)
    assert first.error.startswith("HTTP 429") and second.error == ""
    # The backoff shows in the rows: the second attempt began a whole Retry-After after the first ended.
    assert (second.created_at - first.created_at).total_seconds() >= 1.0
    assert stub.requests[1].received_at - stub.requests[0].received_at >= 1.0


def test_it_honours_the_retry_delay_gemini_puts_in_the_body(settings, project_a):
    throttled = {
        "error": {
            "code": 429,
            "message": "quota",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}],
        }
    }
    with GeminiStub([Reply(status=429, body=throttled), Reply(json=GOOD)]) as stub:
        use_gemini(settings, stub)
        _ask(project_a)
    assert stub.requests[1].received_at - stub.requests[0].received_at >= 1.0


def test_it_gives_up_after_repeated_server_errors(settings, project_a):
    with GeminiStub(default=Reply(status=500)) as stub:
        use_gemini(settings, stub, LLM_MAX_RETRIES=2)
        with pytest.raises(ProviderError) as failure:
            _ask(project_a)
    assert str(failure.value) == "The Gemini service kept failing (HTTP 500) after 3 attempts; try again later."
    assert len(stub.requests) == 3
    assert [(c.attempt, c.error[:8]) for c in _calls(project_a)] == [(1, "HTTP 500"), (2, "HTTP 500"), (3, "HTTP 500")]


def test_a_slow_server_times_out_and_is_retried(settings, project_a):
    with GeminiStub(default=Reply(json=GOOD, delay=5)) as stub:
        use_gemini(settings, stub, LLM_TIMEOUT_S=0.3, LLM_MAX_RETRIES=1)
        with pytest.raises(ProviderError) as failure:
            _ask(project_a)
    assert (
        str(failure.value)
        == "The Gemini service kept failing (no answer within 0.3 s) after 2 attempts; try again later."
    )
    assert [c.error for c in _calls(project_a)] == ["no answer within 0.3 s"] * 2


def test_a_bad_request_fails_at_once(settings, project_a):
    with GeminiStub(default=Reply(status=400)) as stub:
        use_gemini(settings, stub)
        with pytest.raises(ProviderError, match=r"The Gemini service refused the request \(HTTP 400"):
            _ask(project_a)
    assert len(stub.requests) == 1


def test_a_rejected_key_points_at_the_setting(settings, project_a):
    with GeminiStub(default=Reply(status=403)) as stub:
        use_gemini(settings, stub)
        with pytest.raises(ProviderError, match="Check GEMINI_API_KEY"):
            _ask(project_a)


def test_malformed_json_is_sent_back_and_repaired(settings, project_a):
    with GeminiStub([Reply(text='{"title": "Pancakes", "steps": ['), Reply(json=GOOD)]) as stub:
        use_gemini(settings, stub)
        generated = _ask(project_a)
    assert generated.value == Recipe(**GOOD)
    roles = [role for role, _ in stub.requests[1].messages]
    assert roles == ["system", "user", "assistant", "user"]
    assert "not valid JSON" in stub.requests[1].last_user_text
    first, second = _calls(project_a)
    assert first.error.startswith("unusable answer: the answer is not valid JSON")
    assert "could not be used" in second.prompt


def test_an_answer_in_code_fences_is_accepted(settings, project_a):
    fenced = '```json\n{"title": "Pancakes", "steps": ["Mix", "Fry"]}\n```'
    with GeminiStub([Reply(text=fenced)]) as stub:
        use_gemini(settings, stub)
        assert _ask(project_a).value == Recipe(**GOOD)
    assert len(stub.requests) == 1


def test_an_answer_withheld_by_the_safety_filter_says_what_to_change(settings, project_a):
    blocked = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 9}}
    with GeminiStub(default=Reply(body=blocked)) as stub:
        use_gemini(settings, stub)
        with pytest.raises(ProviderError, match="safety filter.*GEMINI_SAFETY_THRESHOLD"):
            _ask(project_a)
    assert len(stub.requests) == 1

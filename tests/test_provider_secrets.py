"""API keys never reach the LLMCall rows, the logs or the error messages people see."""

import logging

import pytest
from pydantic import BaseModel

from agents.providers import ProviderError, generate, get_provider
from orchestration.models import LLMCall
from orchestration.usage import llm_context
from testbed.stubs import GEMINI_TEST_KEY, OPENAI_TEST_KEY, GeminiStub, OpenAIStub, Reply, use_gemini, use_openai


class Answer(BaseModel):
    text: str


def _stored_text() -> str:
    fields = ("provider", "model", "purpose", "prompt", "response", "error")
    return "\n".join(str(value) for row in LLMCall.objects.values_list(*fields) for value in row)


def _ask(project):
    return generate(
        get_provider(), system="Answer briefly.", prompt="Say hi.", schema=Answer, context=llm_context(project)
    )


# A server that echoes the key back (some proxies do) is the worst case: it must still be redacted.
def _script(key: str) -> list[Reply]:
    return [
        Reply(status=429, headers={"Retry-After": "0"}),
        Reply(text=f"not json, and your key is {key}"),
        Reply(json={"text": "hi"}),
    ]


@pytest.mark.parametrize(
    ("stub_class", "use", "key"),
    [(GeminiStub, use_gemini, GEMINI_TEST_KEY), (OpenAIStub, use_openai, OPENAI_TEST_KEY)],
    ids=["gemini", "openai"],
)
def test_the_key_is_sent_but_never_stored_or_logged(settings, project_a, caplog, stub_class, use, key):
    caplog.set_level(logging.DEBUG)
    with stub_class(_script(key)) as stub:
        use(settings, stub)
        _ask(project_a)
    assert any(key in value for value in stub.requests[0].headers.values())
    assert LLMCall.objects.count() == 3
    assert key not in _stored_text()
    assert "[redacted]" in _stored_text()
    assert key not in caplog.text


@pytest.mark.parametrize(
    ("stub_class", "use", "key"),
    [(GeminiStub, use_gemini, GEMINI_TEST_KEY), (OpenAIStub, use_openai, OPENAI_TEST_KEY)],
    ids=["gemini", "openai"],
)
def test_an_error_that_echoes_the_key_is_redacted(settings, project_a, caplog, stub_class, use, key):
    caplog.set_level(logging.DEBUG)
    echo = stub_class.error_body(401, f"API key {key} is not valid")
    with stub_class(default=Reply(status=401, body=echo)) as stub:
        use(settings, stub)
        with pytest.raises(ProviderError) as failure:
            _ask(project_a)
    assert "[redacted]" in str(failure.value) and key not in str(failure.value)
    assert key not in _stored_text()
    assert key not in caplog.text


def _answer_with(secret: str) -> Reply:
    """The secret as it is, JSON-escaped in transit (decoding gives it back), and escaped, URL- and
    HTML-encoded (once and twice) in the text the model "writes"."""
    escaped = secret.replace("-", "\\\\u002d")  # in the JSON text: \\u002d, i.e. \u002d once decoded
    in_transit = secret.replace("-", "\\u002d")
    encoded = "".join(f"%{byte:02x}" for byte in secret.encode())
    twice = f"{secret.replace('-', '%252D')} {secret.replace('-', '&amp;#45;')}"
    text = f'{{"text": "{secret} {in_transit} {escaped} {secret.replace("-", "%2D")} {encoded} {secret.replace("-", "&#x2d;")} {twice}"}}'
    return Reply(text=text)


def _forms(secret: str) -> list[str]:
    return [
        secret,
        secret.replace("-", "\\u002d"),
        secret.replace("-", "%2D"),
        secret.replace("-", "&#x2d;"),
        "".join(f"%{byte:02x}" for byte in secret.encode()),
    ]


def test_the_answer_a_caller_gets_holds_no_secret_in_any_form(settings, project_a):
    with OpenAIStub([_answer_with(OPENAI_TEST_KEY)]) as stub:
        use_openai(settings, stub)
        answer = _ask(project_a)
    assert answer.value.text == " ".join(["[redacted]"] * 8)
    assert not [form for form in _forms(OPENAI_TEST_KEY) if form in answer.raw_text + _stored_text()]


@pytest.mark.parametrize(
    ("setting", "value", "secret"),
    [
        ("SECRET_KEY", "django-insecure-0a9f8e7d6c", "django-insecure-0a9f8e7d6c"),
        ("GEMINI_API_KEY", "AIza-gemini-not-in-use-4411", "AIza-gemini-not-in-use-4411"),
        ("REDIS_URL", "redis://:redis-pass-9c2e@cache:6379/0", "redis-pass-9c2e"),
        ("DATABASE_URL", "postgres://app:db%2Dpass-77f1@db:5432/app", "db-pass-77f1"),
    ],
)
def test_every_configured_secret_is_removed_not_only_the_providers_key(settings, project_a, setting, value, secret):
    setattr(settings, setting, value)
    with OpenAIStub([_answer_with(secret)]) as stub:
        use_openai(settings, stub)
        answer = _ask(project_a)
    assert answer.value.text.count("[redacted]") == 8
    assert not [form for form in _forms(secret) if form in answer.value.text + _stored_text()]


def test_short_setting_values_are_not_treated_as_secrets(settings, project_a):
    settings.SECRET_KEY = "x"  # what the test suite runs with; an 8-character minimum keeps words intact
    with OpenAIStub([Reply(json={"text": "x marks the box"})]) as stub:
        use_openai(settings, stub)
        assert _ask(project_a).value.text == "x marks the box"

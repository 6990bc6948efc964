"""API keys never reach the LLMCall rows, the logs or the error messages people see."""

import logging

import pytest
from pydantic import BaseModel

from agents.providers import LLMContext, ProviderError, generate, get_provider
from orchestration.models import LLMCall
from tests.stubs import GEMINI_TEST_KEY, OPENAI_TEST_KEY, GeminiStub, OpenAIStub, Reply, use_gemini, use_openai


class Answer(BaseModel):
    text: str


def _stored_text() -> str:
    fields = ("provider", "model", "purpose", "prompt", "response", "error")
    return "\n".join(str(value) for row in LLMCall.objects.values_list(*fields) for value in row)


def _ask(project):
    return generate(get_provider(), system="Answer briefly.", prompt="Say hi.", schema=Answer, context=LLMContext(project))


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

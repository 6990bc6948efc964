"""Point the real SDK clients at a stub through Django settings (pytest-django's `settings`
fixture), with retries fast enough for tests.

    def test_something(settings):
        with GeminiStub([Reply(json=answer)]) as stub:
            use_gemini(settings, stub)
            ...  # get_provider() is now Gemini talking to the stub
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .gemini_api import GeminiStub
from .openai_api import OpenAIStub
from .server import StubServer

# Distinctive, so that a test can grep rows and logs for them.
GEMINI_TEST_KEY = "gemini-test-key-7c1e90"
OPENAI_TEST_KEY = "openai-test-key-52ab1d"

FAST_RETRIES = {
    "LLM_TIMEOUT_S": 10.0,
    "LLM_MAX_RETRIES": 4,
    "LLM_BACKOFF_BASE_S": 0.01,
    "LLM_BACKOFF_MAX_S": 2.0,  # also caps Retry-After
    "LLM_MAX_REPAIRS": 2,
}


def _apply(settings, values: dict) -> None:
    for name, value in values.items():
        setattr(settings, name, value)


def use_gemini(settings, stub: GeminiStub, **overrides) -> None:
    _apply(
        settings,
        {
            **FAST_RETRIES,
            "LLM_PROVIDER": "gemini",
            "GEMINI_API_KEY": GEMINI_TEST_KEY,
            "GEMINI_BASE_URL": stub.url,
            "GEMINI_MODEL": "gemini-2.5-flash",
            **overrides,
        },
    )


def use_openai(settings, stub: OpenAIStub, **overrides) -> None:
    _apply(
        settings,
        {
            **FAST_RETRIES,
            "LLM_PROVIDER": "openai",
            "OPENAI_API_KEY": OPENAI_TEST_KEY,
            "OPENAI_BASE_URL": stub.url,
            "OPENAI_MODEL": "llama3.1",
            "OPENAI_JSON_SCHEMA": True,
            **overrides,
        },
    )


@dataclass(frozen=True)
class StubbedAPI:
    """One API with its stub, for tests that run against both (`@pytest.fixture(params=APIS)`)."""

    name: str
    stub: type[StubServer]
    use: Callable[..., None]
    key: str
    cut_off: str  # the finish reason of an answer that reached the output limit


APIS = [
    StubbedAPI("gemini", GeminiStub, use_gemini, GEMINI_TEST_KEY, "MAX_TOKENS"),
    StubbedAPI("openai", OpenAIStub, use_openai, OPENAI_TEST_KEY, "length"),
]

"""Which provider is used, and what people are told when one is asked for but not set up."""

import pytest
from pydantic import BaseModel

from agents.providers import ProviderError, configured_providers, generate, get_provider
from orchestration.models import LLMCall
from orchestration.usage import llm_context
from testbed.stubs import GEMINI_TEST_KEY, OPENAI_TEST_KEY


class Answer(BaseModel):
    text: str


@pytest.fixture
def nothing_configured(settings):
    settings.LLM_PROVIDER = ""
    settings.GEMINI_API_KEY = ""
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""
    return settings


def test_offline_is_the_default_when_nothing_is_configured(nothing_configured):
    provider = get_provider()
    assert (provider.name, provider.offline) == ("offline", True)


def test_a_configured_key_makes_gemini_the_default(nothing_configured):
    nothing_configured.GEMINI_API_KEY = GEMINI_TEST_KEY
    assert get_provider().name == "gemini"


def test_an_openai_compatible_server_is_the_default_when_it_is_the_only_one(nothing_configured):
    nothing_configured.OPENAI_BASE_URL = "http://127.0.0.1:11434/v1"
    assert get_provider().name == "openai"


def test_llm_provider_overrides_the_default(nothing_configured):
    nothing_configured.GEMINI_API_KEY = GEMINI_TEST_KEY
    nothing_configured.LLM_PROVIDER = "offline"
    assert get_provider().name == "offline"


def test_a_provider_asked_for_by_name_is_used(nothing_configured):
    nothing_configured.GEMINI_API_KEY = GEMINI_TEST_KEY
    nothing_configured.OPENAI_API_KEY = OPENAI_TEST_KEY
    nothing_configured.OPENAI_MODEL = "qwen2.5-coder"
    provider = get_provider("openai")
    assert (provider.name, provider.model, provider.offline) == ("openai", "qwen2.5-coder", False)


def test_an_unconfigured_provider_says_what_to_set(nothing_configured):
    with pytest.raises(ProviderError, match="The Gemini provider is not configured: set GEMINI_API_KEY"):
        get_provider("gemini")


def test_an_unknown_provider_lists_the_known_ones(nothing_configured):
    with pytest.raises(ProviderError, match="no LLM provider called 'claude'; choose one of offline, gemini, openai"):
        get_provider("claude")


def test_only_usable_providers_are_offered(nothing_configured):
    assert configured_providers() == [("offline", "Offline (no network)")]
    nothing_configured.OPENAI_BASE_URL = "http://127.0.0.1:8080/v1"
    nothing_configured.OPENAI_MODEL = "llama3.1"
    nothing_configured.GEMINI_API_KEY = GEMINI_TEST_KEY
    nothing_configured.GEMINI_MODEL = "gemini-2.5-pro"
    assert configured_providers() == [
        ("offline", "Offline (no network)"),
        ("gemini", "Gemini (gemini-2.5-pro)"),
        ("openai", "OpenAI-compatible (llama3.1)"),
    ]


def test_asking_the_offline_provider_for_a_completion_is_an_error(nothing_configured, project_a):
    with pytest.raises(ProviderError, match="offline provider makes no model calls"):
        generate(get_provider("offline"), system="s", prompt="p", schema=Answer, context=llm_context(project_a))
    assert not LLMCall.objects.exists()

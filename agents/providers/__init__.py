"""LLM providers behind one interface: `get_provider(name)` and `generate(provider, ...)`.

"offline" needs no network and is the default unless LLM_PROVIDER names another or a key is
configured; "gemini" uses google-genai; "openai" any OpenAI-compatible chat-completions server.
Each agent may be sent to its own provider and model: see routes.
"""

from __future__ import annotations

from django.conf import settings

from .base import BudgetExceeded, Provider, ProviderError
from .gemini import GeminiProvider
from .generation import CallRecord, Generated, LLMContext, UsageRecorder, generate, parse_answer
from .offline import OfflineProvider
from .openai_compat import OpenAICompatProvider
from .routes import Route, format_routes, parse_routes, resolved, routable_agents, route_for, unconfigured

PROVIDERS: dict[str, type[Provider]] = {p.name: p for p in (OfflineProvider, GeminiProvider, OpenAICompatProvider)}


def default_provider_name() -> str:
    """LLM_PROVIDER when set; otherwise the first provider with a key or URL configured; else offline."""
    if settings.LLM_PROVIDER:
        return settings.LLM_PROVIDER
    return next(
        (name for name, cls in PROVIDERS.items() if not cls.offline and cls.is_configured()), OfflineProvider.name
    )


def get_provider(name: str | None = None, *, model: str = "") -> Provider:
    """The named provider ("offline", "gemini", "openai"), or the configured default for None/"";
    calling `model` when one is given, else the provider's configured model."""
    name = name or default_provider_name()
    cls = PROVIDERS.get(name)
    if cls is None:
        raise ProviderError(
            f"There is no LLM provider called {name!r}; choose one of {', '.join(PROVIDERS)} (LLM_PROVIDER)."
        )
    if not cls.is_configured():
        raise ProviderError(f"The {cls.label} provider is not configured: {cls.requirement}.")
    provider = cls.from_settings()
    if model:
        provider.model = model
    return provider


def configured_providers() -> list[tuple[str, str]]:
    """(name, label) of every provider usable now, offline first."""
    return [(name, cls.choice_label()) for name, cls in PROVIDERS.items() if cls.is_configured()]


__all__ = [
    "BudgetExceeded",
    "CallRecord",
    "Generated",
    "LLMContext",
    "Provider",
    "ProviderError",
    "Route",
    "configured_providers",
    "default_provider_name",
    "format_routes",
    "generate",
    "get_provider",
    "parse_answer",
    "parse_routes",
    "resolved",
    "routable_agents",
    "route_for",
    "unconfigured",
    "UsageRecorder",
]

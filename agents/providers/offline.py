"""The offline provider: no network. Planners and agents run deterministic code instead of
asking a model, so nothing may ever ask this provider for a completion."""

from __future__ import annotations

from pydantic import BaseModel

from .base import Completion, Message, Provider, ProviderError


class OfflineProvider(Provider):
    name = "offline"
    label = "Offline (no network)"
    offline = True

    @classmethod
    def is_configured(cls) -> bool:
        return True

    @classmethod
    def from_settings(cls) -> OfflineProvider:
        return cls()

    def complete(self, system: str, messages: list[Message], schema: type[BaseModel]) -> Completion:
        raise ProviderError("The offline provider makes no model calls; use the offline planner or generator instead.")

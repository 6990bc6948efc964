"""What every LLM provider is: one HTTP attempt at turning a conversation into text.

Retries, repairs, budgets and the LLMCall record live in agents.providers.generation, once
for all providers; a provider only translates its SDK's answers and errors into these types.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import ClassVar, Literal, TypeVar

from django.conf import settings
from pydantic import BaseModel

from agents.base import AgentError, PermanentAgentError


class ProviderError(AgentError):
    """A model call failed for good; the message is meant for the person who asked."""


class BudgetExceeded(ProviderError, PermanentAgentError):
    """The call would pass the token budget; another attempt would be refused the same way."""


@dataclass(frozen=True)
class Message:
    role: Literal["user", "assistant"]
    text: str


@dataclass(frozen=True)
class Completion:
    text: str
    tokens_in: int
    tokens_out: int
    truncated: bool = False  # cut off at the output limit: `text` is only the start of the answer
    streamed: bool = False


class AttemptFailed(Exception):
    """One HTTP attempt failed. `reason` is short ("HTTP 429", "no answer within 2 s");
    `retryable` says whether another attempt may succeed; `retry_after` is the server's wish."""

    def __init__(
        self, reason: str, *, retryable: bool, retry_after: float | None = None, detail: str = "", hint: str = ""
    ):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        self.detail = detail
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}" if self.detail else self.reason


class StreamBroke(AttemptFailed):
    """A streamed answer had begun to arrive and then stopped: the connection dropped, the server
    sent an error, or the stream ended without saying the answer was complete."""

    def __init__(self, detail: str):
        super().__init__("stream broke", retryable=True, detail=detail)


class Provider(ABC):
    name: ClassVar[str]
    label: ClassVar[str]  # for people: "Gemini", "OpenAI-compatible server"
    offline: ClassVar[bool] = False
    # What to set when this provider is asked for but not configured.
    requirement: ClassVar[str] = ""
    model_setting: ClassVar[str] = ""  # the setting naming the model, e.g. "GEMINI_MODEL"

    def __init__(self, model: str = ""):
        self.model = model

    @classmethod
    @abstractmethod
    def is_configured(cls) -> bool: ...

    @classmethod
    @abstractmethod
    def from_settings(cls) -> Provider: ...

    @classmethod
    def choice_label(cls) -> str:
        """For a form's select: the provider and, where there is one, its configured model."""
        model = getattr(settings, cls.model_setting, "") if cls.model_setting else ""
        return f"{cls.label} ({model})" if model else cls.label

    def instructions(self, system: str, schema: type[BaseModel]) -> str:
        """The system text actually sent; providers without structured output add the schema to it."""
        return system

    @abstractmethod
    def complete(
        self,
        system: str,
        messages: list[Message],
        schema: type[BaseModel] | None,
        *,
        on_text: Callable[[str], None] | None = None,
    ) -> Completion:
        """One HTTP attempt of at most output_limit(self.model) tokens; raises AttemptFailed.

        `schema` None asks for free text: the rest of a cut-off answer, which no schema describes.
        With `on_text` the answer is streamed and on_text gets the text so far (see read_stream)."""


def output_limit(model: str) -> int:
    """The most tokens one answer of `model` may have: its LLM_OUTPUT_LIMITS entry, else LLM_MAX_OUTPUT_TOKENS."""
    return settings.LLM_OUTPUT_LIMITS.get(model, settings.LLM_MAX_OUTPUT_TOKENS)


Chunk = TypeVar("Chunk")


def read_stream(
    chunks: Iterable[Chunk],
    text_of: Callable[[Chunk], str],
    on_text: Callable[[str], None],
    *,
    breaks: tuple[type[Exception], ...],
) -> tuple[str, list[Chunk]]:
    """The text of a streamed answer and its chunks. on_text gets the text so far at most every
    LLM_STREAM_PROGRESS_S seconds (all of it is the Completion's). An exception of a `breaks` type
    after the first chunk is a StreamBroke; before it, it is the same failure an unstreamed call has."""
    every = settings.LLM_STREAM_PROGRESS_S
    text, received, shown_at = "", [], None
    try:
        for chunk in chunks:
            received.append(chunk)
            text += text_of(chunk) or ""
            if shown_at is None or time.monotonic() - shown_at >= every:
                on_text(text)
                shown_at = time.monotonic()
    except breaks as exc:
        if not received:
            raise
        cause = exc.__cause__ or exc  # the SDK's "Connection error." wraps what happened
        raise StreamBroke(f"{cause or type(cause).__name__}, after {len(received)} chunks") from None
    return text, received


def is_retryable_status(status: int) -> bool:
    return status in (408, 429) or status >= 500


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def estimate_tokens(text: str) -> int:
    """About four characters a token: good enough to budget with, and for servers that report no usage."""
    return len(text) // 4

"""Gemini through the google-genai SDK, with structured output from the pydantic schema."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import httpx2
from django.conf import settings
from google import genai
from google.genai import errors, types
from pydantic import BaseModel

from .base import (
    AttemptFailed,
    Completion,
    Message,
    Provider,
    ProviderError,
    StreamBroke,
    estimate_tokens,
    is_retryable_status,
    output_limit,
    parse_retry_after,
    read_stream,
)

SAFETY_CATEGORIES = [
    types.HarmCategory.HARM_CATEGORY_HARASSMENT,
    types.HarmCategory.HARM_CATEGORY_HATE_SPEECH,
    types.HarmCategory.HARM_CATEGORY_SEXUALLY_EXPLICIT,
    types.HarmCategory.HARM_CATEGORY_DANGEROUS_CONTENT,
]
# Finish reasons that mean Gemini withheld the answer rather than produced a bad one.
_WITHHELD = {"SAFETY", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "RECITATION"}
_ROLES = {"user": "user", "assistant": "model"}


class GeminiProvider(Provider):
    name = "gemini"
    label = "Gemini"
    requirement = "set GEMINI_API_KEY (and optionally GEMINI_MODEL and GEMINI_BASE_URL)"
    model_setting = "GEMINI_MODEL"

    def __init__(self, *, api_key: str, model: str, base_url: str = "", safety_threshold: str, timeout_s: float):
        super().__init__(model)
        self._api_key = api_key
        self._base_url = base_url
        self._safety_threshold = safety_threshold
        self._timeout_s = timeout_s

    @classmethod
    def is_configured(cls) -> bool:
        return bool(settings.GEMINI_API_KEY)

    @classmethod
    def from_settings(cls) -> GeminiProvider:
        threshold = settings.GEMINI_SAFETY_THRESHOLD
        if threshold not in types.HarmBlockThreshold.__members__:
            choices = ", ".join(
                t for t in types.HarmBlockThreshold.__members__ if t != "HARM_BLOCK_THRESHOLD_UNSPECIFIED"
            )
            raise ProviderError(f"GEMINI_SAFETY_THRESHOLD={threshold!r} is not one of {choices}.")
        return cls(
            api_key=settings.GEMINI_API_KEY,
            model=settings.GEMINI_MODEL,
            base_url=settings.GEMINI_BASE_URL,
            safety_threshold=threshold,
            timeout_s=settings.LLM_TIMEOUT_S,
        )

    @cached_property
    def _client(self) -> genai.Client:
        # No retry_options: the SDK would retry silently (and ignore Retry-After); our layer
        # retries so that every attempt becomes its own LLMCall row.
        options = types.HttpOptions(base_url=self._base_url or None, timeout=max(1, int(self._timeout_s * 1000)))
        return genai.Client(api_key=self._api_key, vertexai=False, http_options=options)

    def _config(self, system: str, schema: type[BaseModel] | None) -> types.GenerateContentConfig:
        json_answer = {}
        if schema is not None:
            # The JSON Schema form, unlike response_schema, accepts every pydantic type we use
            # (maps of file paths to contents need additionalProperties).
            json_answer = {"response_mime_type": "application/json", "response_json_schema": schema.model_json_schema()}
        return types.GenerateContentConfig(
            system_instruction=system,
            max_output_tokens=output_limit(self.model),
            safety_settings=[
                types.SafetySetting(category=c, threshold=self._safety_threshold) for c in SAFETY_CATEGORIES
            ],
            **json_answer,
        )

    def complete(
        self,
        system: str,
        messages: list[Message],
        schema: type[BaseModel] | None,
        *,
        on_text: Callable[[str], None] | None = None,
    ) -> Completion:
        request = {
            "model": self.model,
            "contents": [types.Content(role=_ROLES[m.role], parts=[types.Part(text=m.text)]) for m in messages],
            "config": self._config(system, schema),
        }
        try:
            if on_text is None:
                response = self._client.models.generate_content(**request)
                text = response.text or ""
            else:
                stream = self._client.models.generate_content_stream(**request)
                breaks = (errors.APIError, httpx2.TransportError)
                text, chunks = read_stream(stream, lambda chunk: chunk.text, on_text, breaks=breaks)
                # The last chunk says why the answer ended, and what it cost in all.
                response = chunks[-1] if chunks else types.GenerateContentResponse()
        except errors.APIError as exc:
            raise _status_failure(exc) from None
        # The SDK does not wrap transport errors: they arrive as httpx2's own.
        except httpx2.TimeoutException:
            raise AttemptFailed(f"no answer within {self._timeout_s:g} s", retryable=True) from None
        except httpx2.TransportError:
            raise AttemptFailed("could not connect", retryable=True) from None
        if not text:
            _raise_if_withheld(response)
        finish = _finish_reason(response)
        if on_text is not None and not finish:
            raise StreamBroke("the stream ended before the answer was complete")
        usage = _usage(response, system + "".join(m.text for m in messages), text)
        return Completion(text, *usage, truncated=finish == "MAX_TOKENS", streamed=on_text is not None)


def _finish_reason(response: types.GenerateContentResponse) -> str:
    candidate = (response.candidates or [None])[0]
    return getattr(candidate and candidate.finish_reason, "name", "")


def _usage(response: types.GenerateContentResponse, prompt: str, text: str) -> tuple[int, int]:
    """Tokens in and out as billed (thinking counts as output); estimated when the server is silent."""
    usage = response.usage_metadata or types.GenerateContentResponseUsageMetadata()
    tokens_out = (usage.candidates_token_count or estimate_tokens(text)) + (usage.thoughts_token_count or 0)
    return usage.prompt_token_count or estimate_tokens(prompt), tokens_out


def _status_failure(exc: errors.APIError) -> AttemptFailed:
    headers = exc.response.headers if exc.response is not None else {}
    retry_after = parse_retry_after(headers.get("retry-after")) if headers else None
    hint = "Check GEMINI_API_KEY." if exc.code in (401, 403) else ""
    return AttemptFailed(
        f"HTTP {exc.code}",
        retryable=is_retryable_status(exc.code),
        retry_after=retry_after if retry_after is not None else _retry_info_delay(exc.details),
        detail=exc.message or "",
        hint=hint,
    )


def _retry_info_delay(details: object) -> float | None:
    """Gemini says how long to wait in the body (google.rpc.RetryInfo, "retryDelay": "12s")."""
    error = details.get("error", {}) if isinstance(details, dict) else {}
    for item in error.get("details", []) if isinstance(error, dict) else []:
        delay = item.get("retryDelay") if isinstance(item, dict) else None
        if isinstance(delay, str) and delay.endswith("s"):
            return parse_retry_after(delay[:-1])
    return None


def _raise_if_withheld(response: types.GenerateContentResponse) -> None:
    feedback = response.prompt_feedback
    if feedback and feedback.block_reason:
        reason = getattr(feedback.block_reason, "name", str(feedback.block_reason))
    else:
        reason = _finish_reason(response)
        if reason not in _WITHHELD:
            return
    raise AttemptFailed(
        "the answer was withheld by Gemini's safety filter",
        retryable=False,
        detail=reason,
        hint="Rephrase the request, or change GEMINI_SAFETY_THRESHOLD.",
    )

"""Any OpenAI-compatible chat-completions server (OpenAI, Ollama, vLLM, llama.cpp, OpenRouter)
through the openai SDK."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cached_property

import openai
from django.conf import settings
from pydantic import BaseModel

from .base import (
    AttemptFailed,
    Completion,
    Message,
    Provider,
    StreamBroke,
    estimate_tokens,
    is_retryable_status,
    output_limit,
    parse_retry_after,
    read_stream,
)

# Local servers (Ollama, llama.cpp) need no key, but the SDK refuses to start without one.
_NO_KEY = "no-key"
_REJECTS_SCHEMA = re.compile(r"response_format|json_schema|structured output", re.IGNORECASE)


class OpenAICompatProvider(Provider):
    name = "openai"
    label = "OpenAI-compatible"
    requirement = (
        "set OPENAI_BASE_URL (e.g. http://127.0.0.1:11434/v1 for Ollama) and/or OPENAI_API_KEY, and OPENAI_MODEL"
    )
    model_setting = "OPENAI_MODEL"

    def __init__(self, *, api_key: str, model: str, base_url: str = "", json_schema: bool = True, timeout_s: float):
        super().__init__(model)
        self._api_key = api_key
        self._base_url = base_url
        self.json_schema = json_schema
        self._timeout_s = timeout_s

    @classmethod
    def is_configured(cls) -> bool:
        return bool(settings.OPENAI_BASE_URL or settings.OPENAI_API_KEY)

    @classmethod
    def from_settings(cls) -> OpenAICompatProvider:
        return cls(
            api_key=settings.OPENAI_API_KEY,
            model=settings.OPENAI_MODEL,
            base_url=settings.OPENAI_BASE_URL,
            json_schema=settings.OPENAI_JSON_SCHEMA,
            timeout_s=settings.LLM_TIMEOUT_S,
        )

    @cached_property
    def _client(self) -> openai.OpenAI:
        # max_retries=0: our layer retries, so that every attempt becomes its own LLMCall row.
        return openai.OpenAI(
            api_key=self._api_key or _NO_KEY, base_url=self._base_url or None, timeout=self._timeout_s, max_retries=0
        )

    def instructions(self, system: str, schema: type[BaseModel]) -> str:
        if self.json_schema:
            return system
        # Without response_format the schema travels in the text, and we parse whatever comes back.
        return (
            f"{system}\n\nReply with one JSON value only, no prose and no code fences, "
            f"matching this JSON Schema:\n{json.dumps(schema.model_json_schema())}"
        )

    def complete(
        self,
        system: str,
        messages: list[Message],
        schema: type[BaseModel] | None,
        *,
        on_text: Callable[[str], None] | None = None,
    ) -> Completion:
        # max_tokens rather than max_completion_tokens: Ollama, llama.cpp and older vLLM know only it.
        extra: dict[str, object] = {"max_tokens": output_limit(self.model)}
        if on_text is not None:
            extra |= {"stream": True, "stream_options": {"include_usage": True}}
        if self.json_schema and schema is not None:
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema.__name__[:64], "schema": schema.model_json_schema()},
            }
        sent = [{"role": "system", "content": system}] + [{"role": m.role, "content": m.text} for m in messages]
        try:
            response = self._client.chat.completions.create(model=self.model, messages=sent, **extra)
            if on_text is not None:
                text, chunks = read_stream(response, _chunk_text, on_text, breaks=(openai.APIError,))
        except openai.APIStatusError as exc:
            failure = _status_failure(exc)
            if self.json_schema and exc.status_code in (400, 422) and _REJECTS_SCHEMA.search(failure.detail):
                # Many local servers and models take no response_format: ask for JSON in the text
                # from now on, and try again at once.
                self.json_schema = False
                raise AttemptFailed(
                    f"HTTP {exc.status_code}: the server takes no JSON-schema response format; asking for JSON in the text",
                    retryable=True,
                    retry_after=0,
                    detail=failure.detail,
                ) from None
            raise failure from None
        except openai.APITimeoutError:  # before APIConnectionError, its parent class
            raise AttemptFailed(f"no answer within {self._timeout_s:g} s", retryable=True) from None
        except openai.APIConnectionError:
            raise AttemptFailed("could not connect", retryable=True) from None
        except openai.APIError as exc:  # an error event in a stream, before any of the answer
            raise AttemptFailed("the server reported an error", retryable=True, detail=exc.message) from None
        if on_text is None:
            choice = response.choices[0] if response.choices else None
            text = (choice and choice.message.content) or ""
            refusal = choice and choice.message.refusal
            finish = choice and choice.finish_reason
            usage = response.usage
        else:
            # The chunks carry pieces of the refusal and, near the end, the finish reason; the usage
            # comes last, in a chunk of its own.
            choices = [chunk.choices[0] for chunk in chunks if chunk.choices]
            refusal = "".join(c.delta.refusal or "" for c in choices)
            finish = next((c.finish_reason for c in reversed(choices) if c.finish_reason), None)
            usage = next((chunk.usage for chunk in reversed(chunks) if chunk.usage), None)
            if not finish:
                raise StreamBroke("the stream ended before the answer was complete")
        if refusal:
            raise AttemptFailed("the model refused to answer", retryable=False, detail=refusal)
        return Completion(
            text=text,
            tokens_in=(usage and usage.prompt_tokens) or estimate_tokens(system + "".join(m.text for m in messages)),
            tokens_out=(usage and usage.completion_tokens) or estimate_tokens(text),
            truncated=finish == "length",
            streamed=on_text is not None,
        )


def _chunk_text(chunk) -> str | None:
    return chunk.choices[0].delta.content if chunk.choices else ""


def _status_failure(exc: openai.APIStatusError) -> AttemptFailed:
    headers = exc.response.headers
    retry_after = parse_retry_after(headers.get("retry-after"))
    if retry_after is None and (ms := headers.get("retry-after-ms")):
        retry_after = parse_retry_after(ms)
        retry_after = retry_after / 1000 if retry_after is not None else None
    detail = exc.body.get("message", "") if isinstance(exc.body, dict) else ""
    return AttemptFailed(
        f"HTTP {exc.status_code}",
        retryable=is_retryable_status(exc.status_code),
        retry_after=retry_after,
        detail=str(detail),
        hint="Check OPENAI_API_KEY." if exc.status_code in (401, 403) else "",
    )

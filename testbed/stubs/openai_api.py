"""A stub of the OpenAI chat-completions API (`POST /v1/chat/completions`), as Ollama, vLLM,
llama.cpp's server and OpenRouter speak it."""

from __future__ import annotations

import itertools
import time

from .server import RecordedRequest, Reply, StubServer, estimate_tokens

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


class OpenAIStub(StubServer):
    """Set OPENAI_BASE_URL to `stub.url` (it ends in /v1, like a real server's base URL).
    A Reply's `json`/`text` becomes the first choice's message content."""

    api_name = "OpenAI-compatible"
    _ids = itertools.count(1)

    @property
    def url(self) -> str:
        return f"{self.root_url}/v1"

    def handles(self, method: str, path: str) -> bool:
        return method == "POST" and path == "/v1/chat/completions"

    def success_body(self, reply: Reply, request: RecordedRequest) -> dict:
        text = reply.model_text()
        prompt = "".join(text for _, text in request.messages)
        tokens_in = reply.tokens_in if reply.tokens_in is not None else estimate_tokens(prompt)
        tokens_out = reply.tokens_out if reply.tokens_out is not None else estimate_tokens(text)
        return {
            "id": f"chatcmpl-stub-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": (request.json or {}).get("model", "stub"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": reply.finish_reason or "stop",
                }
            ],
            "usage": {
                "prompt_tokens": tokens_in,
                "completion_tokens": tokens_out,
                "total_tokens": tokens_in + tokens_out,
            },
        }

    def stream_events(self, reply: Reply, request: RecordedRequest) -> list:
        whole = self.success_body(reply, request)
        chunk = {
            "id": whole["id"],
            "object": "chat.completion.chunk",
            "created": whole["created"],
            "model": whole["model"],
        }
        events = [
            chunk | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": piece}, "finish_reason": None}]}
            for piece in reply.pieces()
        ]
        events.append(
            chunk | {"choices": [{"index": 0, "delta": {}, "finish_reason": whole["choices"][0]["finish_reason"]}]}
        )
        if ((request.json or {}).get("stream_options") or {}).get("include_usage"):
            events.append(chunk | {"choices": [], "usage": whole["usage"]})
        return events + ["[DONE]"]

    @classmethod
    def error_body(cls, status: int, message: str) -> dict:
        return {"error": {"message": message, "type": _ERROR_TYPES.get(status, "server_error"), "code": status}}

"""A stub of the Gemini REST API (`POST /{version}/models/{model}:generateContent`, and
`:streamGenerateContent?alt=sse` for streams)."""

from __future__ import annotations

from http import HTTPStatus

from .server import RecordedRequest, Reply, StubServer, estimate_tokens

# What Google sends as `error.status` for each HTTP code the tests use.
_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class GeminiStub(StubServer):
    """Set GEMINI_BASE_URL to `stub.url`. A Reply's `json`/`text` becomes the first candidate's text."""

    api_name = "Gemini"

    def handles(self, method: str, path: str) -> bool:
        return method == "POST" and path.endswith((":generateContent", ":streamGenerateContent"))

    def success_body(self, reply: Reply, request: RecordedRequest) -> dict:
        text = reply.model_text()
        prompt = "".join(text for _, text in request.messages)
        model = request.path.rsplit("/", 1)[-1].split(":")[0]
        return {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": text}]},
                    "finishReason": reply.finish_reason or "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": reply.tokens_in if reply.tokens_in is not None else estimate_tokens(prompt),
                "candidatesTokenCount": reply.tokens_out if reply.tokens_out is not None else estimate_tokens(text),
            },
            "modelVersion": model,
        }

    def stream_events(self, reply: Reply, request: RecordedRequest) -> list:
        whole = self.success_body(reply, request)
        events = [
            {
                "candidates": [{"content": {"role": "model", "parts": [{"text": piece}]}, "index": 0}],
                "modelVersion": whole["modelVersion"],
            }
            for piece in reply.pieces()
        ]
        # The last chunk says why the answer ended, and what it cost in all.
        events[-1]["candidates"][0]["finishReason"] = whole["candidates"][0]["finishReason"]
        events[-1]["usageMetadata"] = whole["usageMetadata"]
        return events

    @classmethod
    def error_body(cls, status: int, message: str) -> dict:
        return {
            "error": {
                "code": status,
                "message": message,
                "status": _GOOGLE_STATUS.get(status, HTTPStatus(status).phrase.upper()),
            }
        }

"""Stub HTTP servers speaking the Gemini and OpenAI chat-completions APIs, for tests.

    with GeminiStub([Reply(status=429, headers={"Retry-After": "1"}), Reply(json=answer)]) as stub:
        use_gemini(settings, stub)  # or settings.GEMINI_BASE_URL = stub.url, and a key
        ...
        assert len(stub.requests) == 2

    # Answers that depend on the request (e.g. parallel agents): pass a function instead.
    with OpenAIStub(lambda request: Reply(json=answers[request.last_user_text])) as stub: ...

A request for a stream gets server-sent events (`Reply(break_stream_after=2)` drops it midway).
A script that runs out answers 500 (or `default=Reply(...)` when given). Each request is kept in
`stub.requests` (method, path, headers, body, .json, .messages as (role, text), received_at).
"""

from .configure import APIS, GEMINI_TEST_KEY, OPENAI_TEST_KEY, StubbedAPI, use_gemini, use_openai
from .gemini_api import GeminiStub
from .openai_api import OpenAIStub
from .server import RecordedRequest, Reply, StubServer

__all__ = [
    "APIS",
    "GEMINI_TEST_KEY",
    "OPENAI_TEST_KEY",
    "GeminiStub",
    "OpenAIStub",
    "RecordedRequest",
    "Reply",
    "StubServer",
    "StubbedAPI",
    "use_gemini",
    "use_openai",
]

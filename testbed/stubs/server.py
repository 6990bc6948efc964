"""A scripted HTTP server on 127.0.0.1 for tests: it answers each request with the next Reply
of its script (or what a responder function returns) and records every request it got."""

from __future__ import annotations

import json
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    `json` is what the model "says", serialised to JSON and wrapped in the API's envelope;
    `text` is the model's raw text (for malformed or fenced answers); `body` replaces the whole
    HTTP body as it is (a dict is sent as JSON). Without any of them a 2xx answer is an empty
    model text and an error status gets the API's own error envelope.
    `delay` seconds pass before the answer is sent (longer than the client's timeout = a timeout).
    `finish_reason` is the API's own word for why the answer ended ("length", "MAX_TOKENS").

    A request for a stream gets a 2xx answer as server-sent events, the text in pieces of
    `chunk_chars`; with `break_stream_after` the connection drops after that many events.
    """

    status: int = 200
    json: Any = None
    text: str | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    tokens_in: int | None = None
    tokens_out: int | None = None
    finish_reason: str | None = None
    chunk_chars: int = 16
    break_stream_after: int | None = None

    def model_text(self) -> str:
        if self.text is not None:
            return self.text
        if isinstance(self.json, BaseModel):
            return self.json.model_dump_json()
        return "" if self.json is None else json.dumps(self.json)

    def pieces(self) -> list[str]:
        """The model's text as a stream sends it."""
        text, size = self.model_text(), self.chunk_chars
        return [text[start : start + size] for start in range(0, len(text), size)] or [""]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    received_at: float  # time.time() when the request arrived

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def messages(self) -> list[tuple[str, str]]:
        """The conversation sent, as (role, text) with roles system/user/assistant, for either API."""
        data = self.json or {}
        if "contents" in data:  # Gemini
            system = data.get("systemInstruction")
            found = [("system", _gemini_text(system))] if system else []
            roles = {"model": "assistant"}
            return found + [(roles.get(c.get("role"), "user"), _gemini_text(c)) for c in data["contents"]]
        return [(m["role"], _openai_text(m["content"])) for m in data.get("messages", [])]

    @property
    def asks_for_stream(self) -> bool:
        """OpenAI's `"stream": true`, or Gemini's streamGenerateContent."""
        return self.path.split("?")[0].endswith(":streamGenerateContent") or (self.json or {}).get("stream") is True

    @property
    def last_user_text(self) -> str:
        return next(text for role, text in reversed(self.messages) if role == "user")


def _gemini_text(content: dict) -> str:
    return "".join(part.get("text", "") for part in content.get("parts", []))


def _openai_text(content: str | list | None) -> str:
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}]
        return "".join(part.get("text", "") for part in content)
    return content or ""


Responder = Callable[[RecordedRequest], Reply]


class StubServer(ABC):
    """Base class: subclasses say which paths they serve and how a Reply becomes a body."""

    api_name = "stub"

    def __init__(self, replies: Iterable[Reply] | Responder = (), *, default: Reply | None = None):
        self._responder = replies if callable(replies) else None
        self._script = [] if callable(replies) else list(replies)
        self._default = default
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[RecordedRequest] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A handler still sleeping through a long `delay` must not hold up stop().
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"{self.api_name}-stub", daemon=True)

    @property
    def root_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The base URL to configure the client with."""
        return self.root_url

    def start(self) -> StubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def remaining(self) -> int:
        """Scripted replies not used yet."""
        with self._lock:
            return len(self._script)

    # --- for subclasses ---------------------------------------------------------------
    @abstractmethod
    def handles(self, method: str, path: str) -> bool: ...

    @abstractmethod
    def success_body(self, reply: Reply, request: RecordedRequest) -> dict: ...

    @abstractmethod
    def stream_events(self, reply: Reply, request: RecordedRequest) -> list[Any]:
        """The data of each server-sent event of a streamed answer (a dict is sent as JSON)."""

    @classmethod
    @abstractmethod
    def error_body(cls, status: int, message: str) -> dict:
        """The API's own error envelope, e.g. to build a Reply(body=...) with a custom message."""

    # --- internals --------------------------------------------------------------------
    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._responder is not None:
                try:
                    return self._responder(request)
                except Exception as exc:  # a broken responder must show up as an answer, not a hang-up
                    return Reply(
                        status=500, body=self.error_body(500, f"the {self.api_name} stub's responder raised {exc!r}")
                    )
            if self._script:
                return self._script.pop(0)
        if self._default is not None:
            return self._default
        return Reply(
            status=500,
            body=self.error_body(
                500, f"the {self.api_name} stub has no reply scripted for request {len(self.requests)}"
            ),
        )

    def _render(self, reply: Reply, request: RecordedRequest) -> bytes:
        if reply.body is not None:
            body = reply.body
        elif 200 <= reply.status < 300:
            body = self.success_body(reply, request)
        else:
            body = self.error_body(reply.status, f"stub error {reply.status}")
        if isinstance(body, bytes):
            return body
        return (body if isinstance(body, str) else json.dumps(body)).encode()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self._answer()

            def do_GET(self) -> None:
                self._answer()

            def log_message(self, format: str, *args) -> None:
                pass  # keep test output clean; stub.requests has everything

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = RecordedRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                    received_at=time.time(),
                )
                if not stub.handles(self.command, self.path.split("?")[0]):
                    self._send(404, {}, json.dumps(stub.error_body(404, f"no such path {self.path}")).encode())
                    return
                reply = stub._next_reply(request)
                if reply.delay and stub._stopping.wait(reply.delay):
                    return
                if request.asks_for_stream and reply.body is None and 200 <= reply.status < 300:
                    self._send_stream(reply, stub.stream_events(reply, request))
                    return
                self._send(reply.status, reply.headers, stub._render(reply, request))

            def _send_stream(self, reply: Reply, events: list[Any]) -> None:
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    for number, event in enumerate(events):
                        if number == reply.break_stream_after:
                            # Gone mid-answer, without the empty chunk that ends a chunked body.
                            self.close_connection = True
                            self.connection.shutdown(socket.SHUT_RDWR)
                            return
                        data = f"data: {event if isinstance(event, str) else json.dumps(event)}\n\n".encode()
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading

            def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test): nothing left to tell it

        return Handler


def estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)

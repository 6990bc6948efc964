"""An in-memory stand-in for the API on a local port, recording every request."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeApi:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.rows: dict[str, list[dict]] = {}
        self.next_id = 1
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, method: str, path: str, body: dict | None) -> tuple[int, object]:
        if path.startswith("/api/auth/"):
            if not body or len(body.get("password", "")) < 8:
                return 400, {"error": "Invalid input"}
            return 201, {"token": "fake-token", "user": {"id": 1, "email": body["email"]}}
        parts = path.strip("/").split("/")
        rows = self.rows.setdefault(parts[1], [])
        if len(parts) == 2:
            if method == "GET":
                return 200, rows
            row = dict(body or {}, id=self.next_id)
            self.next_id += 1
            rows.append(row)
            return 201, row
        row = next((r for r in rows if r["id"] == int(parts[2])), None)
        if row is None:
            return 404, {"error": "Not found"}
        if method == "DELETE":
            rows.remove(row)
            return 204, None
        row.update(body or {})
        return 200, row

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append({"method": self.command, "path": self.path, "body": body, "headers": dict(self.headers)})
                status, payload = fake.answer(self.command, self.path, body)
                raw = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args: object) -> None:
                pass

        return Handler

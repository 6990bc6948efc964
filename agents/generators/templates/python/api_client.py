"""A small client for the API, standard library only."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class ApiError(Exception):
    """The API answered with an error status; the message is the API's own."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class ApiClient:
    def __init__(self, base_url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def register(self, email: str, password: str) -> dict[str, Any]:
        session = self.call("POST", "/api/auth/register", {"email": email, "password": password})
        self.token = session["token"]
        return session

    def login(self, email: str, password: str) -> dict[str, Any]:
        session = self.call("POST", "/api/auth/login", {"email": email, "password": password})
        self.token = session["token"]
        return session

    def list(self, collection: str) -> list[dict[str, Any]]:
        return self.call("GET", f"/api/{collection}")

    def create(self, collection: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", f"/api/{collection}", data)

    def update(self, collection: str, item_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self.call("PUT", f"/api/{collection}/{item_id}", data)

    def delete(self, collection: str, item_id: int) -> None:
        self.call("DELETE", f"/api/{collection}/{item_id}")

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, _message(error.read())) from None
        return json.loads(raw) if raw else None


def _message(raw: bytes) -> str:
    try:
        return str(json.loads(raw).get("error", raw.decode(errors="replace")))
    except (ValueError, AttributeError):
        return raw.decode(errors="replace")

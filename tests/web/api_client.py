"""The one HTTP client of the browser tests' direct calls to a running stack (httpx): log in
(``POST /api/v1/auth/login``), JSON and multipart calls with the bearer token, and the dev
mailbox. It takes a base URL, not a ``Stack`` (``stack.py`` reads the mailbox with it)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

API = "/api/v1"
"""Where the API's endpoints live; ``stack.url(API)`` is the base of an ``ApiClient``."""


class ApiClient:
    """Calls under ``base_url`` as one user (``Authorization: Bearer``) or as nobody."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 30.0) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=True)
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def login(
        cls, base_url: str, username: str, password: str, *, timeout: float = 30.0
    ) -> ApiClient:
        """A client with a new session of ``username`` (its own, beside the browser's)."""
        client = cls(base_url, timeout=timeout)
        status, answer = client.call(
            "POST", "/auth/login", {"username": username, "password": password}
        )
        if status != 200:
            client.close()
        assert status == 200, f"login of {username}: {status} {answer}"
        client.http.headers["Authorization"] = f"Bearer {answer['access_token']}"
        return client

    @property
    def token(self) -> str:
        """The bearer token the client sends."""
        return self.http.headers["Authorization"].removeprefix("Bearer ")

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        data: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """``method path``: (status, parsed JSON or None). ``body`` is sent as JSON;
        ``files`` and ``data`` as a multipart form."""
        answer = self.send(
            method, path, body, headers=headers, params=params, files=files, data=data
        )
        return answer.status_code, _parsed(answer)

    def ok(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        """The JSON of a 2xx answer (the body in the failure otherwise)."""
        answer = self.send(method, path, body, **kwargs)
        assert answer.is_success, f"{method} {path}: {answer.status_code} {answer.text}"
        return _parsed(answer)

    def send(self, method: str, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        """The raw answer (``kwargs``: httpx's ``headers``, ``params``, ``files``, ``data``)."""
        return self.http.request(method, path, json=body, **kwargs)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _parsed(answer: httpx.Response) -> Any:
    return answer.json() if answer.content else None

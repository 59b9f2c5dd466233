"""HTTP Strict Transport Security in production: browsers reach the portal only over HTTPS.

A pure ASGI middleware (one header appended to every response start, no request body
handling), added by ``api.main.create_app`` when ``COOP_ENVIRONMENT=production``: the
embedded run and the tests serve plain HTTP on loopback, where HSTS would be wrong. No
cookie carries a credential (the API takes a bearer token in the ``Authorization``
header), so there is no cross-site request to forge: no CSRF token is needed.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = b"max-age=31536000; includeSubDomains"
"""One year, subdomains included (OWASP ASVS 5.0 V3.4.1)."""


class StrictTransportSecurity:
    """Adds ``Strict-Transport-Security`` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"strict-transport-security", HSTS),
                ]
            await send(message)

        await self.app(scope, receive, with_header)

"""The web banking's pages: one HTML shell and its static assets, served by the API process.

The portal is a client of the JSON API under ``/api/v1`` (docs/web.md): this module serves
files only and holds no business rule. Every page path answers the same shell; the
browser-side router (``web/static/app/router.js``) draws the screen for the path.

| path | what |
|---|---|
| ``/`` | redirects to ``/banca/`` |
| ``/banca/…`` | the member's web banking |
| ``/oficial/…`` | the credit officer's pages |
| ``/firma/<token>`` | the signing page of an emailed link (no session: the token is the key) |
| ``/creditos/<numero>`` | the disbursement email's link: redirects to the loan's detail |
| ``/static/…`` | scripts, styles, images, the vendored Preact + htm module |
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
SHELL = WEB_DIR / "index.html"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: mediastream:",
        "connect-src 'self'",
        "frame-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""Only the engine's own files run: no inline script, no third-party origin, no framing."""

PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # A signing link carries its token in the path: never leak it in a Referer header.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=()",
    "Cache-Control": "no-store",
}


class _Assets(StaticFiles):
    """Static files revalidated on every load (ETag), so a deploy is seen at once."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if path.endswith(".html"):
            for name in ("Content-Security-Policy", "Referrer-Policy", "X-Frame-Options"):
                response.headers[name] = PAGE_HEADERS[name]
        return response


async def shell(request: Request) -> FileResponse:
    """The single HTML page every portal path answers."""
    return FileResponse(SHELL, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


async def home() -> RedirectResponse:
    """``/`` → the member's web banking."""
    return RedirectResponse("/banca/", status_code=307)


async def loan_link(numero: str) -> RedirectResponse:
    """The link of the disbursement email → the loan's page (login first if needed)."""
    safe = "".join(c for c in numero if c.isalnum())[:30]
    return RedirectResponse(f"/banca/productos/creditos/{safe}", status_code=307)


def install(app: FastAPI) -> None:
    """Add the portal's pages and assets to ``app`` (after the API's routers)."""
    app.mount("/static", _Assets(directory=WEB_DIR / "static"), name="static")
    app.add_api_route("/", home, methods=["GET"], include_in_schema=False)
    for prefix in ("/banca", "/oficial"):
        app.add_api_route(prefix, shell, methods=["GET"], include_in_schema=False)
        app.add_api_route(prefix + "/{path:path}", shell, methods=["GET"], include_in_schema=False)
    app.add_api_route("/firma/{token}", shell, methods=["GET"], include_in_schema=False)
    app.add_api_route("/creditos/{numero}", loan_link, methods=["GET"], include_in_schema=False)

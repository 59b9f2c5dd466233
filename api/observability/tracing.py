"""The API's server spans (OpenTelemetry's FastAPI instrumentation), when ``COOP_TRACES``
gives the process a tracer provider (``bank.core.tracing``); without one nothing is added.

Each request is one ``SERVER`` span named by its route template (``POST /api/v1/transfers``),
the parent of the Temporal client's spans (``StartWorkflow``, ``StartWorkflowUpdate``…) the
request makes; an incoming W3C ``traceparent`` header continues the caller's trace.

**No secret in a span.** The instrumentation copies the raw path and query string into the
span (``http.target``, ``http.url``…), and a signing link carries its token in the path
(``/firma/{token}``): :func:`scrub` writes the route template over them before any exporter
sees the span. Headers and bodies are never recorded (the instrumentation captures headers
only when told to, and we never tell it).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from bank.core import tracing

UNMATCHED = "<unmatched>"
NOT_TRACED = "/health$,/metrics$,/static/"
"""Probes, scrapes and the portal's assets: no span (comma-separated regexes on the URL)."""
_PATHS = ("http.target", "url.path")
_URLS = ("http.url", "url.full")
_QUERIES = ("url.query",)


def scrub(span: Any, scope: dict[str, Any]) -> None:
    """Replace the raw path and query of a server span's attributes by the route template."""
    if not span.is_recording():
        return
    attributes = getattr(span, "attributes", None) or {}
    template = str(attributes.get("http.route") or UNMATCHED)
    for key in _PATHS:
        if key in attributes:
            span.set_attribute(key, template)
    for key in _URLS:
        if key in attributes:
            scheme, _, rest = str(attributes[key]).partition("://")
            host = rest.split("/", 1)[0]
            span.set_attribute(key, f"{scheme}://{host}{template}")
    for key in _QUERIES:
        if key in attributes:
            span.set_attribute(key, "")


def install(app: FastAPI) -> bool:
    """Trace every request of ``app`` when the process traces; True if it does."""
    provider = tracing.provider()
    if provider is None:
        return False
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        server_request_hook=scrub,
        excluded_urls=NOT_TRACED,
        exclude_spans=["receive", "send"],  # one span per request, not one per ASGI message
    )
    return True

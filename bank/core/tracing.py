"""OpenTelemetry traces of one request across the API, its workflow and their activities.

``COOP_TRACES`` chooses the exporter: ``none`` (the default: no provider, no interceptor, no
middleware — nothing runs per request), ``console`` (spans printed as JSON on stdout) or
``otlp`` (OTLP over HTTP/protobuf to the collector named by the standard
``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_*`` variables, which the
exporter reads itself). ``OTEL_SERVICE_NAME`` overrides the process's service name.

The process configures tracing once at start (:func:`configure`); the Temporal client of
:func:`bank.core.temporal.connect` then carries the SDK's ``TracingInterceptor``
(:func:`interceptors`), which a worker built on that client inherits: the API's request span
is the parent of ``StartWorkflow`` / ``StartWorkflowUpdate``, whose context travels in the
workflow's headers to ``RunWorkflow``, ``HandleUpdate`` and ``RunActivity`` on the worker.
See ``docs/observability.md``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the SDK is imported only by a process that traces
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from temporalio.client import Interceptor

TraceMode = Literal["none", "console", "otlp"]
TRACER_NAME = "cooprogreso"

_provider: TracerProvider | None = None


def _exporter(mode: TraceMode) -> SpanExporter:
    if mode == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def configure(mode: TraceMode, service: str) -> TracerProvider | None:
    """Install the process's tracer provider for ``mode`` (``none``: none, and no cost).

    Args:
        mode: ``COOP_TRACES``.
        service: the service name spans carry (``OTEL_SERVICE_NAME`` wins when set).

    Returns:
        The provider, also the global OpenTelemetry one; None for ``none``.
    """
    if mode == "none":
        use(None)
        return None
    import opentelemetry.trace
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    name = os.environ.get("OTEL_SERVICE_NAME") or service
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    provider.add_span_processor(BatchSpanProcessor(_exporter(mode)))
    use(provider)
    opentelemetry.trace.set_tracer_provider(provider)  # for any library tracing on its own
    return provider


def use(provider: TracerProvider | None) -> None:
    """Make ``provider`` the process's (tests install one with an in-memory exporter)."""
    global _provider
    _provider = provider


def provider() -> TracerProvider | None:
    """The process's tracer provider, None when tracing is off."""
    return _provider


def interceptors() -> list[Interceptor]:
    """The Temporal client's interceptors: the SDK's tracing one when tracing is on.

    Registered on the client only (never again on a worker built from it, which would
    duplicate every span). Its workflow half runs inside the workflow sandbox: it records
    spans through a function the SDK passes into the sandbox, so workflows stay sandboxed.
    """
    if _provider is None:
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor(_provider.get_tracer(TRACER_NAME))]


def shutdown() -> None:
    """Export the spans still buffered (a process leaving through ``os._exit`` must)."""
    if _provider is not None:
        _provider.shutdown()

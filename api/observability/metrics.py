"""The API's Prometheus ``/metrics``: its requests, the journeys in Temporal, the business
counters recorded in this process.

- ``coop_api_requests_total{method, route, status}`` and the latency histogram
  ``coop_api_request_duration_seconds{method, route}``: ``route`` is the route's template
  (``/api/v1/movements/{key}``), never the raw path, so no id, key or signing token becomes a
  label (an unmatched path is ``<unmatched>``);
- ``coop_journeys{workflow_type, status}``: workflows by type and execution status, counted
  by Temporal's visibility (one ``GROUP BY ExecutionStatus`` count per type), cached
  :data:`JOURNEYS_TTL` seconds so scrapes do not load Temporal; absent, with
  ``coop_journeys_visibility_up 0``, while Temporal cannot answer (the scrape still succeeds);
- the counters of ``bank.core.metrics`` the API itself records (wrong codes of the
  authorisations it verifies, ``coop_otp_failures``).

On by default except in production (``COOP_API_METRICS``); see ``docs/observability.md``.
One registry per app: with several uvicorn worker processes each answers for itself.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.client import Client, WorkflowExecutionStatus

from api.deps import app_state
from api.errors import ApiError
from bank.core import metrics

log = logging.getLogger(__name__)

JOURNEY_TYPES: tuple[str, ...] = (
    "EnrollmentWorkflow",
    "CreditJourneyWorkflow",
    "MovementWorkflow",
    "ScheduledPaymentRunWorkflow",
    "CardPinChangeWorkflow",
    "CardDeferralWorkflow",
    "CardBillingWorkflow",
)
"""The workflow types the worker runs (a test keeps this in step with ``workers.main``)."""
STATUSES: tuple[str, ...] = tuple(
    "".join(part.capitalize() for part in status.name.split("_"))
    for status in WorkflowExecutionStatus
)
"""Visibility's spelling of every execution status (``Running``, ``ContinuedAsNew``…)."""
JOURNEYS_TTL = 15.0
"""Seconds a visibility count is reused: a scrape every 15 s costs 7 counts at most."""
VISIBILITY_TIMEOUT = 2.0
"""A scrape waits this long for Temporal, then answers without the journeys."""
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"


class JourneyCounts(Collector):
    """``coop_journeys`` from Temporal's visibility, refreshed at most every ``ttl`` seconds."""

    def __init__(
        self,
        ttl: float = JOURNEYS_TTL,
        timeout: float = VISIBILITY_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl, self._timeout, self._clock = ttl, timeout, clock
        self._counted_at: float | None = None
        self._counts: dict[tuple[str, str], int] | None = None
        self._lock = asyncio.Lock()

    def _fresh(self) -> bool:
        return self._counted_at is not None and self._clock() - self._counted_at < self._ttl

    async def refresh(self, client: Client | None) -> None:
        """Count again unless the last count (or failure) is younger than ``ttl``."""
        if self._fresh():
            return
        async with self._lock:
            if self._fresh():
                return
            self._counted_at = self._clock()
            self._counts = await self._count_all(client) if client is not None else None

    async def _count_all(self, client: Client) -> dict[tuple[str, str], int] | None:
        try:
            per_type = await asyncio.wait_for(
                asyncio.gather(*(self._count(client, name) for name in JOURNEY_TYPES)),
                self._timeout,
            )
        except Exception as exc:  # Temporal down or slow: the scrape goes on without them
            log.warning("journeys not counted: Temporal visibility did not answer (%s)", exc)
            return None
        return {key: n for counts in per_type for key, n in counts.items()}

    async def _count(self, client: Client, workflow_type: str) -> dict[tuple[str, str], int]:
        answer = await client.count_workflows(
            f"WorkflowType = '{workflow_type}' GROUP BY ExecutionStatus",
            rpc_timeout=timedelta(seconds=self._timeout),
        )
        counts = dict.fromkeys(((workflow_type, status) for status in STATUSES), 0)
        for group in answer.groups:
            counts[(workflow_type, str(group.group_values[0]))] = group.count
        return counts

    def collect(self) -> Iterable[Metric]:
        """The last count: every type × status (0 included), or only the ``up`` gauge."""
        up = GaugeMetricFamily(
            "coop_journeys_visibility_up", "1 when the last count of the journeys succeeded."
        )
        up.add_metric([], 0 if self._counts is None else 1)
        yield up
        if self._counts is None:
            return
        family = GaugeMetricFamily(
            "coop_journeys",
            "Workflows by type and execution status (Temporal visibility, cached).",
            labels=["workflow_type", "status"],
        )
        for (workflow_type, status), count in sorted(self._counts.items()):
            family.add_metric([workflow_type, status], count)
        yield family


class BusinessCounters(Collector):
    """The ``bank.core.metrics`` sink of the API process, exposed on its registry."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        self._lock = threading.Lock()  # the domain counts from threads too

    def add(self, name: str, value: int, labels: Mapping[str, str]) -> None:
        """Add ``value`` to the counter ``name`` with ``labels``."""
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            self._values[key] = self._values.get(key, 0) + value

    def collect(self) -> Iterable[Metric]:
        """One counter family per declared counter, with the samples recorded so far."""
        with self._lock:
            values = dict(self._values)
        for name, help_text in metrics.COUNTERS.items():
            family = Metric(name, help_text, "counter")
            for (counted, labels), value in values.items():
                if counted == name:
                    family.add_sample(f"{name}_total", dict(labels), value)
            yield family


class ApiMetrics:
    """Everything one app exposes on ``/metrics``."""

    def __init__(self, journeys: JourneyCounts | None = None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "coop_api_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "coop_api_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.journeys = journeys or JourneyCounts()
        self.business = BusinessCounters()
        self.registry.register(self.journeys)
        self.registry.register(self.business)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one answered request."""
        method = method if method in METHODS else "OTHER"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


def route_template(scope: Scope) -> str:
    """The template of the route that answered (``/api/v1/movements/{key}``).

    FastAPI ≥ 0.16x no longer copies an included router's routes: ``scope["route"]`` is the
    router's own (``/movements/{key}``) and the full template is on the effective route
    context it records in ``scope["fastapi"]``; older versions copy the route, prefix included.
    """
    effective = scope.get("fastapi", {}).get("effective_route_context")
    for holder in (effective, scope.get("route")):
        path = getattr(holder, "path", None)
        if isinstance(path, str) and path:
            return path
    return UNMATCHED


class MetricsMiddleware:
    """Counts and times every HTTP request (a pure ASGI middleware: no body handling)."""

    def __init__(self, app: ASGIApp, recorder: ApiMetrics) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before the answer starts becomes a 500

        async def recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording)
        finally:
            elapsed = time.perf_counter() - started
            self.recorder.observe(scope["method"], route_template(scope), status, elapsed)


async def optional_temporal_client(request: Request) -> Client | None:
    """The API's Temporal client, or None when it cannot be built (no journeys then)."""
    try:
        return await app_state(request).temporal.get()
    except ApiError:
        return None


async def metrics_endpoint(
    request: Request, temporal: Annotated[Client | None, Depends(optional_temporal_client)]
) -> Response:
    """Prometheus text format of everything the app records."""
    recorder: ApiMetrics = request.app.state.metrics
    await recorder.journeys.refresh(temporal)
    return Response(generate_latest(recorder.registry), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI, enabled: bool) -> ApiMetrics | None:
    """Serve ``/metrics`` and count every request, when ``enabled`` (``COOP_API_METRICS``).

    Also makes this app the process's sink of the business counters.
    """
    if not enabled:
        return None
    recorder = ApiMetrics()
    app.state.metrics = recorder
    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    app.add_middleware(MetricsMiddleware, recorder=recorder)
    metrics.use(recorder.business)
    return recorder

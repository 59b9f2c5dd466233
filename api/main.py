"""The member-facing FastAPI application: ``uvicorn api.main:app``.

``create_app`` builds the app for given settings (tests pass their own); the module-level
``app`` is created on first access, so importing this module reads no environment.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from api import errors, web
from api.deps import AppState, Clock, LazyTemporalClient
from api.hsts import StrictTransportSecurity
from api.observability import metrics as api_metrics
from api.observability import tracing as api_tracing
from api.routes import (
    auth,
    beneficiaries,
    card_credit,
    card_pins,
    card_simulators,
    credit,
    credit_signing,
    dev,
    enrollment,
    info,
    officer,
    privacy,
    product_requests,
    products,
    registrations,
)
from api.routes.money import router as money_router
from api.routes.movements import router as movements_router
from api.routes.payment_history import router as payment_history_router
from api.routes.scheduled_payments import router as scheduled_payments_router
from bank.access.auth import AuthPolicy
from bank.access.security import use_password_cost
from bank.adapters.wiring import Adapters
from bank.core import logs, tracing
from bank.core.db import async_session_factory, make_async_engine
from bank.core.settings import ApiSettings
from bank.queries.position_pg import PositionReader

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 1024 * 1024
"""Requests above 1 MiB are refused with 413 before any parsing (uploads have their own limit)."""
MAX_UPLOAD_BYTES = 32 * 1024 * 1024
"""Multipart uploads: up to 30 camera frames or one 10 MB document, with form overhead."""

DB_POOL_SIZE = 10
DB_MAX_OVERFLOW = 5
FAST_POOL_SIZE = 2
POSITION_BATCHES_IN_FLIGHT = 1
"""The position hot path: one batched statement in flight per worker process, on a pool of
2 (the spare connection serves the once-a-minute session touch). Requests arriving while a
batch runs join the next one. Measured on 2 cores, 1 batch in flight beat 2 (bigger batches,
fewer round trips, lower latency); with several uvicorn workers, PostgreSQL still runs one
statement per worker in parallel."""


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {}
    return {"pool_size": DB_POOL_SIZE, "max_overflow": DB_MAX_OVERFLOW, "pool_recycle": 1800}


def _pg_pool(url: str) -> AsyncConnectionPool[AsyncConnection[Any]] | None:
    """The hot path's psycopg pool, for PostgreSQL URLs only (connects in the background)."""
    if not url.startswith(("postgresql", "postgres:")):
        return None
    conninfo = "postgresql://" + url.split("://", 1)[1]
    return AsyncConnectionPool(
        conninfo,
        min_size=FAST_POOL_SIZE,
        max_size=FAST_POOL_SIZE,
        kwargs={"autocommit": True, "prepare_threshold": 0},
        timeout=10,
        open=False,
        name="api-hot-path",
    )


def _lifespan(settings: ApiSettings) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        use_password_cost(
            settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
        )
        engine = make_async_engine(settings.database_url, **_engine_options(settings.database_url))
        pg_pool = _pg_pool(settings.database_url)
        positions = None
        if pg_pool is not None:
            await pg_pool.open(wait=False)
            positions = PositionReader(pg_pool, max_in_flight=POSITION_BATCHES_IN_FLIGHT)
        app.state.core = AppState(
            settings=settings,
            engine=engine,
            read_engine=engine.execution_options(isolation_level="AUTOCOMMIT"),
            sessions=async_session_factory(engine),
            auth_policy=AuthPolicy.from_settings(settings),
            clock=Clock(ZoneInfo(settings.timezone)),
            temporal=LazyTemporalClient(settings),
            # Tests may hand the app their own adapters (a biller simulator on their sessions).
            adapters=getattr(app.state, "adapters", None) or Adapters(settings),
            positions=positions,
        )
        _freeze_startup_heap()
        try:
            yield
        finally:
            if pg_pool is not None:
                await pg_pool.close()
            await engine.dispose()

    return lifespan


def _freeze_startup_heap() -> None:
    """Keep the long-lived startup objects out of the garbage collector's full passes.

    Imports, models and routes leave ~170,000 objects that live as long as the process; a
    full (generation 2) collection scanning them stalled the event loop ~100 ms at a time,
    which showed up directly in p95/p99 latency. ``gc.freeze`` moves them to a permanent
    generation, so later collections only look at objects created by requests.
    """
    gc.collect()
    gc.freeze()


async def health() -> dict[str, str]:
    """Liveness without the database: a plain FastAPI endpoint (the benchmark's baseline)."""
    return {"status": "ok"}


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the API for ``settings`` (read from the environment when omitted).

    Args:
        settings: the process settings; tests pass their own database URL.

    Returns:
        The application, with the engine and Temporal client created by its lifespan.
    """
    settings = settings or ApiSettings()
    app = FastAPI(
        title="Cooprogreso en Línea — API de socios",
        version="1.0.0",
        description="Productos, autenticación y operaciones de Cooprogreso en Línea.",
        lifespan=_lifespan(settings),
    )
    errors.install(app)
    app.add_middleware(
        errors.BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES, upload_max_bytes=MAX_UPLOAD_BYTES
    )
    app.add_api_route("/health", health, methods=["GET"], tags=["Salud"])
    # Routers are matched in order and every nesting level costs a little on every request:
    # the products router (with the hot /position first) comes first, one level deep.
    app.include_router(money_router, prefix=API_PREFIX)  # /cards/payable before /cards/{id}
    app.include_router(movements_router, prefix=API_PREFIX)
    app.include_router(registrations.cards_router, prefix=API_PREFIX)
    app.include_router(card_pins.router, prefix=API_PREFIX)
    app.include_router(card_credit.router, prefix=API_PREFIX)
    app.include_router(products.router, prefix=API_PREFIX)
    app.include_router(auth.router, prefix=API_PREFIX)
    app.include_router(enrollment.router, prefix=API_PREFIX)
    app.include_router(credit.router, prefix=API_PREFIX)
    app.include_router(credit_signing.router, prefix=API_PREFIX)
    app.include_router(officer.router, prefix=API_PREFIX)
    app.include_router(beneficiaries.router, prefix=API_PREFIX)
    app.include_router(registrations.router, prefix=API_PREFIX)
    app.include_router(payment_history_router, prefix=API_PREFIX)
    app.include_router(scheduled_payments_router, prefix=API_PREFIX)
    app.include_router(product_requests.router, prefix=API_PREFIX)
    app.include_router(product_requests.officer_router, prefix=API_PREFIX)
    app.include_router(info.router, prefix=API_PREFIX)
    app.include_router(privacy.router, prefix=API_PREFIX)
    app.add_api_route(f"{API_PREFIX}/health", health, methods=["GET"], tags=["Salud"])
    if settings.dev_outbox:
        app.include_router(dev.router)
        app.include_router(card_simulators.network_router, prefix=API_PREFIX)
        app.include_router(card_simulators.billing_router, prefix=API_PREFIX)
    web.install(app)
    api_metrics.install(app, settings.metrics_enabled)  # outside the body limit: counts 413s
    if settings.environment == "production":
        app.add_middleware(StrictTransportSecurity)
    api_tracing.install(app)  # only when COOP_TRACES gave the process a tracer provider
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn api.main:app` looks the attribute up: build the app only then.
    if name == "app":
        settings = ApiSettings()
        logs.configure(settings.effective_log_format, settings.log_level)
        tracing.configure(settings.traces, "cooprogreso-api")
        app = create_app(settings)
        globals()["app"] = app
        return app
    raise AttributeError(name)

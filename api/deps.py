"""Annotated dependencies: database access, the caller, the clock and the Temporal client.

Everything a request needs is built once at startup (:class:`AppState`), so no dependency
parses settings or creates engines per request. All dependencies are ``async def``: a plain
``def`` dependency would cost a thread hop on every request.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client

from api.errors import ApiError, not_authenticated
from bank.access.auth import AuthPolicy, PasswordChangeRequired, Principal, authenticate
from bank.adapters.wiring import Adapters
from bank.core import temporal
from bank.core.settings import ApiSettings, CoreSettings
from bank.models import Role
from bank.queries.position_pg import PositionReader

log = logging.getLogger(__name__)


class LazyTemporalClient:
    """The API's Temporal client, built on first use and connecting at its first call.

    The SDK's lazy client opens the connection at the first RPC (and retries it at the next
    one after a failure), so resolving the ``TemporalClient`` dependency never touches the
    network: a route checks the caller owns what it touches before Temporal is reached, and
    with Temporal down answers 404 for another member's card, not 503. A failed connection
    at call time is answered 503 ``SERVICIO_NO_DISPONIBLE`` (``api.errors``).
    """

    def __init__(self, settings: CoreSettings) -> None:
        self._settings = settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> Client:
        """The connected client.

        Raises:
            ApiError: 503 ``SERVICIO_NO_DISPONIBLE`` when Temporal cannot be reached.
        """
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await temporal.connect(self._settings, identity="api", lazy=True)
                except Exception as exc:
                    log.warning(
                        "cannot reach Temporal at %s: %s", self._settings.temporal_address, exc
                    )
                    raise ApiError(
                        503,
                        "SERVICIO_NO_DISPONIBLE",
                        "El servicio no está disponible en este momento. Intenta más tarde.",
                    ) from exc
            return self._client


class Clock:
    """Today in the institution's timezone; tests pin a day with ``fixed_today``."""

    def __init__(self, timezone: ZoneInfo) -> None:
        self.timezone = timezone
        self.fixed_today: date | None = None

    def today(self) -> date:
        """Today in America/Guayaquil (or the pinned day)."""
        return self.fixed_today or datetime.now(self.timezone).date()


@dataclass(frozen=True, slots=True)
class AppState:
    """What the process builds once at startup and every request reuses."""

    settings: ApiSettings
    engine: AsyncEngine
    read_engine: AsyncEngine
    """The same pool in autocommit mode: a read is one round trip, no BEGIN/ROLLBACK."""
    sessions: async_sessionmaker[AsyncSession]
    auth_policy: AuthPolicy
    clock: Clock
    temporal: LazyTemporalClient
    adapters: Adapters
    """The process's gateways (document store, billers, payment rules…), built once."""
    positions: PositionReader | None = None
    """PostgreSQL only: the hot path's reader over plain psycopg connections (autocommit,
    prepared statements), which cannot afford SQLAlchemy's per-statement cost."""


@dataclass(frozen=True, slots=True)
class MemberCaller:
    """An authenticated member (a principal whose ``member_id`` is known)."""

    member_id: int
    principal: Principal


def app_state(request: Request) -> AppState:
    """The state built by the app's lifespan."""
    state: AppState = request.app.state.core
    return state


async def get_db_conn(request: Request) -> AsyncIterator[AsyncConnection]:
    """An autocommit connection for reads (and single-statement writes)."""
    async with app_state(request).read_engine.connect() as conn:
        yield conn


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """An ORM session for multi-statement writes; the service owns its transactions."""
    async with app_state(request).sessions() as session:
        yield session


async def now_utc() -> datetime:
    """The current instant (overridable in tests)."""
    return datetime.now(UTC)


async def today_local(request: Request) -> date:
    """Today in the institution's timezone, America/Guayaquil (see :class:`Clock`)."""
    return app_state(request).clock.today()


DbConn = Annotated[AsyncConnection, Depends(get_db_conn)]
DbSession = Annotated[AsyncSession, Depends(get_db_session)]
Now = Annotated[datetime, Depends(now_utc)]
Today = Annotated[date, Depends(today_local)]

_bearer = HTTPBearer(auto_error=False, description="Token de sesión de POST /api/v1/auth/login")
BEARER_SECURITY: dict[str, Any] = {"security": [{"HTTPBearer": []}]}
"""``openapi_extra`` for routes that read the token without the HTTPBearer dependency."""


def bearer_token(request: Request) -> str:
    """The token of an ``Authorization: Bearer <token>`` header.

    Raises:
        ApiError: 401 ``SESION_INVALIDA`` when the header is missing or malformed.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise not_authenticated()
    return token


async def get_session_principal(
    request: Request,
    now: Now,
    _: Annotated[object, Depends(_bearer)],
) -> Principal:
    """The caller behind a valid session, even one that must still change its password.

    A connection of its own, returned to the pool at once: a request that then waits on
    Temporal (a transfer's preview, a confirmation) holds no database connection.
    """
    token = bearer_token(request)
    async with app_state(request).read_engine.connect() as conn:
        return await authenticate(conn, app_state(request).auth_policy, token, now=now)


SessionPrincipal = Annotated[Principal, Depends(get_session_principal)]
"""Only for change-password and logout: everything else uses :data:`CurrentUser`."""


async def get_current_user(principal: SessionPrincipal) -> Principal:
    """The caller, refused while a temporary password is still in use."""
    if principal.must_change_password:
        raise PasswordChangeRequired()
    return principal


CurrentUser = Annotated[Principal, Depends(get_current_user)]


def require_member(principal: Principal) -> MemberCaller:
    """The principal as a member: refused while a temporary password is in use or for officers.

    Raises:
        PasswordChangeRequired: the temporary password must be changed first.
        ApiError: 403 ``ACCESO_DENEGADO`` for a user that is not a member.
    """
    if principal.must_change_password:
        raise PasswordChangeRequired()
    if principal.role is not Role.MEMBER or principal.member_id is None:
        raise ApiError(403, "ACCESO_DENEGADO", "Esta operación es solo para socios.")
    return MemberCaller(member_id=principal.member_id, principal=principal)


async def get_current_member(user: CurrentUser) -> MemberCaller:
    """The caller when it is a member (officers have no products)."""
    return require_member(user)


async def get_current_officer(user: CurrentUser) -> Principal:
    """The caller when it is a credit officer."""
    if user.role is not Role.OFFICER:
        raise ApiError(403, "ACCESO_DENEGADO", "Esta operación es solo para oficiales de crédito.")
    return user


CurrentMember = Annotated[MemberCaller, Depends(get_current_member)]
CurrentOfficer = Annotated[Principal, Depends(get_current_officer)]


async def get_temporal_client(request: Request) -> Client:
    """The shared Temporal client, connected on first use."""
    return await app_state(request).temporal.get()


TemporalClient = Annotated[Client, Depends(get_temporal_client)]


def request_origin(request: Request) -> str:
    """Where a consent or a request was given: channel, client address and user agent
    (control characters dropped; ≤ 200 chars), for the journey's trail and the audit."""
    address = request.client.host if request.client else "desconocida"
    agent = request.headers.get("user-agent", "")
    agent = "".join(c for c in agent if unicodedata.category(c)[0] != "C")[:120]
    return f"web ip={address} ua={agent}"[:200]

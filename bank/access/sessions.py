"""A member's open sessions ("Mis sesiones"): where and on what each was opened, when it was
last used, and closing every other one ("Cerrar sesión en todos los demás dispositivos").

Only what the member needs to recognise a session is kept: the client's address and a short
description of the browser, taken from its User-Agent at login. The session's id and token
digest never leave the server; a session is named to the member by an opaque reference.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bank.access.auth_types import Principal
from bank.models import AuditEvent, UserSession

_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
_APP = re.compile(r"^(python-httpx|curl|okhttp)/", re.IGNORECASE)


def describe_device(user_agent: str | None) -> str:
    """``Chrome en Windows``, ``Safari en iPhone``…, or a plain description when unknown."""
    if not user_agent:
        return "Dispositivo desconocido"
    if _APP.match(user_agent):
        return "Aplicación o programa"
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "Navegador")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    return f"{browser} en {system}" if system else browser


@dataclass(frozen=True)
class OpenSession:
    reference: str
    """Opaque: a digest of the session id, enough to tell sessions apart on screen."""
    device: str
    origin: str | None
    opened_at: datetime
    last_used_at: datetime
    current: bool


def reference_of(session_id: str) -> str:
    return hashlib.sha256(f"session-ref:{session_id}".encode()).hexdigest()[:12]


async def open_sessions(
    conn: AsyncConnection, principal: Principal, *, now: datetime
) -> list[OpenSession]:
    """The user's sessions still open, the current one first, then by last use."""
    rows = (
        await conn.execute(
            select(
                UserSession.id,
                UserSession.device,
                UserSession.origin,
                UserSession.created_at,
                UserSession.last_seen_at,
            )
            .where(
                UserSession.user_id == principal.user_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    ).all()
    found = [
        OpenSession(
            reference_of(row.id),
            row.device or "Dispositivo desconocido",
            row.origin,
            row.created_at,
            row.last_seen_at,
            row.id == principal.session_id,
        )
        for row in rows
    ]
    return sorted(found, key=lambda s: not s.current)


async def revoke_others(
    session: AsyncSession, user_id: int, keep_session: str, now: datetime
) -> int:
    """Revoke every open session of the user but ``keep_session`` (in the caller's
    transaction); how many there were."""
    result = await session.execute(
        update(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.id != keep_session,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def end_other_sessions(session: AsyncSession, principal: Principal, *, now: datetime) -> int:
    """Close every session of the user but the caller's; how many were closed."""
    async with session.begin():
        closed = await revoke_others(session, principal.user_id, principal.session_id, now)
        session.add(
            AuditEvent(
                at=now,
                actor=principal.username,
                action="SESSIONS_ENDED",
                subject=principal.username,
                details={"closed": closed, "kept": reference_of(principal.session_id)},
            )
        )
    return closed

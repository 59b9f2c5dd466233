"""Login, lockout, bearer sessions and password changes for Cooprogreso en Línea.

Tokens are ``<session id>.<secret>``: the session id finds the row by primary key and only a
keyed digest of the secret is stored, so a database leak does not leak usable tokens.
Unknown users and wrong passwords fail alike (a dummy hash is verified for unknown users so
both take about the same time), lockout included: an unknown username "locks" after the same
number of failures as a real one. Argon2 runs in a worker thread, never on the event loop.
Every outcome is written to the audit trail in the same transaction as its effect.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, NoReturn

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bank.access import passwords
from bank.access.auth_types import (
    AuthError,
    AuthPolicy,
    InvalidCredentials,
    InvalidSession,
    LoginResult,
    PasswordChangeRequired,
    PasswordPolicyViolation,
    Principal,
    SessionView,
    UserLocked,
    WrongCurrentPassword,
)
from bank.access.security import (
    hash_password,
    needs_rehash,
    random_token,
    same_digest,
    verify_password,
)
from bank.access.sessions import revoke_others
from bank.models import AuditEvent, Member, Role, User, UserSession

__all__ = [
    "SESSION_COLUMNS",
    "AuthError",
    "AuthPolicy",
    "InvalidCredentials",
    "InvalidSession",
    "LoginResult",
    "PasswordChangeRequired",
    "PasswordPolicyViolation",
    "Principal",
    "UserLocked",
    "WrongCurrentPassword",
    "authenticate",
    "change_password",
    "check_session",
    "login",
    "logout",
    "split_token",
]

MAX_TOKEN_LENGTH = 200


@cache
def _dummy_hash() -> str:
    return hash_password(random_token())


def _token_digest(policy: AuthPolicy, session_id: str, secret: str) -> str:
    # Same value as keyed_digest(secret_key, "session", session_id, secret), computed with
    # the one-shot hmac.digest: this runs on every authenticated request.
    message = "\x1f".join(("session", session_id, secret)).encode()
    return hmac.digest(policy.secret_key.encode(), message, "sha256").hex()


def _audit(
    session: AsyncSession, actor: str, action: str, subject: str | None, **details: Any
) -> AuditEvent:
    event = AuditEvent(actor=actor[:80], action=action, subject=subject, details=details)
    session.add(event)
    return event


async def _load_user(session: AsyncSession, username: str) -> tuple[User, Member | None] | None:
    stmt = select(User, Member).outerjoin(Member, Member.id == User.member_id)
    async with session.begin():
        row = (await session.execute(stmt.where(User.username == username))).first()
    return None if row is None else (row[0], row[1])


async def login(
    session: AsyncSession,
    policy: AuthPolicy,
    username: str,
    password: str,
    *,
    now: datetime,
    client: str | None = None,
    device: str | None = None,
) -> LoginResult:
    """Check the credentials and open a session (``client``: its address; ``device``: the
    browser as the member will recognise it in "Mis sesiones").

    Raises:
        InvalidCredentials: unknown user or wrong password.
        UserLocked: the user is (or just became) locked; an unknown username past as many
            failures as lock a real user.
    """
    found = await _load_user(session, username)
    stored = found[0].password_hash if found else _dummy_hash()
    ok = await asyncio.to_thread(verify_password, stored, password)
    if found is None:
        await _refuse_unknown(session, policy, username, client)
    user, member = found
    if user.locked_at is not None:
        async with session.begin():
            _audit(session, username, "LOGIN_REJECTED_LOCKED", username, client=client)
        raise UserLocked()
    if not ok:
        await _record_failure(session, policy, user.id, username, now, client, "LOGIN_FAILED")
    previous_login_at = user.last_login_at
    new_hash = await asyncio.to_thread(hash_password, password) if needs_rehash(stored) else None
    token, expires_at = await _open_session(session, policy, user, now, (client, device), new_hash)
    name = f"{member.first_names} {member.last_names}" if member else user.username
    return LoginResult(
        token=token,
        expires_at=expires_at,
        user_id=user.id,
        full_name=name,
        previous_login_at=previous_login_at,
        must_change_password=user.must_change_password,
    )


async def _refuse_unknown(
    session: AsyncSession, policy: AuthPolicy, username: str, client: str | None
) -> NoReturn:
    """Fail an unknown username exactly as a real user's wrong password fails.

    Its failures are counted in the audit trail (``LOGIN_FAILED`` with the username as
    subject): 401 until the limit, 423 at the limit and for good afterwards, so the lockout
    answer does not tell an attacker which usernames exist (a real user stays locked until a
    recovery, which an attacker cannot tell apart from a username that never existed).
    Concurrent failures of one username are counted one after the other, as the row lock
    of a real user counts them: a burst of guesses cannot tell the two apart either.
    """
    async with session.begin():
        await _lock_username(session, username)
        # Written before counting: on SQLite the write takes the database's write lock.
        event = _audit(
            session, username, "LOGIN_FAILED", username, reason="unknown_user", client=client
        )
        await session.flush()
        attempts = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "LOGIN_FAILED", AuditEvent.subject == username)
        )
        attempts = attempts or 0
        if attempts > policy.max_failed_logins:
            event.action = "LOGIN_REJECTED_LOCKED"  # already "locked": no longer counted
        else:
            event.details = {**event.details, "attempts": attempts}
    if attempts >= policy.max_failed_logins:
        raise UserLocked()
    raise InvalidCredentials()


async def _lock_username(session: AsyncSession, username: str) -> None:
    """Serialise this transaction with any other for ``username`` (PostgreSQL: an advisory
    lock until the commit; SQLite serialises writers by itself)."""
    if session.get_bind().dialect.name == "postgresql":
        key = func.hashtextextended(f"login:{username}", 0)
        await session.execute(select(func.pg_advisory_xact_lock(key)))


async def _record_failure(
    session: AsyncSession,
    policy: AuthPolicy,
    user_id: int,
    username: str,
    now: datetime,
    client: str | None,
    action: str,
) -> NoReturn:
    """Count one failed attempt (atomically), lock at the limit, and raise the right error."""
    async with session.begin():
        attempts = (
            await session.execute(
                update(User)
                .where(User.id == user_id)
                .values(failed_attempts=User.failed_attempts + 1)
                .returning(User.failed_attempts)
            )
        ).scalar_one()
        locked = attempts >= policy.max_failed_logins
        _audit(session, username, action, username, attempts=attempts, client=client)
        if locked:
            await session.execute(
                update(User)
                .where(User.id == user_id, User.locked_at.is_(None))
                .values(locked_at=now)
            )
            _audit(session, username, "USER_LOCKED", username, attempts=attempts, client=client)
    if locked:
        raise UserLocked()
    if action == "LOGIN_FAILED":
        raise InvalidCredentials()
    raise WrongCurrentPassword()


async def _open_session(
    session: AsyncSession,
    policy: AuthPolicy,
    user: User,
    now: datetime,
    origin: tuple[str | None, str | None],
    new_hash: str | None,
) -> tuple[str, datetime]:
    client, device = origin
    session_id, secret = secrets.token_hex(16), random_token(32)
    values: dict[str, Any] = {"failed_attempts": 0, "last_login_at": now}
    values["previous_login_at"] = User.last_login_at  # the login being replaced, in SQL
    values |= {"password_hash": new_hash} if new_hash else {}
    row = UserSession(
        id=session_id,
        user_id=user.id,
        token_digest=_token_digest(policy, session_id, secret),
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.max_age,
        origin=client[:64] if client else None,
        device=device[:200] if device else None,
    )
    async with session.begin():
        result = await session.execute(
            update(User)
            .where(User.id == user.id, User.locked_at.is_(None))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        # Zero rows: a concurrent failure locked the user since we read it.
        locked = result.rowcount == 0  # type: ignore[attr-defined]
        if not locked:
            session.add(row)
            _audit(
                session,
                user.username,
                "LOGIN_OK",
                user.username,
                session_id=session_id,
                client=client,
            )
    if locked:
        raise UserLocked()
    return f"{session_id}.{secret}", row.expires_at


SESSION_COLUMNS = (
    UserSession.token_digest,
    UserSession.last_seen_at,
    UserSession.expires_at,
    UserSession.revoked_at,
    User.id,
    User.username,
    User.role,
    User.member_id,
    User.must_change_password,
    User.locked_at,
)
"""What :func:`check_session` reads, in this order (``user_sessions`` joined to ``users``)."""

_SESSION_QUERY = (
    select(*SESSION_COLUMNS)
    .join(User, User.id == UserSession.user_id)
    .where(UserSession.id == bindparam("sid"))
)
_TOUCH = (
    update(UserSession)
    .where(UserSession.id == bindparam("sid"))
    .values(last_seen_at=bindparam("now"))
)


def split_token(token: str) -> tuple[str, str]:
    """The session id and secret of a bearer token.

    Raises:
        InvalidSession: the token is not shaped like one of ours.
    """
    session_id, _, secret = token.partition(".")
    if len(token) > MAX_TOKEN_LENGTH or len(session_id) != 32 or not secret:
        raise InvalidSession()
    return session_id, secret


def check_session(
    row: Sequence[Any] | None, policy: AuthPolicy, token: str, *, now: datetime
) -> tuple[Principal, bool]:
    """Validate a session row (the columns of ``SESSION_COLUMNS``) against a bearer token.

    Returns:
        The principal, and whether ``last_seen_at`` is older than ``policy.touch_interval``
        (the caller then records the activity).

    Raises:
        InvalidSession: unknown, revoked, idle or expired session, or a wrong secret.
        UserLocked: the user was locked after the session was opened.
    """
    session_id, secret = split_token(token)
    if row is None or not same_digest(row[0], _token_digest(policy, session_id, secret)):
        raise InvalidSession()
    last_seen, expires_at, revoked_at = row[1], row[2], row[3]
    if revoked_at is not None or now >= expires_at or now - last_seen > policy.idle_timeout:
        raise InvalidSession()
    if row[9] is not None:
        raise UserLocked()
    principal = Principal(
        session_id=session_id,
        user_id=row[4],
        username=row[5],
        role=Role(row[6]),
        member_id=row[7],
        must_change_password=row[8],
    )
    return principal, now - last_seen >= policy.touch_interval


async def authenticate(
    conn: AsyncConnection, policy: AuthPolicy, token: str, *, now: datetime
) -> Principal:
    """The principal behind a bearer token; one indexed query.

    ``last_seen_at`` is written at most once per ``policy.touch_interval`` so ordinary
    requests stay read-only; the idle timeout is therefore exact to within that interval.
    ``conn`` is expected in autocommit mode (the touch is a single statement).

    Raises:
        InvalidSession: unknown, revoked, idle or expired session, or a wrong secret.
        UserLocked: the user was locked after the session was opened.
    """
    session_id, _ = split_token(token)
    row = (await conn.execute(_SESSION_QUERY, {"sid": session_id})).first()
    principal, stale = check_session(row, policy, token, now=now)
    if stale:
        await conn.execute(_TOUCH, {"sid": session_id, "now": now})
    return principal


async def describe_session(
    conn: AsyncConnection, policy: AuthPolicy, principal: Principal, *, now: datetime
) -> SessionView:
    """Who is behind ``principal`` and when its session ends.

    The idle end counts from ``last_seen_at`` as stored (written at most once a minute), so
    it is never later than the end :func:`check_session` will enforce.
    """
    row = (
        await conn.execute(
            select(
                User.username,
                User.previous_login_at,
                Member.first_names,
                Member.last_names,
                UserSession.last_seen_at,
                UserSession.expires_at,
            )
            .join(User, User.id == UserSession.user_id)
            .outerjoin(Member, Member.id == User.member_id)
            .where(UserSession.id == principal.session_id)
        )
    ).one()
    name = f"{row.first_names} {row.last_names}" if row.first_names else row.username
    return SessionView(
        full_name=name,
        role=principal.role,
        previous_login_at=row.previous_login_at,
        idle_expires_at=min(row.last_seen_at + policy.idle_timeout, row.expires_at),
        expires_at=row.expires_at,
        must_change_password=principal.must_change_password,
    )


async def logout(session: AsyncSession, principal: Principal, *, now: datetime) -> None:
    """Revoke the caller's session."""
    async with session.begin():
        await session.execute(
            update(UserSession)
            .where(UserSession.id == principal.session_id, UserSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        _audit(
            session,
            principal.username,
            "LOGOUT",
            principal.username,
            session_id=principal.session_id,
        )


async def change_password(
    session: AsyncSession,
    policy: AuthPolicy,
    principal: Principal,
    current: str,
    new: str,
    *,
    now: datetime,
    end_other_sessions: bool = True,
) -> None:
    """Replace the password and clear the temporary-password flag; by default (the member
    may decline) end the user's other sessions.

    Raises:
        PasswordPolicyViolation: the new password breaks the rules (``bank.access.passwords``).
        WrongCurrentPassword: ``current`` is wrong (it counts as a failed attempt).
        UserLocked: that failed attempt reached the limit.
    """
    found = await _load_user(session, principal.username)
    if found is None:
        raise InvalidSession()
    user, member = found
    reasons = passwords.violations(
        new,
        username=user.username,
        current=current,
        identification=member.identification if member else None,
        birth_date=member.birth_date if member else None,
    )
    if reasons:
        raise PasswordPolicyViolation(reasons)
    if not await asyncio.to_thread(verify_password, user.password_hash, current):
        await _record_failure(
            session, policy, user.id, user.username, now, None, "PASSWORD_CHANGE_FAILED"
        )
    if await passwords.used_before(session, user.id, new):
        raise PasswordPolicyViolation(
            [f"No puede ser igual a una de tus últimas {passwords.HISTORY} contraseñas."]
        )
    new_hash = await asyncio.to_thread(hash_password, new)
    async with session.begin():
        await passwords.remember(session, user.id, user.password_hash, now)
        await _store_password(
            session, user, principal.session_id, new_hash, now, end_other_sessions
        )


async def _store_password(
    session: AsyncSession,
    user: User,
    keep_session: str,
    new_hash: str,
    now: datetime,
    end_other_sessions: bool,
) -> None:
    """Write the new hash, clear the flags and (asked) revoke every session but
    ``keep_session``."""
    await session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            password_hash=new_hash,
            must_change_password=False,
            password_changed_at=now,
            failed_attempts=0,
        )
    )
    if end_other_sessions:
        await revoke_others(session, user.id, keep_session, now)
    _audit(
        session,
        user.username,
        "PASSWORD_CHANGED",
        user.username,
        session_id=keep_session,
        other_sessions_ended=end_other_sessions,
    )

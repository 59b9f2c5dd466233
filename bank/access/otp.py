"""One-time passwords bound to exactly what they authorise.

A challenge covers one operation of one member: its digest is
``HMAC(secret_key, operation, canonical_json(payload))`` where the payload holds what the
member is agreeing to (amount, payee or account, document hashes). The 6-digit code is made
by pyotp's HOTP over a fresh random base32 secret at counter 0; the secret is discarded at
once and only ``HMAC(secret_key, "otp-code", challenge id, code)`` is stored. Codes expire
after 5 minutes, are single use, and the 5th wrong code kills the challenge; after 15 wrong
codes in an hour over all of a member's challenges no new code is sent for that hour. See
``docs/notifications.md`` for the reasoning.

Transactions: :func:`issue` and the success path of :func:`verify` write in the caller's
session and the caller commits. Every *failed* verification (wrong code, expiry, mismatch,
reuse) is recorded in a short transaction of its own before the error is raised, so a
caller that rolls back on the error cannot erase failed attempts and reopen a brute force.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from uuid import UUID, uuid4

import pyotp
from sqlalchemy import Connection, CursorResult, Update, func, select, update
from sqlalchemy.orm import Session

from bank.access.otp_errors import (
    STATUS_ERRORS,
    OtpAlreadyUsed,
    OtpCannotSend,
    OtpError,
    OtpExpired,
    OtpInvalid,
    OtpLocked,
    OtpMismatch,
    OtpNoMobile,
    OtpNotFound,
    OtpThrottled,
    OtpVoided,
)
from bank.access.security import keyed_digest, same_digest
from bank.core import metrics
from bank.core.masking import mask_otp_mobile
from bank.models import AuditEvent, Channel, Member, OtpChallenge, OtpStatus, utcnow
from bank.notifications.outbox import default_secret_key, enqueue

DEFAULT_TTL = timedelta(minutes=5)
OPERATION_PURPOSES = {
    "ENROLLMENT": "tu registro en Cooprogreso en Línea",
}
"""What a code authorises when the caller does not say (operations without an amount)."""
MAX_TTL = timedelta(minutes=10)
"""OWASP ASVS 5.0 6.5.5: out-of-band codes live at most 10 minutes."""
MAX_FAILED_ATTEMPTS = 5
MAX_FAILURES_PER_HOUR = 15
"""Wrong codes a member may type in an hour over all challenges; then no new code is sent.
Each challenge allows 5, so without this a fresh preview would buy 5 more guesses forever."""
CODE_DIGITS = 6

__all__ = [
    "CODE_DIGITS",
    "DEFAULT_TTL",
    "MAX_FAILED_ATTEMPTS",
    "MAX_FAILURES_PER_HOUR",
    "IssuedOtp",
    "OtpAlreadyUsed",
    "OtpCannotSend",
    "OtpError",
    "OtpExpired",
    "OtpInvalid",
    "OtpLocked",
    "OtpMismatch",
    "OtpNoMobile",
    "OtpNotFound",
    "OtpThrottled",
    "OtpVoided",
    "canonical_json",
    "issue",
    "operation_digest",
    "verify",
]


@dataclass(frozen=True)
class IssuedOtp:
    """A challenge was created and its SMS enqueued (deliver it with ``message_key``)."""

    challenge_id: str
    expires_at: datetime
    message_key: str
    sent_to: str
    """The mobile number, masked, to show the member where the code went."""


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        raise TypeError("OTP payloads hold money as Decimal or integer cents, never float")
    if isinstance(value, Decimal):
        # 10, 10.0 and 10.00 authorise the same amount: normalise before hashing.
        return format(value.normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    if isinstance(value, UUID):
        return str(value)
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"unsupported value in an OTP payload: {type(value).__name__}")


def canonical_json(payload: Mapping[str, Any]) -> str:
    """Deterministic JSON of ``payload`` (sorted keys, no spaces, normalised decimals)."""
    return json.dumps(
        _canonical(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def operation_digest(secret_key: str, operation: str, payload: Mapping[str, Any]) -> str:
    """The digest a challenge is bound to."""
    return keyed_digest(secret_key, operation, canonical_json(payload))


def _code_digest(secret_key: str, challenge_id: str, code: str) -> str:
    # Keyed and salted by the challenge: a table dump cannot be brute-forced over the
    # 10^6 codes without the key, and equal codes of two challenges do not look equal.
    return keyed_digest(secret_key, "otp-code", challenge_id, code)


def _audit(
    member_id: int, challenge_id: str, action: str, now: datetime, **details: Any
) -> AuditEvent:
    return AuditEvent(
        at=now,
        actor=f"member:{member_id}",
        action=action,
        subject=f"otp:{challenge_id}"[:120],
        details=details,
    )


def issue(
    session: Session,
    member_id: int,
    operation: str,
    payload: Mapping[str, Any],
    *,
    secret_key: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    clock: Callable[[], datetime] = utcnow,
    purpose: str | None = None,
) -> IssuedOtp:
    """Create a challenge for ``operation`` and enqueue its SMS, in the caller's transaction.

    Any PENDING challenge of the same member and operation becomes VOID. The code is
    delivered once the caller commits and the dispatcher runs (or ``deliver_now``).

    Args:
        session: the caller's session; the caller commits.
        member_id: the member who must authorise.
        operation: a short name such as ``transfer.internal`` or ``credit.sign``.
        payload: what is authorised (amount as Decimal/cents, payee, document hashes…).
        secret_key: HMAC key; defaults to ``COOP_SECRET_KEY``.
        ttl: lifetime of the code (at most 10 minutes).
        clock: time source (tests).
        purpose: what the code authorises, in the member's words, for the SMS
            ("Transferencia de $12.34 a XXXX7341"); the operation's name when omitted.

    Raises:
        OtpNoMobile: the member has no mobile number on file.
        OtpThrottled: :data:`MAX_FAILURES_PER_HOUR` wrong codes in the last hour (a kind
            of ``OtpCannotSend``, as ``OtpNoMobile``: no code can be sent now).
        ValueError: unknown member, bad operation name or lifetime.
    """
    if not 0 < len(operation) <= 60:
        raise ValueError("operation names are 1-60 characters")
    if not timedelta(minutes=1) <= ttl <= MAX_TTL:
        raise ValueError("an OTP lives between 1 and 10 minutes")
    secret = secret_key or default_secret_key()
    digest = operation_digest(secret, operation, payload)
    # Locking the member serialises concurrent issues: one PENDING challenge per operation.
    member = session.get(Member, member_id, with_for_update=True)
    if member is None:
        raise ValueError(f"unknown member {member_id}")
    if not member.mobile:
        raise OtpNoMobile()
    now = clock()
    if _recent_failures(session, member_id, now) >= MAX_FAILURES_PER_HOUR:
        raise OtpThrottled()
    voided = _void_pending(session, member_id, operation)
    challenge_id = str(uuid4())
    code = pyotp.HOTP(pyotp.random_base32(), digits=CODE_DIGITS).at(0)
    session.add(
        OtpChallenge(
            id=challenge_id,
            member_id=member_id,
            operation=operation,
            digest=digest,
            code_digest=_code_digest(secret, challenge_id, code),
            status=OtpStatus.PENDING,
            failed_attempts=0,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    message = enqueue(
        session,
        key=f"otp:{challenge_id}",
        channel=Channel.SMS,
        recipient=member.mobile,
        template="otp",
        context={
            "code": code,
            "minutes": int(ttl.total_seconds() // 60),
            "purpose": purpose or OPERATION_PURPOSES.get(operation, ""),
        },
        sensitive=True,
        secret_key=secret,
        clock=clock,
    )
    session.add(
        _audit(
            member_id,
            challenge_id,
            "otp.issue",
            now,
            operation=operation,
            voided=voided,
            expires_at=(now + ttl).isoformat(),
        )
    )
    session.flush()
    return IssuedOtp(
        challenge_id, now + ttl, message.idempotency_key, mask_otp_mobile(member.mobile)
    )


def _recent_failures(session: Session, member_id: int, now: datetime) -> int:
    """Wrong codes typed by the member in the last hour, over all operations."""
    total = session.scalar(
        select(func.coalesce(func.sum(OtpChallenge.failed_attempts), 0)).where(
            OtpChallenge.member_id == member_id,
            OtpChallenge.created_at >= now - timedelta(hours=1),
        )
    )
    return int(total or 0)


def pending(
    session: Session,
    member_id: int,
    operation: str,
    payload: Mapping[str, Any],
    *,
    secret_key: str,
    now: datetime | None,
) -> OtpChallenge | None:
    """The PENDING challenge for exactly this operation and payload (an earlier attempt of a
    retried step), still valid at ``now`` (any age when ``now`` is None)."""
    digest = operation_digest(secret_key, operation, payload)
    query = select(OtpChallenge).where(
        OtpChallenge.member_id == member_id,
        OtpChallenge.operation == operation,
        OtpChallenge.digest == digest,
        OtpChallenge.status == OtpStatus.PENDING,
    )
    if now is not None:
        query = query.where(OtpChallenge.expires_at > now)
    return session.scalars(query).first()


def _void_pending(session: Session, member_id: int, operation: str) -> int:
    """Void the member's PENDING challenges for ``operation``; returns how many."""
    return _rows(
        session,
        update(OtpChallenge)
        .where(
            OtpChallenge.member_id == member_id,
            OtpChallenge.operation == operation,
            OtpChallenge.status == OtpStatus.PENDING,
        )
        .values(status=OtpStatus.VOID)
        .execution_options(synchronize_session="fetch"),
    )


def _rows(session: Session, statement: Update) -> int:
    """Rows matched by an UPDATE (``Session.execute`` is typed as a plain ``Result``)."""
    return cast("CursorResult[Any]", session.execute(statement)).rowcount


@contextmanager
def _own_transaction(session: Session) -> Iterator[Session]:
    """A short transaction on the caller's engine, committed whatever the caller does."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    with Session(engine) as side, side.begin():
        yield side


def _refuse(
    session: Session,
    challenge: OtpChallenge | None,
    audit: AuditEvent,
    error: OtpError,
    new_status: OtpStatus | None = None,
) -> OtpError:
    """Record a refusal durably and return the error for the caller to raise."""
    with _own_transaction(session) as side:
        if challenge is not None and new_status is not None:
            side.execute(
                update(OtpChallenge)
                .where(OtpChallenge.id == challenge.id, OtpChallenge.status == OtpStatus.PENDING)
                .values(status=new_status)
            )
        side.add(audit)
    if challenge is not None:
        session.expire(challenge)
    return error


def _count_wrong_code(session: Session, challenge_id: str, audit: AuditEvent) -> OtpError:
    """Add one failed attempt under a row lock; the 5th kills the challenge."""
    with _own_transaction(session) as side:
        fresh = side.get(OtpChallenge, challenge_id, with_for_update=True)
        if fresh is None or fresh.status is not OtpStatus.PENDING:
            # Consumed or killed by a concurrent request meanwhile.
            status = fresh.status if fresh is not None else OtpStatus.VOID
            error: OtpError = STATUS_ERRORS.get(status, OtpAlreadyUsed)()
        else:
            fresh.failed_attempts += 1
            remaining = MAX_FAILED_ATTEMPTS - fresh.failed_attempts
            if remaining <= 0:
                fresh.status = OtpStatus.FAILED
                error = OtpLocked()
            else:
                error = OtpInvalid(remaining)
            metrics.count("coop_otp_failures", operation=fresh.operation)
            audit.details = {**audit.details, "failed_attempts": fresh.failed_attempts}
        audit.details = {**audit.details, "outcome": error.code}
        side.add(audit)
    return error


def verify(
    session: Session,
    challenge_id: str,
    member_id: int,
    operation: str,
    payload: Mapping[str, Any],
    code: str,
    *,
    secret_key: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Accept ``code`` for exactly this operation and payload, once.

    On success the challenge is marked USED in the caller's session (the caller commits,
    atomically with the operation it authorises). On refusal the outcome is committed in a
    separate short transaction and the error raised; on SQLite call this before writing
    anything else in the caller's transaction (SQLite has a single writer).

    Raises:
        OtpNotFound: no such challenge for this member.
        OtpExpired: the code's 5 minutes are over.
        OtpMismatch: operation or payload differ from what was authorised (the challenge
            is voided: any change to the operation needs a new code).
        OtpInvalid: wrong code; ``remaining_attempts`` tells how many are left.
        OtpLocked: 5 wrong codes; the challenge is dead even for the right code.
        OtpAlreadyUsed: the code was already accepted once.
        OtpVoided: a newer challenge replaced this one.
    """
    secret = secret_key or default_secret_key()
    now = clock()
    challenge = session.get(OtpChallenge, challenge_id, populate_existing=True)
    audit = _audit(member_id, challenge_id, "otp.verify", now, operation=operation)
    if challenge is None or challenge.member_id != member_id:
        raise _refuse(session, None, _with_outcome(audit, OtpNotFound.code), OtpNotFound())
    if challenge.status is not OtpStatus.PENDING:
        error = STATUS_ERRORS[challenge.status]()
        raise _refuse(session, challenge, _with_outcome(audit, error.code), error)
    if now >= challenge.expires_at:
        _with_outcome(audit, OtpExpired.code)
        raise _refuse(session, challenge, audit, OtpExpired(), OtpStatus.EXPIRED)
    expected = operation_digest(secret, operation, payload)
    # Both comparisons always run: the time taken does not reveal which one failed.
    same_operation = same_digest(challenge.operation, operation)
    if not (same_digest(challenge.digest, expected) & same_operation):
        _with_outcome(audit, OtpMismatch.code)
        raise _refuse(session, challenge, audit, OtpMismatch(), OtpStatus.VOID)
    if not same_digest(challenge.code_digest, _code_digest(secret, challenge_id, str(code))):
        raise _count_wrong_code(session, challenge_id, audit)
    _consume(session, challenge, audit, now)


def _with_outcome(audit: AuditEvent, outcome: str) -> AuditEvent:
    audit.details = {**audit.details, "outcome": outcome}
    return audit


def _consume(session: Session, challenge: OtpChallenge, audit: AuditEvent, now: datetime) -> None:
    # A conditional UPDATE, not a read-then-write: of two concurrent right answers only one
    # matches "status = PENDING"; the other sees rowcount 0.
    consumed = _rows(
        session,
        update(OtpChallenge)
        .where(
            OtpChallenge.id == challenge.id,
            OtpChallenge.status == OtpStatus.PENDING,
            OtpChallenge.failed_attempts < MAX_FAILED_ATTEMPTS,
        )
        .values(status=OtpStatus.USED, used_at=now)
        .execution_options(synchronize_session=False),
    )
    session.expire(challenge)
    if consumed != 1:
        raise _refuse(
            session, challenge, _with_outcome(audit, OtpAlreadyUsed.code), OtpAlreadyUsed()
        )
    session.add(_with_outcome(audit, "OTP_ACEPTADO"))
    session.flush()

"""Enrollment in Cooprogreso en Línea: member lookup, usernames and credential issuance.

Functions here work inside the caller's session and never commit: the enrollment
activities (``activities/enrollment.py``) own the transactions. A member who already has a
user is *reset* rather than refused: proving the registered mobile (OTP) and receiving the
email at the registered address is the same proof as a first enrollment, so enrolling again
is how a member who forgot the username or password gets back in (see ``docs/temporal.md``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bank.access import otp
from bank.access.security import hash_password, temporary_password
from bank.core.errors import DomainError
from bank.models import (
    AuditEvent,
    Channel,
    IdentificationType,
    Member,
    OtpChallenge,
    OutboundMessage,
    Role,
    User,
    UserSession,
)
from bank.notifications import enqueue

OPERATION = "ENROLLMENT"
CODES_PER_HOUR = 3
REQUESTS_PER_ORIGIN_PER_HOUR = 20
"""Enrollments or recoveries started from one address in an hour (then 429, for anyone)."""
REQUESTED = "enrollment.requested"
RECOVERY_PURPOSE = "recuperar tu clave de Cooprogreso en Línea"
"""What the SMS code authorises when the member already has a user ("Recuperar clave")."""
"""At most this many enrollment codes per member per hour (no SMS bombing by restarts)."""
USERNAME_BASE_LENGTH = 16
CREDENTIALS_ACTION = "enrollment.credentials"


@dataclass(frozen=True)
class Eligibility:
    """Whether an identification may receive an enrollment code, and why not."""

    member_id: int | None
    reason: str | None
    """``None`` when eligible; else ``NOT_FOUND``, ``NO_CONTACT`` or ``THROTTLED``."""
    has_user: bool = False


@dataclass(frozen=True)
class IssuedCredentials:
    username: str
    reset: bool


class EnrollmentRefused(Exception):
    """A business reason not to issue credentials (never worth retrying)."""


def find_member(session: Session, kind: IdentificationType, identification: str) -> Member | None:
    """The member with this identification, or None."""
    return session.scalars(
        select(Member).where(
            Member.identification_type == kind, Member.identification == identification
        )
    ).first()


def eligibility(
    session: Session, kind: IdentificationType, identification: str, *, now: datetime
) -> Eligibility:
    """Decide whether an enrollment code may be sent for this identification."""
    member = find_member(session, kind, identification)
    if member is None:
        return Eligibility(None, "NOT_FOUND")
    if not member.mobile or not member.email:
        return Eligibility(member.id, "NO_CONTACT")
    recent = session.scalar(
        select(func.count())
        .select_from(OtpChallenge)
        .where(
            OtpChallenge.member_id == member.id,
            OtpChallenge.operation == OPERATION,
            OtpChallenge.created_at >= now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= CODES_PER_HOUR:
        return Eligibility(member.id, "THROTTLED")
    has_user = session.scalar(select(User.id).where(User.member_id == member.id)) is not None
    return Eligibility(member.id, None, has_user)


def username_base(member: Member) -> str:
    """First initial and first surname, ASCII lowercase: "María José Gómez Ruiz" → "mgomez"."""

    def ascii_letters(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z]", "", folded.lower())

    surname = (member.last_names.split() or ["socio"])[0]
    initial = ascii_letters(member.first_names)[:1]
    return (initial + ascii_letters(surname))[:USERNAME_BASE_LENGTH] or "socio"


def free_username(session: Session, member: Member) -> str:
    """The base followed by the smallest free two-digit (or longer) number: ``mgomez01``."""
    base = username_base(member)
    taken = set(session.scalars(select(User.username).where(User.username.like(f"{base}%"))))
    number = 1
    while f"{base}{number:02d}" in taken:
        number += 1
    return f"{base}{number:02d}"


def _already_issued(session: Session, key: str) -> IssuedCredentials | None:
    """The credentials a previous attempt of the same step issued (activity retries)."""
    queued = session.scalar(
        select(OutboundMessage.id).where(OutboundMessage.idempotency_key == key)
    )
    if queued is None:  # the common case, answered by the outbox's unique index
        return None
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == CREDENTIALS_ACTION, AuditEvent.subject == key)
    ).first()
    if event is None:
        return None
    return IssuedCredentials(str(event.details["username"]), bool(event.details["reset"]))


def _reset(session: Session, user: User, password_hash: str, now: datetime) -> None:
    """New temporary password; unlock; end every open session of the user."""
    user.password_hash = password_hash
    user.must_change_password = True
    user.failed_attempts = 0
    user.locked_at = None
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def greeting_name(member: Member) -> str:
    """The manual's salutation style: "SILVA/GABRIEL" (first surname / first name)."""
    surname = (member.last_names.split() or [""])[0]
    name = (member.first_names.split() or [""])[0]
    return f"{surname}/{name}".upper()


def _queue_email(
    session: Session,
    member: Member,
    credentials: tuple[str, str],
    key: str,
    *,
    now: datetime,
    secret_key: str | None,
    reset: bool = False,
) -> None:
    """The "temporary_password" email, sealed in the outbox (sent after the commit); a
    ``reset`` (the member had a user: a recovery) says so."""
    assert member.email is not None
    username, password = credentials
    enqueue(
        session,
        key=key,
        channel=Channel.EMAIL,
        recipient=member.email,
        template="temporary_password",
        context={
            "name": greeting_name(member),
            "username": username,
            "password": password,
            "at": now.isoformat(),
            "reset": reset,
        },
        sensitive=True,
        secret_key=secret_key,
    )


def _user_with_password(
    session: Session, member: Member, password_hash: str, now: datetime
) -> tuple[User, bool]:
    """The member's user with the new password: created, or reset (second value True).

    Raises:
        EnrollmentRefused: the login linked to the member is not a member's.
    """
    user = session.scalars(select(User).where(User.member_id == member.id)).first()
    if user is None:
        user = User(
            member_id=member.id,
            username=free_username(session, member),
            password_hash=password_hash,
            role=Role.MEMBER,
            must_change_password=True,
            created_at=now,
        )
        session.add(user)
        return user, False
    if user.role is not Role.MEMBER:
        raise EnrollmentRefused("NOT_A_MEMBER_USER")
    _reset(session, user, password_hash, now)
    return user, True


def issue_credentials(
    session: Session, member_id: int, key: str, *, now: datetime, secret_key: str | None = None
) -> IssuedCredentials:
    """Create the member's user (or reset it) and queue the email with a temporary password.

    Idempotent by ``key``: a second call returns what the first issued and sends nothing.
    The password exists in clear only in the sealed outbox body, never in the return value.

    Raises:
        EnrollmentRefused: unknown member, no email on file, or the user is an officer's.
    """
    done = _already_issued(session, key)
    if done is not None:
        return done
    member = session.get(Member, member_id, with_for_update=True)
    if member is None or not member.email:
        raise EnrollmentRefused("NO_MEMBER" if member is None else "NO_EMAIL")
    password = temporary_password()
    user, reset = _user_with_password(session, member, hash_password(password), now)
    credentials = (user.username, password)
    _queue_email(session, member, credentials, key, now=now, secret_key=secret_key, reset=reset)
    session.add(
        AuditEvent(
            at=now,
            actor=f"member:{member_id}",
            action=CREDENTIALS_ACTION,
            subject=key,
            details={"username": user.username, "reset": reset},
        )
    )
    session.flush()
    return IssuedCredentials(user.username, reset)


class TooManyRequests(DomainError):
    code = "DEMASIADAS_SOLICITUDES"
    status_code = 429
    default_message = (
        "Realizaste demasiadas solicitudes desde esta conexión. Inténtalo nuevamente en una hora."
    )


def count_request(session: Session, origin: str | None, now: datetime) -> None:
    """Count one enrollment or recovery from ``origin``; refuse beyond the hourly limit.

    The answer does not depend on the identification asked for, so it tells nothing about
    who is a member (the per-identification limit, :data:`CODES_PER_HOUR`, is the workflow's
    and just as silent).

    Raises:
        TooManyRequests: :data:`REQUESTS_PER_ORIGIN_PER_HOUR` reached for ``origin``.
    """
    subject = f"origin:{origin or 'desconocido'}"[:120]
    recent = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == REQUESTED,
            AuditEvent.subject == subject,
            AuditEvent.at >= now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= REQUESTS_PER_ORIGIN_PER_HOUR:
        raise TooManyRequests
    session.add(AuditEvent(at=now, actor="anonymous", action=REQUESTED, subject=subject))


def code_purpose(session: Session, member_id: int) -> str:
    """What the enrollment's SMS code is for: a member who already has a user is
    recovering the password ("Recuperar clave"), anyone else is registering."""
    has_user = session.scalar(select(User.id).where(User.member_id == member_id))
    return RECOVERY_PURPOSE if has_user else otp.OPERATION_PURPOSES[OPERATION]

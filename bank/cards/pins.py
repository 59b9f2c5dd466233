"""Card PINs (manual §1 "Tarjeta débito" and "Tarjeta de Crédito": Cambiar clave, Recuperar clave).

A PIN is never stored, logged or sent to Temporal in clear. It is reduced at the edge (the
API) to a keyed digest: HMAC-SHA256 under a subkey of ``COOP_SECRET_KEY`` with the card's
number digest as context, so the same PIN on two cards gives two digests and a database
without the key reveals nothing (10,000 PINs are trivial to try against a plain hash; not
against an unknown key). An HSM would compute the same thing behind the same two functions
(:func:`pin_digest`, :func:`same_pin`).

Rules (the manual's "Consejos de seguridad", enforced): four digits; not consecutive
(1234, 9876); no digit three times or more (1111, 1121); not the birth date (DDMM, MMDD,
YYYY). Three wrong previous PINs block PIN changes of the card until "Recuperar clave",
which emails a temporary PIN ("GENERACION DE CLAVE") that the member must change.

Functions take the caller's session; the caller commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bank.access.enrollment import greeting_name
from bank.access.security import keyed_digest, same_digest
from bank.core.errors import DomainError
from bank.core.masking import mask_email
from bank.models import AuditEvent, Card, CardKind, CardPin, CardStatus, Channel, Member
from bank.notifications.outbox import enqueue
from bank.notifications.spanish import attempts_left

PIN_LENGTH = 4
MAX_WRONG_PINS = 3
RECOVERIES_PER_DAY = 3
PIN_CONTEXT = "card-pin-v1"

CHANGED = "card_pin.changed"
RECOVERED = "card_pin.recovered"
CHECKED = "card_pin.previous_checked"


class PinRefused(DomainError):
    """A PIN change or recovery the member must be told about."""

    code = "CLAVE_RECHAZADA"
    default_message = "No pudimos cambiar la clave de tu tarjeta."


class PinInvalid(PinRefused):
    code = "CLAVE_INVALIDA"
    default_message = "La clave debe tener 4 dígitos."


class PinsDiffer(PinRefused):
    code = "CLAVES_NO_COINCIDEN"
    default_message = "La confirmación no coincide con la nueva clave."


class WrongPreviousPin(PinRefused):
    code = "CLAVE_ANTERIOR_INCORRECTA"
    default_message = "La clave anterior es incorrecta."


class PinBlocked(PinRefused):
    code = "CLAVE_BLOQUEADA"
    default_message = (
        "La clave de tu tarjeta está bloqueada por intentos fallidos. Usa «Recuperar clave» "
        "para recibir una clave temporal en tu correo electrónico."
    )


class NoPin(PinRefused):
    code = "TARJETA_SIN_CLAVE"
    default_message = (
        "Tu tarjeta aún no tiene clave. Usa «Recuperar clave» para recibir una clave temporal."
    )


class CardNotFound(PinRefused):
    code = "TARJETA_NO_ENCONTRADA"
    status_code = 404
    default_message = "No encontramos la tarjeta."


class CardNotUsable(PinRefused):
    code = "TARJETA_NO_ACTIVA"
    default_message = "Tu tarjeta no está activa. Comunícate con nuestro Call Center."


class TooManyRecoveries(PinRefused):
    code = "DEMASIADAS_SOLICITUDES"
    default_message = (
        "Ya solicitaste varias claves temporales hoy. Inténtalo nuevamente mañana o comunícate "
        "con nuestro Call Center."
    )


class NoEmail(PinRefused):
    code = "SIN_CORREO_REGISTRADO"
    default_message = (
        "No tienes un correo electrónico registrado. Acércate a una agencia para actualizarlo."
    )


# ---- the rules --------------------------------------------------------------------------


def pin_problem(pin: str, birth_date: date | None) -> str | None:
    """Why ``pin`` may not be a card's PIN (a Spanish sentence), or None when it may."""
    if len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
        return PinInvalid.default_message
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in pairwise(digits)}
    if steps in ({1}, {-1}):
        return "Evita utilizar dígitos consecutivos (por ejemplo 1234 o 9876)."
    if max(pin.count(c) for c in pin) >= 3:
        return "Evita utilizar dígitos repetidos (por ejemplo 1111)."
    if birth_date is not None and pin in birth_forms(birth_date):
        return "Evita utilizar tu fecha de nacimiento."
    return None


def birth_forms(day: date) -> frozenset[str]:
    """The birth date as a PIN could spell it: DDMM, MMDD and YYYY."""
    return frozenset({f"{day:%d%m}", f"{day:%m%d}", f"{day:%Y}"})


def check_new_pin(new_pin: str, confirmation: str, previous_pin: str, birth: date | None) -> None:
    """The form's checks, in clear, before anything is hashed or sent.

    Raises:
        PinInvalid: the new PIN breaks a rule or equals the previous one.
        PinsDiffer: the confirmation is not the new PIN.
    """
    problem = pin_problem(new_pin, birth)
    if problem:
        raise PinInvalid(problem)
    if confirmation != new_pin:
        raise PinsDiffer
    if new_pin == previous_pin:
        raise PinInvalid("La nueva clave debe ser distinta de la anterior.")


def pin_digest(secret_key: str, card: Card, pin: str) -> str:
    """The keyed digest of ``pin`` on ``card`` (the only form a PIN is kept or passed in)."""
    return keyed_digest(secret_key, PIN_CONTEXT, card.pan_digest, pin)


def same_pin(a: str, b: str) -> bool:
    """Constant-time comparison of two PIN digests."""
    return same_digest(a, b)


# ---- the card's PIN ----------------------------------------------------------------------


@dataclass(frozen=True)
class PinStatus:
    """What the member sees of a card's PIN."""

    state: str
    """``ACTIVA``, ``TEMPORAL`` (must be changed), ``BLOQUEADA`` or ``SIN_CLAVE``."""
    attempts_left: int


def status_of(row: CardPin | None) -> PinStatus:
    """The member-facing state of a PIN row."""
    if row is None:
        return PinStatus("SIN_CLAVE", 0)
    if row.blocked_at is not None:
        return PinStatus("BLOQUEADA", 0)
    left = MAX_WRONG_PINS - row.failed_attempts
    return PinStatus("TEMPORAL" if row.temporary else "ACTIVA", left)


def owned_card(session: Session, member_id: int, card_id: int) -> Card:
    """The member's active card (another member's card is "not found" alike).

    Raises:
        CardNotFound: unknown, or another member's.
        CardNotUsable: not active.
    """
    card = session.get(Card, card_id)
    if card is None or card.member_id != member_id:
        raise CardNotFound
    if card.status is not CardStatus.ACTIVA:
        raise CardNotUsable
    return card


@dataclass(frozen=True)
class PreviousCheck:
    """The outcome of checking the previous PIN (recorded, so a retry answers the same)."""

    ok: bool
    attempts_left: int
    code: str | None = None
    message: str | None = None


def check_previous(
    session: Session, key: str, card: Card, previous_digest: str, now: datetime
) -> PreviousCheck:
    """Compare the previous PIN, counting a wrong one; idempotent by ``key``.

    The third wrong PIN blocks changes until a recovery. The outcome is written to the audit
    trail under ``key`` in the same transaction, so a retried activity neither counts twice
    nor answers differently.
    """
    done = session.scalars(
        select(AuditEvent).where(AuditEvent.action == CHECKED, AuditEvent.subject == key)
    ).first()
    if done is not None:
        return PreviousCheck(**done.details)
    row = session.get(CardPin, card.id, with_for_update=True)
    outcome = _compare(row, previous_digest, now)
    session.add(
        AuditEvent(
            at=now,
            actor=f"member:{card.member_id}",
            action=CHECKED,
            subject=key,
            details={
                "ok": outcome.ok,
                "attempts_left": outcome.attempts_left,
                "code": outcome.code,
                "message": outcome.message,
            },
        )
    )
    return outcome


def _compare(row: CardPin | None, previous_digest: str, now: datetime) -> PreviousCheck:
    if row is None:
        return PreviousCheck(False, 0, NoPin.code, NoPin.default_message)
    if row.blocked_at is not None:
        return PreviousCheck(False, 0, PinBlocked.code, PinBlocked.default_message)
    if same_pin(row.pin_digest, previous_digest):
        return PreviousCheck(True, MAX_WRONG_PINS - row.failed_attempts)
    row.failed_attempts += 1
    left = MAX_WRONG_PINS - row.failed_attempts
    if left <= 0:
        row.blocked_at = now
        return PreviousCheck(False, 0, PinBlocked.code, PinBlocked.default_message)
    message = f"{WrongPreviousPin.default_message} {attempts_left(left)}"
    return PreviousCheck(False, left, WrongPreviousPin.code, message)


def change(session: Session, key: str, card: Card, new_digest: str, now: datetime) -> bool:
    """Set the new PIN (no longer temporary); idempotent by ``key``.

    Returns:
        True when this call changed it, False when ``key`` had already changed it.
    Raises:
        PinBlocked: blocked meanwhile (another change's wrong tries).
    """
    if _done(session, CHANGED, key):
        return False
    row = session.get(CardPin, card.id, with_for_update=True)
    if row is None:
        raise NoPin
    if row.blocked_at is not None:
        raise PinBlocked
    row.pin_digest, row.temporary, row.failed_attempts, row.changed_at = new_digest, False, 0, now
    session.add(AuditEvent(at=now, actor=f"member:{card.member_id}", action=CHANGED, subject=key))
    return True


def recover(
    session: Session,
    card: Card,
    member: Member,
    secret_key: str,
    now: datetime,
    *,
    new_pin: Callable[[date | None], str] | None = None,
) -> str:
    """A temporary PIN, emailed in the manual's "GENERACION DE CLAVE" letter; unblocks.

    The PIN exists in clear only in this call and in the sealed outbox row (redacted once
    delivered). Returns the masked email it was sent to.

    Raises:
        NoEmail: the member has no email on file.
        TooManyRecoveries: more than :data:`RECOVERIES_PER_DAY` for the card in 24 hours.
    """
    if not member.email:
        raise NoEmail
    since = now - timedelta(days=1)
    recent = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == RECOVERED,
            AuditEvent.subject == f"card:{card.id}",
            AuditEvent.at >= since,
        )
    )
    if (recent or 0) >= RECOVERIES_PER_DAY:
        raise TooManyRecoveries
    pin = (new_pin or temporary_pin)(member.birth_date)
    digest = pin_digest(secret_key, card, pin)
    row = session.get(CardPin, card.id, with_for_update=True)
    if row is None:
        row = CardPin(card_id=card.id, pin_digest=digest)
        session.add(row)
    row.pin_digest, row.temporary, row.failed_attempts = digest, True, 0
    row.blocked_at, row.changed_at = None, now
    event = AuditEvent(
        at=now, actor=f"member:{member.id}", action=RECOVERED, subject=f"card:{card.id}"
    )
    session.add(event)
    session.flush()
    enqueue(
        session,
        key=f"card-pin:{card.id}:{event.id}",
        channel=Channel.EMAIL,
        recipient=member.email,
        template="card_pin_reset",
        context={
            "name": greeting_name(member),
            "card_number": card.masked_number,
            "card_type": "DEBITO" if card.kind is CardKind.DEBIT else "CREDITO",
            "pin": pin,
            "at": now.isoformat(),
        },
        sensitive=True,
        secret_key=secret_key,
    )
    return mask_email(member.email) or ""


def temporary_pin(birth_date: date | None) -> str:
    """A random PIN that follows the rules (so the member may keep using it until changed)."""
    while True:
        pin = f"{secrets.randbelow(10**PIN_LENGTH):0{PIN_LENGTH}d}"
        if pin_problem(pin, birth_date) is None:
            return pin


def set_initial(session: Session, secret_key: str, card: Card, pin: str) -> None:
    """A card's first PIN (the demo data; a card factory would do the same)."""
    session.add(CardPin(card_id=card.id, pin_digest=pin_digest(secret_key, card, pin)))


def already_changed(session: Session, key: str) -> bool:
    """True when the change keyed ``key`` already set the PIN (a retried activity)."""
    return _done(session, CHANGED, key)


def _done(session: Session, action: str, key: str) -> bool:
    found = session.scalars(
        select(AuditEvent.id).where(AuditEvent.action == action, AuditEvent.subject == key)
    ).first()
    return found is not None

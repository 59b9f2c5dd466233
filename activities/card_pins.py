"""The activities of a card PIN change (``workflows.card_pin``); each is one transaction.

``prepare`` checks the previous PIN's digest (idempotent by the workflow ID: a retry neither
counts a wrong PIN twice nor sends a second code) and sends the OTP; ``change`` verifies the
code and sets the new digest atomically (a retry after the commit answers "changed").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.delivery import Deliver, deliver_now
from bank.access import otp
from bank.cards import pins
from bank.core.db import transaction
from bank.models import utcnow
from workflows.card_pin.contract import (
    CHANGE,
    PREPARE,
    REFUSED,
    Changed,
    ChangeInput,
    Prepared,
    PrepareInput,
    Refusal,
)

OTP_OPERATION = "card_pin.change"


def _refused(error: pins.PinRefused | otp.OtpError) -> ApplicationError:
    return ApplicationError(
        error.message, error.code, error.message, type=REFUSED, non_retryable=True
    )


def otp_payload(request: PrepareInput | ChangeInput) -> dict[str, object]:
    """What the code is bound to: this change of this card to this new PIN."""
    return {
        "change": request.change_key,
        "card": request.card_id,
        "pin": request.new_digest,
    }


class CardPinActivities:
    """Constructed once in ``workers/``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        secret_key: str,
        deliver: Deliver | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Hold the session factory, the OTP key and the outbox's deliver."""
        self.sessions = sessions
        self.secret_key = secret_key
        self.deliver = deliver
        self.clock = clock

    def all(self) -> list[Callable[..., object]]:
        """Every activity, for the worker."""
        return [self.prepare, self.change]

    @activity.defn(name=PREPARE)
    def prepare(self, request: PrepareInput) -> Prepared:
        """Check the previous PIN; when right, send the OTP bound to the new one."""
        with transaction(self.sessions) as session:
            try:
                card = pins.owned_card(session, request.member_id, request.card_id)
            except pins.PinRefused as refusal:
                raise _refused(refusal) from refusal
            checked = pins.check_previous(
                session, request.change_key, card, request.previous_digest, self.clock()
            )
            if not checked.ok:
                assert checked.code and checked.message
                return Prepared(
                    False,
                    attempts_left=checked.attempts_left,
                    refusal=Refusal(checked.code, checked.message),
                )
            pending = otp.pending(
                session,
                request.member_id,
                OTP_OPERATION,
                otp_payload(request),
                secret_key=self.secret_key,
                now=self.clock(),
            )
            if pending is not None:  # a retry of this step: the same code, no second SMS
                return Prepared(True, pending.id, "", pending.expires_at, checked.attempts_left)
            try:
                issued = otp.issue(
                    session,
                    request.member_id,
                    OTP_OPERATION,
                    otp_payload(request),
                    secret_key=self.secret_key,
                    clock=self.clock,
                    purpose=f"cambiar la clave de tu tarjeta XXXX{card.masked_number[-4:]}",
                )
            except otp.OtpCannotSend as exc:
                raise _refused(exc) from exc
        deliver_now(self.deliver, issued.message_key)
        return Prepared(
            True, issued.challenge_id, issued.sent_to, issued.expires_at, checked.attempts_left
        )

    @activity.defn(name=CHANGE)
    def change(self, request: ChangeInput) -> Changed:
        """Verify the code and set the new PIN, atomically; a retry returns the first result."""
        with transaction(self.sessions) as session:
            if pins.already_changed(session, request.change_key):
                return Changed(True)
            try:
                otp.verify(
                    session,
                    request.challenge_id,
                    request.member_id,
                    OTP_OPERATION,
                    otp_payload(request),
                    request.code,
                    secret_key=self.secret_key,
                    clock=self.clock,
                )
            except otp.OtpInvalid as wrong:
                return Changed(False, attempts_left=wrong.remaining_attempts)
            except otp.OtpError as dead:
                return Changed(False, refusal=Refusal(dead.code, dead.message), locked=True)
            try:
                card = pins.owned_card(session, request.member_id, request.card_id)
                pins.change(session, request.change_key, card, request.new_digest, self.clock())
            except pins.PinRefused as refusal:
                return Changed(False, refusal=Refusal(refusal.code, refusal.message))
        return Changed(True)

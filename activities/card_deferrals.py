"""The activities of a purchase's deferral (``workflows.card_deferral``); each one transaction.

``prepare`` simulates the deferral again (the purchase may have been deferred or paid since
the member's simulation) and sends the OTP bound to purchase, amount and term — a retry
finds the pending code and sends no second SMS; ``defer`` verifies the code and writes the
deferral under the card's lock, atomically (a retry after the commit answers "deferred").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.delivery import Deliver, deliver_now
from bank.access import otp
from bank.cards import books, deferrals
from bank.cards.config import CardRules
from bank.cards.errors import CardRefused
from bank.core.db import transaction
from bank.core.errors import DomainError
from bank.core.money import format_usd
from bank.credit.deadline import local_date
from bank.models import Card, CardDeferral, utcnow
from workflows.card_deferral.contract import (
    DEFER,
    PREPARE,
    REFUSED,
    Deferred,
    Prepared,
    Refusal,
    StepInput,
)

OTP_OPERATION = "card.deferral"
log = logging.getLogger(__name__)


def _refused(error: DomainError) -> ApplicationError:
    return ApplicationError(
        error.message, error.code, error.message, type=REFUSED, non_retryable=True
    )


def otp_payload(request: StepInput) -> dict[str, object]:
    """What the code is bound to: this journey, this purchase, this amount and this term."""
    return {
        "deferral": request.deferral_key,
        "card": request.card_id,
        "purchase": request.purchase_id,
        "amount": request.amount_cents,
        "term": request.term_months,
    }


class CardDeferralActivities:
    """Constructed once in ``workers/``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        rules: CardRules,
        secret_key: str,
        deliver: Deliver | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Hold the session factory, the card rules, the OTP key and the outbox's deliver."""
        self.sessions = sessions
        self.rules = rules
        self.secret_key = secret_key
        self.deliver = deliver
        self.clock = clock

    def all(self) -> list[Callable[..., object]]:
        """Every activity, for the worker."""
        return [self.prepare, self.defer]

    @activity.defn(name=PREPARE)
    def prepare(self, request: StepInput) -> Prepared:
        """Check the deferral still stands; send the OTP that names it."""
        now = self.clock()
        with transaction(self.sessions) as session:
            try:
                card = books.credit_card(session, request.member_id, request.card_id)
                plan = self._simulate(session, card, request, now)
            except CardRefused as refusal:
                return Prepared(False, refusal=Refusal(refusal.code, refusal.message))
            except DomainError as refusal:  # the rate ceiling
                raise _refused(refusal) from refusal
            payload = otp_payload(request)
            pending = otp.pending(
                session,
                request.member_id,
                OTP_OPERATION,
                payload,
                secret_key=self.secret_key,
                now=now,
            )
            if pending is not None:  # a retry of this step: the same code, no second SMS
                return Prepared(True, pending.id, "", pending.expires_at, plan.installment_cents)
            purpose = (
                f"diferir {format_usd(plan.amount_cents)} de {plan.merchant} a "
                f"{plan.term_months} meses en tu tarjeta XXXX{card.masked_number[-4:]}"
            )
            try:
                issued = otp.issue(
                    session,
                    request.member_id,
                    OTP_OPERATION,
                    payload,
                    secret_key=self.secret_key,
                    clock=self.clock,
                    purpose=purpose,
                )
            except otp.OtpCannotSend as exc:
                raise _refused(exc) from exc
        deliver_now(self.deliver, issued.message_key)
        log.info(
            "deferral code sent for purchase %d (%d months)", plan.purchase_id, plan.term_months
        )
        return Prepared(
            True, issued.challenge_id, issued.sent_to, issued.expires_at, plan.installment_cents
        )

    @activity.defn(name=DEFER)
    def defer(self, request: StepInput) -> Deferred:
        """Verify the code and write the deferral, atomically; a retry returns the first one."""
        now = self.clock()
        with transaction(self.sessions) as session:
            done = session.scalar(
                select(CardDeferral.id).where(CardDeferral.key == request.deferral_key)
            )
            if done is not None:
                return Deferred(True, deferral_id=done)
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
                return Deferred(False, attempts_left=wrong.remaining_attempts)
            except otp.OtpError as dead:
                return Deferred(False, refusal=Refusal(dead.code, dead.message), locked=True)
            try:
                card = books.credit_card(session, request.member_id, request.card_id, lock=True)
                plan = self._simulate(session, card, request, now)
                deferral = deferrals.defer(session, card, request.deferral_key, plan, now)
            except DomainError as refusal:  # checked before anything is written
                return Deferred(False, refusal=Refusal(refusal.code, refusal.message))
            log.info("purchase %d deferred: deferral %d", plan.purchase_id, deferral.id)
            return Deferred(True, deferral_id=deferral.id)

    def _simulate(
        self, session: Session, card: Card, request: StepInput, now: datetime
    ) -> deferrals.DeferralPlan:
        return deferrals.simulate(
            session,
            card,
            request.purchase_id,
            request.amount_cents,
            request.term_months,
            self.rules,
            local_date(now),
        )

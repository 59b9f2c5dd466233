"""Activities of a money movement: preview + OTP, the posting, the SPI / biller saga.

Each activity is one transaction and safe to retry: the posting is found again by the
workflow ID (``money_movements.workflow_id`` and the ledger's idempotency key), the SPI
and the biller are idempotent by the same ID, settle and reverse are no-ops the second
time, and emails are keyed in the outbox.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.delivery import deliver_now
from bank.access import otp
from bank.adapters.biller_types import BillerNetwork, BillerPayment, PaymentState
from bank.adapters.spi_types import SpiNetwork, SpiOrder
from bank.core.db import transaction
from bank.core.errors import DomainError
from bank.core.masking import mask_account
from bank.core.money import from_cents
from bank.models import (
    COOPROGRESO_INSTITUTION,
    BeneficiaryService,
    Channel,
    Member,
    utcnow,
)
from bank.notifications.outbox import enqueue
from bank.payments import execute as core
from bank.payments.beneficiaries import BeneficiaryData, save_beneficiary
from bank.payments.config import PaymentRules
from bank.payments.errors import MovementRefused
from bank.payments.orders import SPI_KINDS, MovementKind
from bank.payments.prepare import build_preview
from workflows.movement.contract import (
    BILLER_PAY,
    EXECUTE,
    PREPARE,
    REFUSED,
    REVERSE,
    SETTLE,
    SPI_STATUS,
    SPI_SUBMIT,
    Executed,
    ExecuteInput,
    MovementInput,
    Prepared,
    Refusal,
    ReverseInput,
    SettlementInput,
    SpiAnswer,
)

log = logging.getLogger(__name__)

Deliver = Callable[[str], object]


def otp_operation(movement_id: str) -> str:
    """One OTP operation per movement: a new code voids only this movement's older code."""
    return "mov." + hashlib.sha256(movement_id.encode()).hexdigest()[:32]


NETWORK_DOWN = "SERVICIO_NO_DISPONIBLE"
"""The refusal code of a preview whose company network (billers) did not answer."""
NETWORK_BLIP = "ProviderUnavailable"
"""ApplicationError type of that case raised by ``prepare``: retried (the preview's QUICK
policy), so a blip is ridden out before the member is told anything."""


def _refused(error: MovementRefused) -> ApplicationError:
    if error.code == NETWORK_DOWN:
        # Not a refusal: the other side did not answer. A non-retryable refusal here closed
        # the movement REJECTED at the first blip, and the portal's retry with the same
        # Idempotency-Key kept getting that answer after the network was back.
        return ApplicationError(error.message, error.code, error.message, type=NETWORK_BLIP)
    return ApplicationError(
        error.message, error.code, error.message, type=REFUSED, non_retryable=True
    )


def spi_order(request: SettlementInput) -> SpiOrder:
    """The clearing order of a movement (its ID is the workflow's)."""
    d = request.preview.destination
    assert request.submitted_at is not None
    return SpiOrder(
        order_id=request.movement_id,
        institution_code=d.institution_code,
        account_number=d.account_number,
        account_type=d.account_type,
        beneficiary_name=d.name,
        beneficiary_identification=d.identification,
        amount_cents=request.preview.amount_cents,
        reference=request.preview.reference,
        submitted_at=request.submitted_at,
    )


class MovementActivities:
    """Constructed once in ``workers/`` with the adapters and the fee/limit rules."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        rules: PaymentRules,
        spi: SpiNetwork,
        billers: BillerNetwork,
        secret_key: str,
        deliver: Deliver | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Hold the session factory, adapters, rules, OTP key and the outbox's deliver."""
        self.sessions = sessions
        self.rules = rules
        self.spi = spi
        self.billers = billers
        self.secret_key = secret_key
        self.deliver = deliver
        self.clock = clock

    @activity.defn(name=PREPARE)
    def prepare(self, request: MovementInput) -> Prepared:
        """Build the preview and send the OTP bound to it (refusals are not retried)."""
        movement_id = activity.info().workflow_id or ""
        with transaction(self.sessions) as session:
            try:
                preview = build_preview(
                    session, request.order, self.rules, self.billers, self.clock()
                )
                issued = otp.issue(
                    session,
                    request.order.member_id,
                    otp_operation(movement_id),
                    preview.otp_payload(movement_id),
                    secret_key=self.secret_key,
                    clock=self.clock,
                    purpose=preview.otp_purpose(),
                )
            except MovementRefused as refusal:
                raise _refused(refusal) from refusal
            except otp.OtpCannotSend as exc:
                raise ApplicationError(
                    exc.message, exc.code, exc.message, type=REFUSED, non_retryable=True
                ) from exc
        deliver_now(self.deliver, issued.message_key)
        return Prepared(preview, issued.challenge_id, issued.sent_to, issued.expires_at)

    @activity.defn(name=EXECUTE)
    def execute(self, request: ExecuteInput) -> Executed:
        """Check the code and move the money, atomically; a retry returns the first result."""
        preview = request.preview
        try:
            with transaction(self.sessions) as session:
                found = core.find_movement(session, request.movement_id)
                if found is not None:
                    return Executed(True, found.entry_id, found.id)
                try:
                    otp.verify(
                        session,
                        request.challenge_id,
                        preview.member_id,
                        otp_operation(request.movement_id),
                        preview.otp_payload(request.movement_id),
                        request.code,
                        secret_key=self.secret_key,
                        clock=self.clock,
                    )
                except otp.OtpInvalid as wrong:
                    return Executed(False, attempts_left=wrong.remaining_attempts)
                except otp.OtpError as dead:
                    return Executed(False, refusal=Refusal(dead.code, dead.message), locked=True)
                moved = core.move(session, request.movement_id, preview, self.rules, self.clock())
                if request.new_beneficiary is not None and request.new_beneficiary.save:
                    _save_beneficiary(session, preview.member_id, request)
        except MovementRefused as refusal:
            return Executed(False, refusal=Refusal(refusal.code, refusal.message))
        return Executed(True, moved.entry_id, moved.movement_row_id)

    @activity.defn(name=SPI_SUBMIT)
    def spi_submit(self, request: SettlementInput) -> SpiAnswer:
        """Send the credit order to the clearing (idempotent by the movement's ID)."""
        ack = self.spi.submit(spi_order(request))
        return SpiAnswer("PENDING", ack.settles_at)

    @activity.defn(name=SPI_STATUS)
    def spi_status(self, request: SettlementInput) -> SpiAnswer:
        """Ask the clearing how the order ended (as of the workflow's clock)."""
        order = spi_order(request)
        as_of = request.as_of or self.clock()
        status = self.spi.status(order, as_of)
        settles_at = status.settled_at or as_of
        return SpiAnswer(str(status.state), settles_at, status.reason)

    @activity.defn(name=BILLER_PAY)
    def biller_pay(self, request: SettlementInput) -> SpiAnswer:
        """Tell the biller what was collected (idempotent by the movement's ID)."""
        d = request.preview.destination
        ack = self.billers.pay(
            BillerPayment(
                payment_reference=request.movement_id,
                company_code=d.company_code,
                reference=d.supply_number,
                receipts=tuple(r.number for r in d.receipts),
                amount_cents=request.preview.amount_cents,
            )
        )
        state = "CREDITED" if ack.state is PaymentState.ACCEPTED else "REJECTED"
        return SpiAnswer(state, self.clock(), ack.reason)

    @activity.defn(name=SETTLE)
    def settle(self, request: SettlementInput) -> None:
        """The receiving side accepted: mark the movement complete."""
        with transaction(self.sessions) as session:
            core.settle(session, request.movement_id, self.clock())

    @activity.defn(name=REVERSE)
    def reverse(self, request: ReverseInput) -> None:
        """Credit everything back and tell the member why, in one transaction."""
        message_key = None
        with transaction(self.sessions) as session:
            now = self.clock()
            _, reversed_now = core.reverse(
                session, request.movement_id, request.preview, request.reason_code, now
            )
            if reversed_now:
                message_key = _notify_reversal(session, request, now)
        if message_key:
            deliver_now(self.deliver, message_key)

    def all(self) -> list[Callable[..., Any]]:
        """Every activity of a movement, for the worker."""
        return [
            self.prepare,
            self.execute,
            self.spi_submit,
            self.spi_status,
            self.biller_pay,
            self.settle,
            self.reverse,
        ]


def _notify_reversal(session: Session, request: ReverseInput, now: datetime) -> str | None:
    """Tell the member why the money came back: the clearing's or the company's refusal."""
    preview, d = request.preview, request.preview.destination
    amount = str(from_cents(preview.amount_cents))
    if preview.kind in SPI_KINDS:
        return _email_member(
            session,
            request,
            now,
            "rejected",
            "transfer_rejected",
            {
                "amount": amount,
                "beneficiary": d.name,
                "account": d.account_masked,
                "institution": d.institution_name,
                "reason": request.reason,
                "refunded": True,
            },
        )
    if preview.kind is MovementKind.SERVICE_PAYMENT:
        return _email_member(
            session,
            request,
            now,
            "bill-refused",
            "service_payment_reversed",
            {
                "service": d.company_name,
                "reference": d.supply_number,
                "amount": amount,
                "account": mask_account(preview.origin_account_number),
                "reason": request.reason,
            },
        )
    return None


def _email_member(
    session: Session,
    request: ReverseInput,
    now: datetime,
    suffix: str,
    template: str,
    context: dict[str, object],
) -> str | None:
    """Queue ``template`` to the movement's member (keyed ``<movement>:<suffix>``)."""
    member = session.get(Member, request.preview.member_id)
    if member is None or not member.email:
        return None
    key = f"{request.movement_id}:{suffix}"
    enqueue(
        session,
        key=key,
        channel=Channel.EMAIL,
        recipient=member.email,
        template=template,
        context={"name": member.full_name, **context, "at": now.isoformat()},
        clock=lambda: now,
    )
    return key


def _save_beneficiary(session: Session, member_id: int, request: ExecuteInput) -> None:
    """Keep the payee the member typed in (an identical one is reused).

    A payee that cannot be saved (say, the same account saved meanwhile under another
    name) never stops the transfer: the savepoint is rolled back and the money moves.
    """
    new = request.new_beneficiary
    assert new is not None
    interbank = request.preview.kind is MovementKind.INTERBANK_TRANSFER
    data = BeneficiaryData(
        service=BeneficiaryService.INTERBANCARIA if interbank else BeneficiaryService.COOPROGRESO,
        name=new.name,
        identification_type=new.identification_type,
        identification=new.identification,
        account_number=new.account_number,
        institution_code=new.institution_code if interbank else COOPROGRESO_INSTITUTION,
        account_type=new.account_type,
    )
    try:
        with session.begin_nested():
            save_beneficiary(session, member_id, data)
    except DomainError as exc:
        log.info("beneficiary of %s not saved: %s", request.movement_id, exc.code)

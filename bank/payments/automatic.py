"""One run of a scheduled bill payment ("Pagos Programados"), in the caller's transaction.

Look up the pending bill; no bill, a bill above the authorised maximum or too little money
are recorded in the payment history (the member is emailed for the last two, as the manual
promises); otherwise the bill is paid by the same :func:`bank.payments.execute.move` as a
manual payment, keyed on the run and guarded by ``paid_bills``: a receipt paid by hand,
by another run or by a retry is never paid again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bank.adapters.biller_catalog import COMPANY_BY_CODE
from bank.adapters.biller_types import BillerNetwork, BillerUnavailable, LookupState
from bank.core import metrics
from bank.core.masking import mask_account
from bank.core.money import from_cents, iva_cents
from bank.models import (
    Account,
    Channel,
    Member,
    PaidBill,
    PaymentOutcome,
    PaymentSchedule,
    ScheduleStatus,
    ServicePaymentRecord,
)
from bank.notifications.outbox import enqueue
from bank.payments.config import PaymentRules
from bank.payments.errors import MovementRefused
from bank.payments.execute import move, record_service_payment
from bank.payments.orders import Destination, MovementKind, Preview, ReceiptLine

_EMAIL_REASONS = {
    PaymentOutcome.SUPERA_MONTO_MAXIMO: "amount_over_limit",
    PaymentOutcome.FONDOS_INSUFICIENTES: "insufficient_funds",
}


@dataclass(frozen=True)
class RunResult:
    outcome: PaymentOutcome
    preview: Preview | None
    """Set when the bill was paid (the biller must then be told)."""
    message_key: str | None = None
    """An email to hand to the dispatcher after the commit."""


def run_scheduled_payment(
    session: Session,
    schedule_id: int,
    run_key: str,
    rules: PaymentRules,
    billers: BillerNetwork,
    now: datetime,
) -> RunResult:
    """Make (or decline) one run; a second call with the same ``run_key`` returns the first."""
    done = session.scalar(select(ServicePaymentRecord).where(ServicePaymentRecord.key == run_key))
    schedule = session.get(PaymentSchedule, schedule_id)
    if schedule is None:
        raise LookupError(f"unknown scheduled payment {schedule_id}")
    if done is not None:
        return RunResult(done.outcome, _paid_before(session, schedule, done, rules))
    account = session.get(Account, schedule.account_id)
    assert account is not None
    preview = _preview(schedule, account, (), rules)
    if schedule.status is not ScheduleStatus.ACTIVO:
        return RunResult(PaymentOutcome.SIN_FACTURA, None)  # paused or cancelled meanwhile
    try:
        found = billers.lookup(schedule.company_code, schedule.supply_number)
    except BillerUnavailable:
        raise  # retried by the activity; the run is recorded once it is decided
    claimed = set(
        session.scalars(
            select(PaidBill.receipt_number).where(
                PaidBill.company_code == schedule.company_code,
                PaidBill.receipt_number.in_([r.number for r in found.receipts]),
            )
        )
    )
    pending = [r for r in found.receipts if r.number not in claimed]
    if found.state is not LookupState.FOUND or not pending:
        record_service_payment(
            session, run_key, preview, PaymentOutcome.SIN_FACTURA, now, schedule_id=schedule.id
        )
        return RunResult(PaymentOutcome.SIN_FACTURA, None)
    preview = _preview(schedule, account, tuple(pending), rules)
    if preview.amount_cents > schedule.max_amount_cents:
        metrics.count("coop_scheduled_payments_skipped", reason="SUPERA_MONTO_MAXIMO")
        return _declined(
            session, schedule, run_key, preview, PaymentOutcome.SUPERA_MONTO_MAXIMO, now
        )
    try:
        with session.begin_nested():
            move(session, run_key, preview, rules, now, automatic_schedule_id=schedule.id)
    except MovementRefused as refused:
        outcome = (
            PaymentOutcome.YA_PAGADO
            if refused.code == "FACTURA_YA_PAGADA"
            else PaymentOutcome.FONDOS_INSUFICIENTES
        )
        return _declined(session, schedule, run_key, preview, outcome, now)
    return RunResult(PaymentOutcome.PAGADO, preview)


def _paid_before(
    session: Session, schedule: PaymentSchedule, done: ServicePaymentRecord, rules: PaymentRules
) -> Preview | None:
    """The preview of a run that paid before its worker was lost, so the biller is told.

    The run's next steps (tell the biller, settle) may never have happened: a worker killed
    right after this transaction committed leaves only the record. They are idempotent by
    the run's key, so the run does them again. Rebuilt from the bills the run claimed, with
    the amounts it charged (the period is not kept, and only the receipt numbers reach the
    biller).
    """
    if done.outcome is not PaymentOutcome.PAGADO:
        return None
    account = session.get(Account, done.account_id)
    assert account is not None
    bills = session.scalars(
        select(PaidBill).where(PaidBill.workflow_id == done.key).order_by(PaidBill.id)
    )
    receipts = tuple(_Claimed(bill.receipt_number, bill.amount_cents) for bill in bills)
    preview = _preview(schedule, account, receipts, rules)
    return replace(
        preview,
        amount_cents=done.amount_cents,
        fee_cents=done.fee_cents,
        iva_cents=done.iva_cents,
    )


@dataclass(frozen=True)
class _Claimed:
    """A receipt as the run claimed it (``paid_bills``)."""

    number: str
    amount_cents: int
    period: str = ""


def _preview(
    schedule: PaymentSchedule,
    account: Account,
    receipts: tuple[object, ...],
    rules: PaymentRules,
) -> Preview:
    fee = rules.fee(MovementKind.SERVICE_PAYMENT)
    iva = iva_cents(fee)
    company = COMPANY_BY_CODE.get(schedule.company_code)
    lines = tuple(
        ReceiptLine(r.number, r.amount_cents, r.period, fee, iva)  # type: ignore[attr-defined]
        for r in receipts
    )
    return Preview(
        kind=MovementKind.SERVICE_PAYMENT,
        member_id=schedule.member_id,
        channel="AUTO",
        origin_account_id=account.id,
        origin_account_number=account.number,
        amount_cents=sum(line.amount_cents for line in lines),
        fee_cents=fee * len(lines),
        iva_cents=iva * len(lines),
        destination=Destination(
            name=company.name if company else schedule.company_name,
            company_code=schedule.company_code,
            company_name=schedule.company_name,
            category=schedule.category,
            supply_number=schedule.supply_number,
            institution_name=schedule.company_name,
            receipts=lines,
        ),
        reference=f"Pago programado {schedule.id}",
        counts_to_limit=False,
    )


def _declined(
    session: Session,
    schedule: PaymentSchedule,
    run_key: str,
    preview: Preview,
    outcome: PaymentOutcome,
    now: datetime,
) -> RunResult:
    record_service_payment(session, run_key, preview, outcome, now, schedule_id=schedule.id)
    reason = _EMAIL_REASONS.get(outcome)
    member = session.get(Member, schedule.member_id)
    if reason is None or member is None or not member.email:
        return RunResult(outcome, None)
    key = f"{run_key}:skipped"
    enqueue(
        session,
        key=key,
        channel=Channel.EMAIL,
        recipient=member.email,
        template="scheduled_payment_skipped",
        context={
            "name": member.full_name,
            "service": schedule.company_name,
            "reference": schedule.supply_number,
            "reason": reason,
            "amount": str(from_cents(preview.amount_cents)),
            "max_amount": str(from_cents(schedule.max_amount_cents)),
            "account": mask_account(preview.origin_account_number),
            "at": now.isoformat(),
        },
        clock=lambda: now,
    )
    return RunResult(outcome, None, key)

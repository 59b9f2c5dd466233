"""Moving the money of a confirmed preview, once, in the caller's transaction.

Everything a movement writes is written together: the ledger entry, the movement row, the
bill claims (a receipt is claimed once, ever: ``paid_bills``' unique pair), the card's
balance, the history line, the saved beneficiary. A retry finds the movement row and
returns it; a refusal raises and the caller's rollback leaves nothing behind.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bank import ledger
from bank.cards import books as card_books
from bank.ledger import chart
from bank.models import (
    Card,
    MoneyMovement,
    MovementStatus,
    PaidBill,
    PaymentOutcome,
    ServicePaymentRecord,
)
from bank.payments.config import PaymentRules
from bank.payments.errors import MovementRefused
from bank.payments.legs import entry_for, reversal_for
from bank.payments.limits import check_daily, check_per_transaction, lock_member
from bank.payments.orders import SPI_KINDS, MovementKind, Preview

SETTLING_KINDS = SPI_KINDS | {MovementKind.SERVICE_PAYMENT}
"""Kinds whose receiving side answers after the debit (SPI, biller)."""


@dataclass(frozen=True)
class Moved:
    movement_row_id: int
    entry_id: int
    replayed: bool


def payment_code(key: str) -> str:
    """The payment's code in the history ("Código"): 12 characters derived from its key."""
    return hashlib.sha256(key.encode()).hexdigest()[:12].upper()


def find_movement(session: Session, movement_id: str) -> MoneyMovement | None:
    """The movement row of a workflow, if its money already moved."""
    return session.scalar(select(MoneyMovement).where(MoneyMovement.workflow_id == movement_id))


def move(
    session: Session,
    movement_id: str,
    preview: Preview,
    rules: PaymentRules,
    now: datetime,
    *,
    automatic_schedule_id: int | None = None,
) -> Moved:
    """Post the entry of ``preview`` and record the movement (idempotent by ``movement_id``).

    Raises:
        MovementRefused: limits, funds, a receipt paid meanwhile, a card balance changed.
    """
    found = find_movement(session, movement_id)
    if found is not None:
        return Moved(found.id, found.entry_id, replayed=True)
    lock_member(session, preview.member_id)
    if preview.counts_to_limit and automatic_schedule_id is None:
        limits = rules.limits[preview.channel]
        check_per_transaction(limits, preview.amount_cents)
        check_daily(session, limits, preview.member_id, preview.channel, preview.amount_cents, now)
    if preview.kind is MovementKind.SERVICE_PAYMENT:
        _claim_bills(session, movement_id, preview, now)
    paid_card = _card_to_pay(session, preview)
    paid_books = card_books.open_books(session, paid_card) if paid_card else None
    gl = chart.ensure_chart(session)
    try:
        posted = ledger.post(
            session,
            entry_for(
                movement_id, preview, gl, paid_books.revolving_account_id if paid_books else None
            ),
        )
    except ledger.InsufficientFunds as exc:
        raise MovementRefused("FONDOS_INSUFICIENTES") from exc
    except (ledger.AccountNotActive, ledger.UnknownAccount) as exc:
        raise MovementRefused("CUENTA_DESTINO_INVALIDA") from exc
    if paid_card is not None and paid_books is not None:
        card_books.sync(session, paid_card, paid_books)
    row = MoneyMovement(
        workflow_id=movement_id,
        member_id=preview.member_id,
        kind=preview.kind,
        channel=preview.channel,
        origin_account_id=preview.origin_account_id,
        amount_cents=preview.amount_cents,
        fee_cents=preview.fee_cents,
        iva_cents=preview.iva_cents,
        counts_to_limit=preview.counts_to_limit,
        destination=_destination_record(preview),
        reference=preview.reference,
        status=MovementStatus.POSTED
        if preview.kind in SETTLING_KINDS
        else MovementStatus.COMPLETED,
        entry_id=posted.entry_id,
        created_at=now,
        settled_at=None if preview.kind in SETTLING_KINDS else now,
    )
    session.add(row)
    session.flush()
    if preview.kind is MovementKind.SERVICE_PAYMENT:
        record_service_payment(
            session,
            movement_id,
            preview,
            PaymentOutcome.PAGADO,
            now,
            movement_row_id=row.id,
            schedule_id=automatic_schedule_id,
        )
    return Moved(row.id, posted.entry_id, replayed=False)


def _destination_record(preview: Preview) -> dict[str, object]:
    d = preview.destination
    return {
        "nombre": d.name,
        "cuenta": d.account_masked,
        "institucion": d.institution_name,
        "empresa": d.company_code,
        "suministro": d.supply_number,
        "recibos": [r.number for r in d.receipts],
    }


def _claim_bills(session: Session, movement_id: str, preview: Preview, now: datetime) -> None:
    """Claim every receipt for this movement; one already claimed by another refuses all."""
    company = preview.destination.company_code
    for receipt in preview.destination.receipts:
        owner = session.scalar(
            select(PaidBill.workflow_id).where(
                PaidBill.company_code == company, PaidBill.receipt_number == receipt.number
            )
        )
        if owner is not None and owner != movement_id:
            raise MovementRefused("FACTURA_YA_PAGADA")
        if owner is None:
            try:
                with session.begin_nested():
                    session.add(
                        PaidBill(
                            company_code=company,
                            receipt_number=receipt.number,
                            workflow_id=movement_id,
                            amount_cents=receipt.amount_cents,
                            paid_at=now,
                        )
                    )
            except IntegrityError as exc:  # a concurrent payment claimed it first
                raise MovementRefused("FACTURA_YA_PAGADA") from exc


def _card_to_pay(session: Session, preview: Preview) -> Card | None:
    """A Cooprogreso card payment: the card, locked, checked to still owe that much."""
    if preview.kind is not MovementKind.COOP_CARD_PAYMENT:
        return None
    card = session.get(Card, preview.destination.card_id, with_for_update=True)
    if card is None:
        raise MovementRefused("TARJETA_NO_ENCONTRADA")
    if preview.amount_cents > card.revolving_used_cents:
        raise MovementRefused("MONTO_SUPERA_DEUDA")
    return card


def record_service_payment(
    session: Session,
    key: str,
    preview: Preview,
    outcome: PaymentOutcome,
    now: datetime,
    *,
    movement_row_id: int | None = None,
    schedule_id: int | None = None,
) -> ServicePaymentRecord:
    """Write (or return) the history line of a payment or an automatic run."""
    found = session.scalar(select(ServicePaymentRecord).where(ServicePaymentRecord.key == key))
    if found is not None:
        return found
    d = preview.destination
    paid = outcome is PaymentOutcome.PAGADO
    record = ServicePaymentRecord(
        key=key,
        member_id=preview.member_id,
        account_id=preview.origin_account_id,
        movement_id=movement_row_id,
        schedule_id=schedule_id,
        automatic=schedule_id is not None,
        category=d.category,
        company_code=d.company_code,
        company_name=d.company_name,
        supply_number=d.supply_number,
        receipts=[r.number for r in d.receipts],
        amount_cents=preview.amount_cents,
        fee_cents=preview.fee_cents if paid else 0,
        iva_cents=preview.iva_cents if paid else 0,
        outcome=outcome,
        code=payment_code(key),
        created_at=now,
    )
    session.add(record)
    session.flush()
    return record


def settle(session: Session, movement_id: str, now: datetime) -> MoneyMovement:
    """The receiving side accepted: the movement is complete (idempotent)."""
    row = find_movement(session, movement_id)
    if row is None:
        raise LookupError(movement_id)
    if row.status is MovementStatus.POSTED:
        row.status = MovementStatus.COMPLETED
        row.settled_at = now
    return row


def reverse(
    session: Session, movement_id: str, preview: Preview, reason: str, now: datetime
) -> tuple[MoneyMovement, bool]:
    """Credit everything back (amount, fee, IVA) once; returns (row, reversed_now)."""
    row = find_movement(session, movement_id)
    if row is None:
        raise LookupError(movement_id)
    if row.status is MovementStatus.REVERSED:
        return row, False
    gl = chart.ensure_chart(session)
    posted = ledger.post(session, reversal_for(movement_id, preview, gl))
    row.status = MovementStatus.REVERSED
    row.reversal_entry_id = posted.entry_id
    row.failure_reason = reason[:200]
    row.settled_at = now
    if preview.kind is MovementKind.SERVICE_PAYMENT:
        for bill in session.scalars(select(PaidBill).where(PaidBill.workflow_id == movement_id)):
            session.delete(bill)  # the biller refused: the receipt is still owed
        record = session.scalar(
            select(ServicePaymentRecord).where(ServicePaymentRecord.movement_id == row.id)
        )
        if record is not None:
            record.outcome = PaymentOutcome.REVERSADO
    return row, True

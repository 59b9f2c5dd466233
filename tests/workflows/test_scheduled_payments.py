"""Scheduled bill payments on a real Temporal Schedule (dev server: the time-skipping server
has no Schedules). Each test triggers the Schedule and reads the outcome from the payment
history the run writes, the account balance and the emails the SMTP server received.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bank.ledger import reconcile
from bank.models import Account, PaymentOutcome, ServicePaymentRecord, utcnow
from bank.payments.config import PaymentSettings
from bank.payments.execute import move
from bank.payments.orders import MovementKind, Order
from bank.payments.prepare import build_preview
from tests.workflows.schedule_support import (
    FEE_AND_IVA,
    OPENING,
    SUPPLY,
    WATER,
    WATER_NAME,
    Setup,
    balance,
    trigger_and_wait,
    wait_for_email,
)


async def test_trigger_pays_the_bill_with_commission_and_iva(setup: Setup) -> None:
    receipt = setup.billers.issue_bill(WATER, SUPPLY, 1_234)
    [run] = await trigger_and_wait(setup)
    assert run.outcome is PaymentOutcome.PAGADO and run.automatic
    assert run.receipts == [receipt.number]
    assert balance(setup.sessions, setup.auth.account_id) == OPENING - 1_234 - FEE_AND_IVA
    for _ in range(20):
        paid = setup.billers.receipt_status(WATER, receipt.number)
        if paid is not None and paid.paid_reference:
            break
        await asyncio.sleep(0.5)
    assert paid is not None and paid.paid_reference
    with setup.sessions() as session:
        assert reconcile(session) == []
    assert await officer_sees(setup, "PAGADO") == [paid.paid_reference]


async def officer_sees(setup: Setup, status: str) -> list[str]:
    """The runs an officer finds in the UI by authorisation, member and state."""
    query = (
        f"ScheduledPaymentId = '{setup.payment_id}' AND MemberId = '{setup.auth.member_id}'"
        f" AND JourneyStatus = '{status}'"
    )
    for _ in range(40):  # visibility is eventually consistent
        found = [run.id async for run in setup.client.list_workflows(query)]
        if found:
            return found
        await asyncio.sleep(0.25)
    return []


async def test_bill_over_the_maximum_is_skipped_and_the_member_emailed(setup: Setup) -> None:
    setup.billers.issue_bill(WATER, SUPPLY, 5_001)
    [run] = await trigger_and_wait(setup)
    assert run.outcome is PaymentOutcome.SUPERA_MONTO_MAXIMO
    assert balance(setup.sessions, setup.auth.account_id) == OPENING
    email = await wait_for_email(setup.inbox, setup.auth.email)
    assert email.to == setup.auth.email
    assert email.subject == "Pago programado no realizado"
    for line in (
        f"Estimado(a): {setup.auth.name}",
        "Te informamos que el pago programado de tu servicio no se realizó:",
        f"SERVICIO: {WATER_NAME}",
        f"SUMINISTRO / CONTRATO: {SUPPLY}",
        "VALOR DE LA FACTURA: $50.01",
        "MONTO MÁXIMO AUTORIZADO: $50.00",
        "El valor de la factura supera el monto máximo que nos autorizaste a debitar.",
    ):
        assert line in email.text
    assert email.html is not None and "$50.01" in email.html


async def test_a_bill_already_paid_is_not_paid_again_by_the_next_run(setup: Setup) -> None:
    receipt = setup.billers.issue_bill(WATER, SUPPLY, 800)
    [first] = await trigger_and_wait(setup)
    assert first.outcome is PaymentOutcome.PAGADO
    runs = await trigger_and_wait(setup, runs=2)
    assert runs[1].outcome is PaymentOutcome.SIN_FACTURA
    assert balance(setup.sessions, setup.auth.account_id) == OPENING - 800 - FEE_AND_IVA
    assert receipt.number in first.receipts


async def test_a_bill_paid_by_hand_is_not_paid_again_by_the_schedule(setup: Setup) -> None:
    receipt = setup.billers.issue_bill(WATER, SUPPLY, 800)
    rules = PaymentSettings().rules()
    with setup.sessions.begin() as session:  # the manual payment's debit, before the biller knows
        account = session.get(Account, setup.auth.account_id)
        assert account is not None
        order = Order(
            kind=MovementKind.SERVICE_PAYMENT,
            member_id=setup.auth.member_id,
            origin_account=account.number,
            company_code=WATER,
            supply_number=SUPPLY,
            receipts=(receipt.number,),
        )
        now = utcnow()
        move(
            session,
            "manual-water-1",
            build_preview(session, order, rules, setup.billers, now),
            rules,
            now,
        )
    assert balance(setup.sessions, setup.auth.account_id) == OPENING - 800 - FEE_AND_IVA

    [run] = await trigger_and_wait(setup)
    assert run.outcome is PaymentOutcome.SIN_FACTURA and run.receipts == []
    assert balance(setup.sessions, setup.auth.account_id) == OPENING - 800 - FEE_AND_IVA
    with setup.sessions() as session:
        manual = session.scalars(
            select(ServicePaymentRecord).where(ServicePaymentRecord.key == "manual-water-1")
        ).one()
        assert manual.outcome is PaymentOutcome.PAGADO and not manual.automatic
        assert manual.receipts == [receipt.number]
        assert reconcile(session) == []

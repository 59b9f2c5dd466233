"""Scheduled bill payments on a real Temporal Schedule (dev server: the time-skipping server
has no Schedules). Each test triggers the Schedule and reads the outcome from the payment
history the run writes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.movements import MovementActivities
from activities.scheduled_payments import ScheduledPaymentActivities
from bank.adapters.billers import SimulatedBillers
from bank.adapters.spi import SimulatedSpi
from bank.ledger import reconcile
from bank.models import (
    Account,
    OutboundMessage,
    PaymentOutcome,
    PaymentSchedule,
    ScheduleStatus,
    ServicePaymentRecord,
)
from bank.payments.config import PaymentSettings
from tests.api.credit_support import dev_env
from tests.api.movement_support import make_member
from workflows.movement import MovementWorkflow
from workflows.scheduled_payment import ScheduledPaymentRunWorkflow, schedule_id
from workflows.schedules import schedule

__all__ = ["dev_env"]

WATER, SUPPLY = "EPMAPS", "7654321"


@dataclass
class Setup:
    env: WorkflowEnvironment
    sessions: sessionmaker[Session]
    billers: SimulatedBillers
    task_queue: str
    payment_id: int
    account_id: int
    schedule: str


@pytest.fixture
async def setup(
    dev_env: WorkflowEnvironment, sessions: sessionmaker[Session]
) -> AsyncIterator[Setup]:
    with sessions.begin() as session:
        ana = make_member(session, "ana", 10_000)
        row = PaymentSchedule(
            origin=f"test-{uuid.uuid4()}",
            member_id=ana.member_id,
            account_id=ana.savings_id,
            category="AGUA",
            company_code=WATER,
            company_name="EPMAPS AGUA DE QUITO",
            supply_number=SUPPLY,
            max_amount_cents=5_000,
            frequency="MENSUAL",
            day=5,
            start_date=date.today(),
            end_date=date.today() + timedelta(days=365),
            status=ScheduleStatus.ACTIVO,
            terms_version="2026-11",
        )
        session.add(row)
        session.flush()
        payment_id, account_id, member_id = row.id, ana.savings_id, ana.member_id
    task_queue = f"sched-{uuid.uuid4()}"
    billers = SimulatedBillers(sessions)
    rules = PaymentSettings().rules()
    movements = MovementActivities(
        sessions, rules=rules, spi=SimulatedSpi(), billers=billers, secret_key="s" * 40
    )
    runs = ScheduledPaymentActivities(sessions, rules=rules, billers=billers)
    client = dev_env.client
    sched_id = f"{schedule_id(payment_id)}-{uuid.uuid4().hex[:6]}"
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[ScheduledPaymentRunWorkflow, MovementWorkflow],
        activities=movements.all() + runs.all(),
        activity_executor=ThreadPoolExecutor(4),
    ):
        await client.create_schedule(
            sched_id,
            schedule(
                payment_id,
                member_id,
                "MENSUAL",
                5,
                date.today(),
                date.today() + timedelta(days=365),
                task_queue,
            ),
        )
        handle = client.get_schedule_handle(sched_id)
        try:
            yield Setup(dev_env, sessions, billers, task_queue, payment_id, account_id, sched_id)
        finally:
            await handle.delete()


async def trigger_and_wait(setup: Setup, runs: int = 1) -> list[ServicePaymentRecord]:
    handle = setup.env.client.get_schedule_handle(setup.schedule)
    for _ in range(240):  # overlap SKIP: a trigger while a run is still going is dropped
        if not (await handle.describe()).info.running_actions:
            break
        await asyncio.sleep(0.25)
    await handle.trigger()
    for _ in range(240):
        with setup.sessions() as session:
            found = list(
                session.scalars(
                    select(ServicePaymentRecord)
                    .where(ServicePaymentRecord.schedule_id == setup.payment_id)
                    .order_by(ServicePaymentRecord.id)
                )
            )
        if len(found) >= runs:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError("the scheduled run never finished")


def balance(setup: Setup) -> int:
    with setup.sessions() as session:
        account = session.get(Account, setup.account_id)
        assert account is not None
        return account.balance_cents


async def test_trigger_pays_the_bill_with_commission_and_iva(setup: Setup) -> None:
    receipt = setup.billers.issue_bill(WATER, SUPPLY, 1_234)
    [run] = await trigger_and_wait(setup)
    assert run.outcome is PaymentOutcome.PAGADO and run.automatic
    assert run.receipts == [receipt.number]
    assert balance(setup) == 10_000 - 1_234 - 31 - 5
    for _ in range(20):
        paid = setup.billers.receipt_status(WATER, receipt.number)
        if paid is not None and paid.paid_reference:
            break
        await asyncio.sleep(0.5)
    assert paid is not None and paid.paid_reference
    with setup.sessions() as session:
        assert reconcile(session) == []


async def test_bill_over_the_maximum_is_skipped_and_the_member_told(setup: Setup) -> None:
    setup.billers.issue_bill(WATER, SUPPLY, 5_001)
    [run] = await trigger_and_wait(setup)
    assert run.outcome is PaymentOutcome.SUPERA_MONTO_MAXIMO
    assert balance(setup) == 10_000
    with setup.sessions() as session:
        email = session.scalar(
            select(OutboundMessage).where(OutboundMessage.template == "scheduled_payment_skipped")
        )
    assert email is not None and "monto máximo" in email.body_text.lower()


async def test_a_bill_already_paid_is_not_paid_again_by_the_next_run(setup: Setup) -> None:
    receipt = setup.billers.issue_bill(WATER, SUPPLY, 800)
    [first] = await trigger_and_wait(setup)
    assert first.outcome is PaymentOutcome.PAGADO
    runs = await trigger_and_wait(setup, runs=2)
    assert runs[1].outcome is PaymentOutcome.SIN_FACTURA
    assert balance(setup) == 10_000 - 800 - 36
    assert receipt.number in first.receipts

"""One scheduled run on the time-skipping server, started as its Schedule starts it: the
biller's answers a member would notice (a refusal gives the money back, an outage is
waited out and the bill is paid once).
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.movements import MovementActivities
from activities.scheduled_payments import ScheduledPaymentActivities
from bank.adapters.biller_types import BillerAck, BillerPayment, BillerUnavailable, PaymentState
from bank.adapters.billers import SimulatedBillers
from bank.adapters.spi import SimulatedSpi
from bank.ledger import reconcile
from bank.models import OutboundMessage, PaymentOutcome
from bank.payments.config import PaymentSettings
from tests.workflows.schedule_support import (
    FEE_AND_IVA,
    OPENING,
    SUPPLY,
    WATER,
    authorise,
    balance,
    records,
)
from workflows.scheduled_payment.contract import ScheduledRunInput, schedule_id
from workflows.scheduled_payment.workflow import ScheduledPaymentRunWorkflow


class PaidAtTheBranch(SimulatedBillers):
    """The member pays the bill at a branch while the run is on its way to the biller."""

    def pay(self, payment: BillerPayment) -> BillerAck:
        at_the_branch = dataclasses.replace(payment, payment_reference="ventanilla-1")
        assert super().pay(at_the_branch).state is PaymentState.ACCEPTED
        return super().pay(payment)


class Flaky(SimulatedBillers):
    """The simulator with outages (seeded), counting them."""

    def __init__(self, sessions: sessionmaker[Session], seed: int) -> None:
        super().__init__(sessions, failure_rate=0.5, rng=random.Random(seed))
        self.outages = 0

    def _network_call(self) -> None:
        try:
            super()._network_call()
        except BillerUnavailable:
            self.outages += 1
            raise


@asynccontextmanager
async def one_run(
    env: WorkflowEnvironment, sessions: sessionmaker[Session], billers: SimulatedBillers
) -> AsyncIterator[tuple[WorkflowHandle[ScheduledPaymentRunWorkflow, str], int, int]]:
    """Ana's authorisation and its run started now on a worker with ``billers``."""
    auth = authorise(sessions)
    rules = PaymentSettings().rules()
    movements = MovementActivities(
        sessions, rules=rules, spi=SimulatedSpi(), billers=billers, secret_key="s" * 40
    )
    runs = ScheduledPaymentActivities(sessions, rules=rules, billers=billers)
    queue = f"run-{uuid.uuid4()}"
    with ThreadPoolExecutor(4) as pool:
        async with Worker(
            env.client,
            task_queue=queue,
            workflows=[ScheduledPaymentRunWorkflow],
            activities=movements.all() + runs.all(),
            activity_executor=pool,
        ):
            handle = await env.client.start_workflow(
                ScheduledPaymentRunWorkflow.run,
                ScheduledRunInput(auth.payment_id, auth.member_id),
                id=f"{schedule_id(auth.payment_id)}-2026-12-05T13:00:00Z",
                task_queue=queue,
            )
            yield handle, auth.payment_id, auth.account_id


async def test_a_bill_the_biller_refuses_gives_the_money_back(
    time_skipping_env: WorkflowEnvironment, db: Engine, sessions: sessionmaker[Session]
) -> None:
    billers = PaidAtTheBranch(sessions)
    billers.issue_bill(WATER, SUPPLY, 1_234)
    async with one_run(time_skipping_env, sessions, billers) as (handle, payment, account):
        assert await handle.result() == "REVERSADO"
        assert await handle.query(ScheduledPaymentRunWorkflow.outcome) == "REVERSADO"
    assert balance(sessions, account) == OPENING
    [run] = records(sessions, payment)
    assert run.outcome is PaymentOutcome.REVERSADO and run.automatic
    with sessions() as session:
        assert reconcile(session) == []
        [email] = session.scalars(
            select(OutboundMessage).where(OutboundMessage.template == "service_payment_reversed")
        )
    assert email.subject == "Pago de servicio no realizado"
    for text in ("EPMAPS AGUA DE QUITO", SUPPLY, "$12.34", "ya fue pagada por otro medio"):
        assert text in email.body_text
    assert "acreditado nuevamente" in email.body_text


async def test_a_biller_outage_is_waited_out_and_the_bill_paid_once(
    time_skipping_env: WorkflowEnvironment, db: Engine, sessions: sessionmaker[Session]
) -> None:
    billers = Flaky(sessions, seed=3)  # the look-up fails once, the payment fails once
    receipt = SimulatedBillers(sessions).issue_bill(WATER, SUPPLY, 2_000)
    async with one_run(time_skipping_env, sessions, billers) as (handle, payment, account):
        assert await handle.result() == str(PaymentOutcome.PAGADO)
    assert billers.outages == 2
    assert balance(sessions, account) == OPENING - 2_000 - FEE_AND_IVA
    [run] = records(sessions, payment)
    assert run.outcome is PaymentOutcome.PAGADO and run.receipts == [receipt.number]
    paid = billers.receipt_status(WATER, receipt.number)
    assert paid is not None and paid.paid_reference == handle.id
    with sessions() as session:
        assert reconcile(session) == []

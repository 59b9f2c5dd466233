"""CardBillingWorkflow on the time-skipping server with its real activities on the database:
month after month the close bills one installment of each deferral, pages through every
card (continuing as new) and never closes a card twice; the Schedule on the dev server."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import ScheduleCalendarSpec
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.card_billing import CardBillingActivities
from bank.cards import books, deferrals
from bank.cards.config import CardSettings
from bank.cards.purchases import record_purchase
from bank.models import Card, CardKind, CardStatement, DeferralStatus, OutboundMessage
from tests import factories
from tests.support.histories import CARD_BILLING_CLOSED
from workflows.card_billing import contract
from workflows.card_billing.contract import BillingInput, Status, workflow_id
from workflows.card_billing.schedule import ensure_billing_schedule
from workflows.card_billing.workflow import CardBillingWorkflow
from workflows.search_attributes import JOURNEY_STATUS, OPERATION_KIND

HISTORY = CARD_BILLING_CLOSED  # replayed by tests/replay/
RULES = CardSettings().rules()


def card_with_deferrals(sessions: sessionmaker[Session], now: datetime) -> int:
    """A card with $300.00 deferred to 3 months (interest-free) and $1,200.00 to 12 (15%)."""
    with sessions.begin() as session:
        member = factories.make_member(session)
        card = factories.make_card(session, member, CardKind.CREDIT, limit_cents=500_000)
        for n, (amount, term) in enumerate(((30_000, 3), (120_000, 12))):
            bought = record_purchase(session, card, f"b-{card.id}-{n}", "Kywi", amount, now)
            plan = deferrals.simulate(
                session, card, bought.id, amount, term, RULES, now.date() - timedelta(days=1)
            )
            deferrals.defer(session, card, f"d-{card.id}-{n}", plan, now)
        return card.id


def figures(sessions: sessionmaker[Session], card_id: int) -> tuple[int, int, int]:
    with sessions.begin() as session:
        card = session.get(Card, card_id)
        assert card is not None and books.reconcile_cards(session) == []
        return card.revolving_used_cents, card.deferred_used_cents, card.available_credit_cents


@asynccontextmanager
async def worker(
    env: WorkflowEnvironment, task_queue: str, sessions: sessionmaker[Session]
) -> AsyncIterator[None]:
    acts = CardBillingActivities(sessions, rules=RULES, clock=lambda: datetime.now(UTC))
    with ThreadPoolExecutor(2) as pool:
        async with Worker(
            env.client,
            task_queue=task_queue,
            workflows=[CardBillingWorkflow],
            activities=acts.all(),
            activity_executor=pool,
        ):
            yield


async def close(env: WorkflowEnvironment, task_queue: str, request: BillingInput, key: str):
    handle = await env.client.start_workflow(
        CardBillingWorkflow.run, request, id=f"{workflow_id(key)}", task_queue=task_queue
    )
    return handle, await handle.result()


async def test_each_monthly_close_bills_one_installment_of_each_deferral(
    time_skipping_env, task_queue, sessions
):
    start = await time_skipping_env.get_current_time()
    card_id = card_with_deferrals(sessions, start)
    seen = []
    async with worker(time_skipping_env, task_queue, sessions):
        for month in range(4):
            # The close runs the day after the cycle day: skip to the next 26th.
            now = await time_skipping_env.get_current_time()
            target = (now.replace(day=1) + timedelta(days=32)).replace(day=26, hour=6)
            await time_skipping_env.sleep(target - now)
            handle, state = await close(time_skipping_env, task_queue, BillingInput(), str(month))
            seen.append((state.status, state.closed, figures(sessions, card_id)))
        attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(OPERATION_KIND) == "CARD_BILLING"
    assert attributes.get(JOURNEY_STATUS) == "CLOSED"
    # Month 1: $100.00 of the 3-month one and the $108.31 installment of the 12-month one
    # ($93.31 of principal, $15.00 of interest) reach the revolving balance.
    assert seen[0] == (Status.CLOSED, 1, (20_831, 150_000 - 10_000 - 9_331, 348_500))
    with sessions.begin() as session:
        statements = session.scalars(
            select(CardStatement)
            .where(CardStatement.card_id == card_id)
            .order_by(CardStatement.cycle_end)
        ).all()
        assert [s.cycle_end.day for s in statements] == [25, 25, 25, 25]
        assert [s.installments_cents for s in statements] == [20_831, 20_831, 20_831, 10_831]
        interest = [s.installment_interest_cents for s in statements]
        assert interest[0] == 1_500 and interest == sorted(interest, reverse=True)
        [short, _] = [d for d, *_ in deferrals.deferrals_of(session, card_id)][::-1]
        assert short.status is DeferralStatus.CANCELADO
        emails = session.scalar(
            select(func.count()).where(OutboundMessage.template == "card_statement_ready")
        )
    assert emails == 4  # one per statement, never two
    for *_, (revolving, deferred, available) in seen:
        assert revolving + deferred + available == 500_000
    # Nothing was paid: after four closes the three-month deferral is all on the revolving
    # balance, and the 12-month one has four installments billed.
    assert seen[-1][2][1] == 120_000 - sum(
        s.installments_cents - s.installment_interest_cents - 10_000 for s in statements[:3]
    ) - (statements[3].installments_cents - statements[3].installment_interest_cents)


async def test_a_cycle_pages_through_every_card_and_a_second_run_closes_nothing(
    time_skipping_env, task_queue, sessions
):
    now = await time_skipping_env.get_current_time()
    cards = [card_with_deferrals(sessions, now) for _ in range(7)]
    # Pages of two cards, continuing as new after two pages.
    request = BillingInput(cycle_end="2030-01-25", page_size=2, pages_per_run=2)
    async with worker(time_skipping_env, task_queue, sessions):
        handle, first = await close(time_skipping_env, task_queue, request, "paged")
        _, second = await close(time_skipping_env, task_queue, request, "again")
        latest = await handle.describe()
    assert (first.status, first.cycle_end) == (Status.CLOSED, "2030-01-25")
    assert first.closed >= 7 and first.last_card_id >= max(cards)
    assert second.closed == 0
    assert latest.run_id != handle.first_execution_run_id  # it continued as new
    with sessions.begin() as session:
        closed = session.scalar(
            select(func.count())
            .select_from(CardStatement)
            .where(
                CardStatement.cycle_end == datetime(2030, 1, 25).date(),
                CardStatement.card_id.in_(cards),
            )
        )
    assert closed == 7


async def test_the_worker_keeps_one_schedule_on_the_day_after_the_close(dev_env, task_queue):
    await ensure_billing_schedule(dev_env.client, 25, task_queue)
    await ensure_billing_schedule(dev_env.client, 10, task_queue)  # configuration changed
    handle = dev_env.client.get_schedule_handle(contract.SCHEDULE_ID)
    try:
        described = await handle.describe()
        [calendar] = described.schedule.spec.calendars
        assert isinstance(calendar, ScheduleCalendarSpec)
        assert [r.start for r in calendar.day_of_month] == [11]
        assert [r.start for r in calendar.hour] == [1]
        assert described.schedule.spec.time_zone_name == "America/Guayaquil"
    finally:
        await handle.delete()


@pytest.mark.skipif(
    not os.environ.get("COOP_RECORD_HISTORIES"), reason="set COOP_RECORD_HISTORIES=1 to re-record"
)
async def test_record_closed_history(time_skipping_env, task_queue, sessions):
    """Re-record the committed history (only when the workflow changes on purpose)."""
    now = await time_skipping_env.get_current_time()
    card_with_deferrals(sessions, now)
    async with worker(time_skipping_env, task_queue, sessions):
        handle = await time_skipping_env.client.start_workflow(
            CardBillingWorkflow.run,
            BillingInput(cycle_end="2026-01-25"),
            id=workflow_id("2026-01-25"),
            task_queue=task_queue,
        )
        await handle.result()
        history = await handle.fetch_history()
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    HISTORY.write_text(history.to_json() + "\n")

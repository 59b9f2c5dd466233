"""Harness of the scheduled-payment tests: a real Temporal Schedule on the dev server (the
time-skipping server has no Schedules), built by the production ``schedule(...)``, and a
worker whose activities are wired exactly as ``workers.main`` wires them (the outbox
dispatcher's ``deliver_now`` sending over SMTP to an aiosmtpd sink the test starts).

Tests read outcomes only where a member or operator could: the payment history, balances,
the emails received by the SMTP server and the Schedule's description.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import (
    Client,
    Schedule,
    ScheduleCalendarSpec,
    ScheduleDescription,
    ScheduleHandle,
    ScheduleIntervalSpec,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from bank.adapters.billers import SimulatedBillers
from bank.adapters.wiring import Adapters
from bank.core.db import session_factory
from bank.core.settings import WorkerSettings
from bank.models import Account, Member, ServicePaymentRecord
from bank.notifications.mailbox import MailboxEntry, read_mailbox
from bank.payments.authorisations import record_authorisation
from tests.api.movement_support import make_member
from tests.bank.messaging_support import SECRET
from tests.factories import monthly_authorisation
from workers.main import Components, general_activities
from workflows.movement.workflow import MovementWorkflow
from workflows.scheduled_payment.schedules import schedule
from workflows.scheduled_payment.workflow import ScheduledPaymentRunWorkflow

WATER, SUPPLY, WATER_NAME = "EPMAPS", "7654321", "EPMAPS AGUA DE QUITO"
OPENING = 10_000
MAXIMUM = 5_000
FEE_AND_IVA = 31 + 5
"""Per bill: $0.31 commission + $0.05 IVA (``bank/payments/config.py``)."""


@dataclass(frozen=True)
class Authorisation:
    payment_id: int
    member_id: int
    account_id: int
    email: str
    name: str


def authorise(sessions: sessionmaker[Session]) -> Authorisation:
    """Ana, with $100.00, authorises her water bill monthly on the 5th, up to $50.00."""
    with sessions.begin() as session:
        ana = make_member(session, "ana", OPENING)
        terms = monthly_authorisation(ana.savings, WATER, SUPPLY, MAXIMUM)
        row = record_authorisation(session, ana.member_id, terms, origin=f"test-{uuid.uuid4()}")
        member = session.get(Member, ana.member_id)
        assert member is not None and member.email
        return Authorisation(row.id, ana.member_id, ana.savings_id, member.email, member.full_name)


def production_schedule(auth: Authorisation, task_queue: str) -> Schedule:
    """The Schedule the API creates for ``auth`` (``scheduled_payment.schedules.schedule``)."""
    today = date.today()
    return schedule(
        auth.payment_id,
        auth.member_id,
        "MENSUAL",
        5,
        today,
        today + timedelta(days=365),
        task_queue,
    )


def every(seconds: int) -> ScheduleSpec:
    """Test-only calendar: a run every few seconds."""
    return ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(seconds=seconds))])


def once_at(moment: datetime) -> ScheduleSpec:
    """Test-only calendar: a single run at ``moment`` (whole seconds, UTC)."""
    at = moment.astimezone(UTC)
    return ScheduleSpec(
        calendars=[
            ScheduleCalendarSpec(
                second=[ScheduleRange(at.second)],
                minute=[ScheduleRange(at.minute)],
                hour=[ScheduleRange(at.hour)],
                day_of_month=[ScheduleRange(at.day)],
                month=[ScheduleRange(at.month)],
                year=[ScheduleRange(at.year)],
            )
        ],
        time_zone_name="UTC",
    )


async def respec(handle: ScheduleHandle, spec: ScheduleSpec) -> None:
    """Replace only the calendar of a Schedule; action, policies and state are kept."""

    def change(update: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(dataclasses.replace(update.description.schedule, spec=spec))

    await handle.update(change)


async def is_deleted(handle: ScheduleHandle) -> bool:
    try:
        await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return True
        raise
    return False


def production_activities(
    engine: Engine, client: Client, smtp_port: int, folder: Path
) -> list[Callable[..., Any]]:
    """The general queue's activities as ``workers.main`` builds them, mail to ``smtp_port``."""
    settings = WorkerSettings(
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        dev_outbox=False,
        secret_key=SECRET,
        mailbox_dir=folder / "sms",
        document_dir=folder / "documents",
    )
    adapters = Adapters(settings, session_factory(engine))
    parts = Components(engine=engine, client=client, adapters=adapters, activities=[])
    return general_activities(settings, parts)


@asynccontextmanager
async def running_worker(
    client: Client, task_queue: str, activities: list[Callable[..., Any]]
) -> AsyncIterator[Worker]:
    with ThreadPoolExecutor(4) as pool:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[ScheduledPaymentRunWorkflow, MovementWorkflow],
            activities=activities,
            activity_executor=pool,
        ) as worker:
            yield worker


@dataclass
class Setup:
    client: Client
    sessions: sessionmaker[Session]
    billers: SimulatedBillers
    task_queue: str
    auth: Authorisation
    schedule: str
    inbox: Path

    @property
    def payment_id(self) -> int:
        return self.auth.payment_id

    @property
    def handle(self) -> ScheduleHandle:
        return self.client.get_schedule_handle(self.schedule)


def records(sessions: sessionmaker[Session], payment_id: int) -> list[ServicePaymentRecord]:
    """The payment history of an authorisation, oldest first."""
    with sessions() as session:
        return list(
            session.scalars(
                select(ServicePaymentRecord)
                .where(ServicePaymentRecord.schedule_id == payment_id)
                .order_by(ServicePaymentRecord.id)
            )
        )


async def wait_for_records(
    sessions: sessionmaker[Session], payment_id: int, count: int, within: float = 120
) -> list[ServicePaymentRecord]:
    """Poll the payment history until it has at least ``count`` runs."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = records(sessions, payment_id)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError(f"expected {count} scheduled run(s), history has {len(found)}")


async def settled(
    sessions: sessionmaker[Session], payment_id: int, quiet: float = 3.0, within: float = 60
) -> list[ServicePaymentRecord]:
    """The history once no run has been added for ``quiet`` seconds (in-flight runs done)."""
    deadline = time.monotonic() + within
    found = records(sessions, payment_id)
    still_since = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = records(sessions, payment_id)
        if len(now) != len(found):
            found, still_since = now, time.monotonic()
        elif time.monotonic() - still_since >= quiet:
            return found
    raise AssertionError("the payment history never stopped growing")


async def idle(handle: ScheduleHandle) -> ScheduleDescription:
    """Wait until the Schedule has no run going; its description then."""
    for _ in range(240):
        described = await handle.describe()
        if not described.info.running_actions:
            return described
        await asyncio.sleep(0.25)
    raise AssertionError("a scheduled run never finished")


async def trigger_and_wait(setup: Setup, runs: int = 1) -> list[ServicePaymentRecord]:
    """Trigger the Schedule now and wait for the history to reach ``runs`` runs."""
    # Overlap SKIP: a trigger while a run is still going is dropped.
    recent = (await idle(setup.handle)).info.recent_actions
    if recent:
        # A run's workflow ID (its key) ends with its start time to the second: a second
        # trigger within the same second would be the same run, so it waits for the next.
        after = recent[-1].scheduled_at.replace(microsecond=0) + timedelta(seconds=1.2)
        await asyncio.sleep(max(0.0, (after - datetime.now(UTC)).total_seconds()))
    await setup.handle.trigger()
    return await wait_for_records(setup.sessions, setup.payment_id, runs)


def balance(sessions: sessionmaker[Session], account_id: int) -> int:
    with sessions() as session:
        account = session.get(Account, account_id)
        assert account is not None
        return account.balance_cents


async def wait_for_email(inbox: Path, to: str, within: float = 60) -> MailboxEntry:
    """The one email the SMTP server received for ``to``."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = [m for m in read_mailbox(inbox, to=to) if m.channel == "email"]
        if found:
            [email] = found
            return email
        await asyncio.sleep(0.5)
    raise AssertionError(f"no email reached the SMTP server for {to}")

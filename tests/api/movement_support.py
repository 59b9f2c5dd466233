"""Harness of the transfer and payment tests: the real app and the real movement workflow
and activities (SPI and biller simulators, OTP service, outbox, ledger) on PostgreSQL and
the time-skipping Temporal server, driven over ASGI with ``httpx.AsyncClient``.

Each test gets its own task queue and its own Idempotency-Keys (uuid): member ids restart
with every emptied database, so workflow IDs never collide across tests.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.movements import MovementActivities
from api.deps import get_temporal_client
from api.main import API_PREFIX, create_app
from bank.adapters.billers import SimulatedBillers
from bank.adapters.spi import SimulatedSpi
from bank.adapters.wiring import Adapters
from bank.core.settings import ApiSettings
from bank.ledger import reconcile
from bank.models import Account, OtpChallenge, OutboundMessage
from bank.notifications.outbox import unseal
from bank.payments.config import PaymentSettings
from tests import factories as f
from tests.support.temporal import terminate_if_running
from workflows.movement.contract import FINAL, MovementState, workflow_id
from workflows.movement.workflow import MovementWorkflow

OTP_RE = re.compile(r"\b([0-9]{6})\b")


@dataclass
class Member:
    member_id: int
    username: str
    savings: str
    """Account number of the member's savings account."""
    savings_id: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Money:
    """What a test drives and inspects."""

    http: httpx.AsyncClient
    env: WorkflowEnvironment
    sessions: sessionmaker[Session]
    secret_key: str
    billers: SimulatedBillers
    keys: list[tuple[int, str]] = field(default_factory=list)

    async def login(self, member: Member) -> Member:
        response = await self.http.post(
            f"{API_PREFIX}/auth/login", json={"username": member.username, "password": f.PASSWORD}
        )
        assert response.status_code == 200, response.text
        member.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return member

    async def start(
        self, member: Member, path: str, body: dict[str, Any], key: str | None = None
    ) -> tuple[str, httpx.Response]:
        """POST a movement with a fresh (or given) Idempotency-Key."""
        key = key or uuid.uuid4().hex
        self.keys.append((member.member_id, key))
        response = await self.http.post(
            f"{API_PREFIX}{path}", json=body, headers={**member.headers, "Idempotency-Key": key}
        )
        return key, response

    async def confirm(self, member: Member, key: str, code: str | None = None) -> httpx.Response:
        """Confirm with the code from the SMS outbox (or the given one)."""
        code = code or self.otp_code(member.member_id)
        return await self.http.post(
            f"{API_PREFIX}/movements/{key}/confirm", json={"codigo": code}, headers=member.headers
        )

    async def get(self, member: Member, key: str) -> httpx.Response:
        return await self.http.get(f"{API_PREFIX}/movements/{key}", headers=member.headers)

    def otp_code(self, member_id: int) -> str:
        """The newest SMS code sent to the member (read from the outbox, decrypted)."""
        with self.sessions() as session:
            challenge = session.scalars(
                select(OtpChallenge)
                .where(OtpChallenge.member_id == member_id)
                .order_by(OtpChallenge.created_at.desc())
            ).first()
            assert challenge is not None, "no OTP was issued"
            message = session.scalar(
                select(OutboundMessage).where(
                    OutboundMessage.idempotency_key == f"otp:{challenge.id}"
                )
            )
            assert message is not None
            text = unseal(self.secret_key, message.idempotency_key, message.body_text)
        found = OTP_RE.search(text)
        assert found, text
        return found.group(1)

    def balance(self, account_id: int) -> int:
        with self.sessions() as session:
            account = session.get(Account, account_id)
            assert account is not None
            return account.balance_cents

    def books_balance(self) -> None:
        with self.sessions() as session:
            assert reconcile(session) == []

    async def finish(self, member: Member, key: str) -> MovementState:
        """Let the workflow run to its end (time skips over SPI cycles) and return its state."""
        handle = self.env.client.get_workflow_handle_for(
            MovementWorkflow.run, workflow_id(member.member_id, key)
        )
        for _ in range(100):  # up to 4 days of clearing cycles, an hour at a time
            state = await handle.query(MovementWorkflow.state)
            if state.status in FINAL:
                return state
            await self.env.sleep(timedelta(hours=1))
        raise AssertionError(f"movement {key} never finished: {state.status}")


def make_member(
    session: Session, username: str, balance_cents: int, **member_fields: Any
) -> Member:
    """A member with a login, a mobile and email, and a funded savings account."""
    person = f.make_member(session, first_names=username.upper(), **member_fields)
    f.make_user(session, person, username=username)
    account = f.make_account(session, person)
    if balance_cents:
        f.deposit(session, account, balance_cents)
    session.flush()
    return Member(person.id, username, account.number, account.id)


@asynccontextmanager
async def running_money(
    settings: ApiSettings,
    env: WorkflowEnvironment,
    sessions: sessionmaker[Session],
    *,
    payments: PaymentSettings | None = None,
) -> AsyncIterator[Money]:
    """The app and a movement worker on a fresh task queue."""
    task_queue = f"test-{uuid.uuid4()}"
    app = create_app(settings.model_copy(update={"task_queue": task_queue}))

    async def temporal_client() -> object:
        return env.client

    app.dependency_overrides[get_temporal_client] = temporal_client
    billers = SimulatedBillers(sessions)
    app.state.adapters = Adapters(settings, sessions)
    app.state.adapters.billers = billers
    activities = MovementActivities(
        sessions,
        rules=(payments or PaymentSettings()).rules(),
        spi=SimulatedSpi(immediate_delay=timedelta(seconds=3)),
        billers=billers,
        secret_key=settings.secret_key,
    )
    async with (
        Worker(
            env.client,
            task_queue=task_queue,
            workflows=[MovementWorkflow],
            activities=activities.all(),
            activity_executor=ThreadPoolExecutor(8),
        ),
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http,
    ):
        money = Money(http, env, sessions, settings.secret_key, billers)
        try:
            yield money
        finally:
            for member_id, key in money.keys:
                handle = env.client.get_workflow_handle(workflow_id(member_id, key))
                with suppress(Exception):  # never started (refused before the start)
                    await terminate_if_running(handle)

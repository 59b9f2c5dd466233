"""The real app over the session's PostgreSQL database, driven through Starlette's TestClient;
and the harnesses on the time-skipping Temporal server: ``api`` (the credit journey, see
``credit_support.py``) and ``money`` / ``people`` (movements, see ``movement_support.py``).

Markers a module (``pytestmark``) or a test sets for those fixtures:

- ``married``: the ``api`` member's profile is married (a spouse co-signs);
- ``payment_settings(**fields)``: the ``money`` worker's ``PaymentSettings(**fields)``;
- ``balances(ana, beto)``: the ``people``'s opening balances in cents (100_000, 5_000).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from bank.core.settings import ApiSettings
from bank.payments.config import PaymentSettings
from tests.api.credit_support import Api, running_api
from tests.api.movement_support import Member, Money, make_member, running_money

TODAY = date(2025, 1, 20)
"""The "today" the product tests run at (America/Guayaquil), unless a test sets another."""


@pytest.fixture(scope="session")
def api_settings(database_url: str) -> ApiSettings:
    return ApiSettings(
        database_url=database_url,
        environment="test",
        dev_outbox=False,
        secret_key="test-secret-key-0123456789-abcdefghijklmnop",
        temporal_address="127.0.0.1:1",
    )


@pytest.fixture(scope="session")
def app(api_settings: ApiSettings) -> FastAPI:
    return create_app(api_settings)


@pytest.fixture(scope="session")
def _running_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client(_running_client: TestClient, db: Engine, app: FastAPI) -> Iterator[TestClient]:
    """A client of the running app over an emptied database, "today" fixed at ``TODAY``."""
    clock = app.state.core.clock
    clock.fixed_today = TODAY
    yield _running_client
    clock.fixed_today = None
    app.dependency_overrides.clear()


@pytest.fixture
def set_today(app: FastAPI) -> Callable[[date], None]:
    """Move the app's "today" (America/Guayaquil) for the rest of the test."""

    def set_(day: date) -> None:
        app.state.core.clock.fixed_today = day

    return set_


@pytest.fixture
def build(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for the factories; committed when the test has built its data."""
    with sessions() as session:
        yield session


def login(client: TestClient, username: str, password: str) -> dict[str, str]:
    """Log in and return the Authorization header for the new session."""
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def api(
    request: pytest.FixtureRequest,
    api_settings: ApiSettings,
    time_skipping_env: WorkflowEnvironment,
    tmp_path: Path,
    sessions: sessionmaker[Session],
) -> AsyncIterator[Api]:
    """The credit harness on the time-skipping server; a married member under ``married``."""
    married = request.node.get_closest_marker("married") is not None
    async with running_api(
        api_settings, time_skipping_env, tmp_path, sessions, married=married
    ) as api:
        yield api


@pytest.fixture
async def money(
    request: pytest.FixtureRequest,
    api_settings: ApiSettings,
    time_skipping_env: WorkflowEnvironment,
    sessions: sessionmaker[Session],
) -> AsyncIterator[Money]:
    """The movement harness on the time-skipping server, with ``payment_settings`` if marked."""
    marker = request.node.get_closest_marker("payment_settings")
    payments = PaymentSettings(**marker.kwargs) if marker else None
    async with running_money(api_settings, time_skipping_env, sessions, payments=payments) as m:
        yield m


@pytest.fixture
async def people(request: pytest.FixtureRequest, money: Money) -> tuple[Member, Member]:
    """Ana and Beto, logged in, with the ``balances`` marker's cents (100_000, 5_000)."""
    marker = request.node.get_closest_marker("balances")
    ana_cents, beto_cents = marker.args if marker else (100_000, 5_000)
    with money.sessions.begin() as session:
        ana = make_member(session, "ana", ana_cents)
        beto = make_member(session, "beto", beto_cents)
    return await money.login(ana), await money.login(beto)

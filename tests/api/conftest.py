"""The real app over the session's PostgreSQL database, driven through Starlette's TestClient."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from bank.core.settings import ApiSettings

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

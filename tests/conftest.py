"""Shared fixtures: a migrated PostgreSQL database per test session, emptied before each test;
the Temporal servers of ``tests.support.temporal`` (registered below for every test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bank.adapters.mail_sink import start_sink
from bank.core import migrate
from bank.core.db import make_engine, session_factory
from bank.models import Base
from tests.postgres import throwaway_database
from tests.support.net import free_port

pytest_plugins = ["tests.support.temporal"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: sync Playwright keeps an event loop running on the main thread
    for the rest of the session, where pytest-asyncio could no longer start its own."""
    items.sort(key=lambda item: "tests/web/" in item.nodeid)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """URL of a PostgreSQL database migrated to head, private to this test session."""
    with throwaway_database() as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, pool_size=10, max_overflow=10)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Engine:
    """The session's engine over an empty database (every table truncated first)."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return engine


@pytest.fixture
def sessions(db: Engine) -> sessionmaker[Session]:
    """A session factory over the emptied database."""
    return session_factory(db)


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A real SMTP server (aiosmtpd, our mail sink) on a free port, and its mailbox folder."""
    port, inbox = free_port(), tmp_path / "inbox"
    controller = start_sink(inbox, port=port)
    yield port, inbox
    controller.stop()

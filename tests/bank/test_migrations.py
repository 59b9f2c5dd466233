"""The schema migrates up and down on SQLite (the embedded default) and matches the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bank.core import migrate
from bank.core.db import make_engine
from bank.models import Base


def test_sqlite_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate.upgrade(url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_postgres_schema_matches_models(engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_upgrade_keeps_existing_data(tmp_path: Path) -> None:
    """A member's running embedded database (with loans) upgrades through every migration."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO members (id, identification_type, identification, first_names,"
                " last_names, birth_date, civil_status, civil_status_verified, created_at)"
                " VALUES (1, 'CEDULA', '1710034065', 'ANA', 'PEREZ', '1990-01-01', 'SOLTERO',"
                " 1, '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO accounts (id, number, member_id, product, status, currency,"
                " balance_cents, held_cents, allow_negative, created_at)"
                " VALUES (1, '410000000001', 1, 'SAVINGS', 'ACTIVO', 'USD', 0, 0, 0,"
                " '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO loans (id, number, member_id, account_id, product_name,"
                " amount_cents, principal_balance_cents, annual_rate, term_months, method,"
                " issued_on, status, created_at) VALUES (1, '0100000001', 1, 1, 'CONSUMO',"
                " 100000, 100000, 0.15, 12, 'FRENCH', '2026-01-01', 'VIGENTE',"
                " '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO loan_installments (id, loan_id, number, due_date, principal_cents,"
                " interest_cents, late_fee_cents, insurance_cents)"
                " VALUES (1, 1, 1, '2026-02-02', 8000, 1250, 0, 0)"
            )
        )
    engine.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM loan_installments")).scalar() == 1
        assert conn.execute(text("SELECT number FROM loans")).scalar() == "0100000001"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    engine.dispose()


def test_sqlite_upgrade_gives_queued_messages_no_attachments(tmp_path: Path) -> None:
    """0003 adds ``attachments``; a message queued before it reads back as ``[]``."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url, "0002")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO outbound_messages (id, idempotency_key, channel, recipient,"
                " body_text, template, sensitive, status, attempts, created_at)"
                " VALUES (1, 'otp:1', 'SMS', '0991234567', 'x', 'otp', 1, 'PENDING', 0,"
                " '2026-01-01 00:00:00')"
            )
        )
    engine.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT attachments FROM outbound_messages")).scalar() == "[]"
    engine.dispose()
    migrate.downgrade(url, "0002")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM outbound_messages")).scalar() == 1
    engine.dispose()

"""Alembic environment: the URL comes from the caller's config or from CoreSettings."""

from __future__ import annotations

from alembic import context

from bank.core.db import make_engine
from bank.core.settings import CoreSettings
from bank.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or CoreSettings().database_url


def run_migrations() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild tables (create copy, drop, rename); with foreign keys
            # enforced, dropping a referenced table fails. Check integrity after instead.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
    engine.dispose()


run_migrations()

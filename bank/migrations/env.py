"""Alembic environment: the URL comes from the caller's config or from CoreSettings."""

from __future__ import annotations

from alembic import context

from bank.db import make_engine
from bank.models import Base
from bank.settings import CoreSettings

config = context.config
url = config.get_main_option("sqlalchemy.url") or CoreSettings().database_url


def run_migrations() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()

"""Apply Alembic migrations programmatically (used by the run command and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from bank.core.settings import ROOT


def alembic_config(url: str) -> Config:
    """An Alembic config bound to ``url``."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision``."""
    command.downgrade(alembic_config(url), revision)

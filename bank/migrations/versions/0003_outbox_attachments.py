"""outbox attachments: document-store references on outbound messages

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite rebuilds the table; existing rows get the '[]' server default.
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(
            sa.Column(
                "attachments",
                sa.JSON(),
                server_default=sa.text("'[]'"),
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_column("attachments")

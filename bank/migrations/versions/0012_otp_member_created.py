"""otp_challenges: an index by member and time (the hourly count of wrong codes)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_otp_member_created", "otp_challenges", ["member_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_otp_member_created", table_name="otp_challenges")

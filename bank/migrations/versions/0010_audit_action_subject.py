"""audit_events: an index for counts by action and subject (failed logins, request limits)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_events_action_subject_at", "audit_events", ["action", "subject", "at"]
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_action_subject_at", table_name="audit_events")

"""credit journey: consents, signing links, one loan per origin

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "credit_consents",
        sa.Column("id", BigId, nullable=False),
        sa.Column("workflow_id", sa.String(length=120), nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("text_version", sa.String(length=20), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_credit_consents_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_consents")),
        sa.UniqueConstraint("workflow_id", name=op.f("uq_credit_consents_workflow_id")),
    )
    op.create_index(
        op.f("ix_credit_consents_member_id"), "credit_consents", ["member_id"], unique=False
    )
    op.create_table(
        "credit_signing_links",
        sa.Column("id", BigId, nullable=False),
        sa.Column("workflow_id", sa.String(length=120), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_credit_signing_links_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_signing_links")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_credit_signing_links_token_digest")),
        sa.UniqueConstraint("workflow_id", "generation", "role", name="uq_signing_link"),
    )
    with op.batch_alter_table("loans") as batch:
        batch.create_unique_constraint(op.f("uq_loans_origin"), ["origin"])


def downgrade() -> None:
    with op.batch_alter_table("loans") as batch:
        batch.drop_constraint(op.f("uq_loans_origin"), type_="unique")
    op.drop_table("credit_signing_links")
    op.drop_index(op.f("ix_credit_consents_member_id"), table_name="credit_consents")
    op.drop_table("credit_consents")

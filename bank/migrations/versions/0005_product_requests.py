"""product requests: "Solicita tus productos"

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 21:04:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status = 'NUEVA'")


def upgrade() -> None:
    op.create_table(
        "product_requests",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "product",
            sa.Enum(
                "CUENTA_AHORROS",
                "AHORRO_PROGRAMADO",
                "CERTIFICADO_DEPOSITO",
                "CREDITO_CONSUMO",
                "CREDITO_VIVIENDA",
                "MICROCREDITO",
                "TARJETA_CREDITO",
                "TARJETA_DEBITO",
                name="requested_product",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column(
            "contact_channel",
            sa.Enum(
                "LLAMADA",
                "WHATSAPP",
                "CORREO",
                "AGENCIA",
                name="contact_channel",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "NUEVA",
                "ATENDIDA",
                name="product_request_status",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attended_by", sa.String(length=80), nullable=True),
        sa.CheckConstraint(
            "amount_cents IS NULL OR amount_cents > 0",
            name=op.f("ck_product_requests_positive_amount"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_product_requests_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_requests")),
    )
    with op.batch_alter_table("product_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_requests_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            "ix_product_requests_status_created", ["status", "created_at"], unique=False
        )
        batch_op.create_index(
            "uq_product_requests_open",
            ["member_id", "product"],
            unique=True,
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        )


def downgrade() -> None:
    with op.batch_alter_table("product_requests", schema=None) as batch_op:
        batch_op.drop_index("uq_product_requests_open")
        batch_op.drop_index("ix_product_requests_status_created")
        batch_op.drop_index(batch_op.f("ix_product_requests_member_id"))

    op.drop_table("product_requests")

"""money movements: beneficiaries, movements, bill payments, schedules

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:52:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paid_bills",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("company_code", sa.String(length=20), nullable=False),
        sa.Column("receipt_number", sa.String(length=30), nullable=False),
        sa.Column("workflow_id", sa.String(length=120), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paid_bills")),
        sa.UniqueConstraint("company_code", "receipt_number", name="uq_paid_bill"),
    )
    with op.batch_alter_table("paid_bills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paid_bills_workflow_id"), ["workflow_id"], unique=False
        )

    op.create_table(
        "sim_biller_bills",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("company_code", sa.String(length=20), nullable=False),
        sa.Column("supply_number", sa.String(length=30), nullable=False),
        sa.Column("receipt_number", sa.String(length=30), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("paid_reference", sa.String(length=160), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_biller_bills")),
        sa.UniqueConstraint("company_code", "receipt_number", name="uq_sim_bill_receipt"),
        sa.UniqueConstraint("company_code", "supply_number", "period", name="uq_sim_bill_period"),
    )
    op.create_table(
        "beneficiaries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "service",
            sa.Enum(
                "COOPROGRESO",
                "INTERBANCARIA",
                name="beneficiary_service",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("identification_type", sa.String(length=10), nullable=False),
        sa.Column("identification", sa.String(length=20), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("institution_code", sa.String(length=20), nullable=False),
        sa.Column("account_type", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_beneficiaries_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beneficiaries")),
        sa.UniqueConstraint(
            "member_id", "service", "institution_code", "account_number", name="uq_beneficiary"
        ),
    )
    with op.batch_alter_table("beneficiaries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_beneficiaries_member_id"), ["member_id"], unique=False)

    op.create_table(
        "registered_cards",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("institution_code", sa.String(length=20), nullable=False),
        sa.Column("brand", sa.String(length=20), nullable=False),
        sa.Column("holder_name", sa.String(length=80), nullable=False),
        sa.Column("masked_number", sa.String(length=19), nullable=False),
        sa.Column("pan_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_registered_cards_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registered_cards")),
        sa.UniqueConstraint("member_id", "pan_digest", name="uq_registered_card"),
    )
    with op.batch_alter_table("registered_cards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registered_cards_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "money_movements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workflow_id", sa.String(length=120), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "OWN_TRANSFER",
                "COOP_TRANSFER",
                "INTERBANK_TRANSFER",
                "SERVICE_PAYMENT",
                "COOP_CARD_PAYMENT",
                "OTHER_CARD_PAYMENT",
                name="movement_kind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column(
            "origin_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("iva_cents", sa.BigInteger(), nullable=False),
        sa.Column("counts_to_limit", sa.Boolean(), nullable=False),
        sa.Column("destination", sa.JSON(), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "POSTED",
                "COMPLETED",
                "REVERSED",
                name="movement_status",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "reversal_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("failure_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_money_movements_positive_amount")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_money_movements_entry_id_journal_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_money_movements_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["origin_account_id"],
            ["accounts.id"],
            name=op.f("fk_money_movements_origin_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reversal_entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_money_movements_reversal_entry_id_journal_entries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_movements")),
        sa.UniqueConstraint("workflow_id", name=op.f("uq_money_movements_workflow_id")),
    )
    with op.batch_alter_table("money_movements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_money_movements_member_created", ["member_id", "created_at"], unique=False
        )

    op.create_table(
        "payment_schedules",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("origin", sa.String(length=120), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("company_code", sa.String(length=20), nullable=False),
        sa.Column("company_name", sa.String(length=80), nullable=False),
        sa.Column("supply_number", sa.String(length=30), nullable=False),
        sa.Column("max_amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVO",
                "PAUSADO",
                "CANCELADO",
                name="schedule_status",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("terms_version", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("max_amount_cents > 0", name=op.f("ck_payment_schedules_positive_max")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_payment_schedules_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_payment_schedules_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_schedules")),
        sa.UniqueConstraint("origin", name=op.f("uq_payment_schedules_origin")),
    )
    with op.batch_alter_table("payment_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_schedules_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "registered_services",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("company_code", sa.String(length=20), nullable=False),
        sa.Column("supply_number", sa.String(length=30), nullable=False),
        sa.Column("alias", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_registered_services_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_registered_services_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registered_services")),
        sa.UniqueConstraint(
            "member_id", "company_code", "supply_number", name="uq_registered_service"
        ),
    )
    with op.batch_alter_table("registered_services", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registered_services_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "service_payments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "movement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "schedule_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("company_code", sa.String(length=20), nullable=False),
        sa.Column("company_name", sa.String(length=80), nullable=False),
        sa.Column("supply_number", sa.String(length=30), nullable=False),
        sa.Column("receipts", sa.JSON(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("iva_cents", sa.BigInteger(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "PAGADO",
                "SIN_FACTURA",
                "SUPERA_MONTO_MAXIMO",
                "FONDOS_INSUFICIENTES",
                "YA_PAGADO",
                "REVERSADO",
                "ERROR",
                name="payment_outcome",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_service_payments_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_service_payments_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["movement_id"],
            ["money_movements.id"],
            name=op.f("fk_service_payments_movement_id_money_movements"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["payment_schedules.id"],
            name=op.f("fk_service_payments_schedule_id_payment_schedules"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_payments")),
        sa.UniqueConstraint("code", name=op.f("uq_service_payments_code")),
        sa.UniqueConstraint("key", name=op.f("uq_service_payments_key")),
    )
    with op.batch_alter_table("service_payments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_payments_member_created", ["member_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("service_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_service_payments_member_created")

    op.drop_table("service_payments")
    with op.batch_alter_table("registered_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registered_services_member_id"))

    op.drop_table("registered_services")
    with op.batch_alter_table("payment_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_schedules_member_id"))

    op.drop_table("payment_schedules")
    with op.batch_alter_table("money_movements", schema=None) as batch_op:
        batch_op.drop_index("ix_money_movements_member_created")

    op.drop_table("money_movements")
    with op.batch_alter_table("registered_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registered_cards_member_id"))

    op.drop_table("registered_cards")
    with op.batch_alter_table("beneficiaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_beneficiaries_member_id"))

    op.drop_table("beneficiaries")
    op.drop_table("sim_biller_bills")
    with op.batch_alter_table("paid_bills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paid_bills_workflow_id"))

    op.drop_table("paid_bills")

"""Money movements: beneficiaries, registered services and cards, movements, bill payments.

A movement's journey lives in its workflow; these rows are what outlives it and what
histories, limits and the never-twice rules read: one ``MoneyMovement`` per workflow (its
ID is the client's idempotency key), one ``PaidBill`` per biller receipt ever paid (the
unique constraint is the guard), one ``ServicePaymentRecord`` per line of the payment
history ("Historial de Pagos"), paid or not.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bank.models.base import Base, BigId, utcnow
from bank.payments.orders import MovementKind


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=24, validate_strings=True)


class BeneficiaryService(enum.StrEnum):
    """The service a beneficiary is registered for (manual "Administración de Beneficiarios")."""

    COOPROGRESO = "COOPROGRESO"
    """Transferencias Cooprogreso (shown as "Transferencia Terceros")."""
    INTERBANCARIA = "INTERBANCARIA"
    """Transferencias Interbancarias (through the SPI)."""


COOPROGRESO_INSTITUTION = "COOPROGRESO"
"""``institution_code`` of a beneficiary or destination inside Cooprogreso."""


class Beneficiary(Base):
    """A payee a member saved for transfers."""

    __tablename__ = "beneficiaries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    service: Mapped[BeneficiaryService] = mapped_column(
        _enum(BeneficiaryService, "beneficiary_service")
    )
    name: Mapped[str] = mapped_column(String(80))
    identification_type: Mapped[str] = mapped_column(String(10))
    """``CEDULA``, ``RUC`` or ``PASAPORTE``."""
    identification: Mapped[str] = mapped_column(String(20))
    account_number: Mapped[str] = mapped_column(String(20))
    institution_code: Mapped[str] = mapped_column(String(20))
    """SPI institution code, or ``COOPROGRESO``."""
    account_type: Mapped[str] = mapped_column(String(10))
    """``AHORROS`` or ``CORRIENTE``."""
    email: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint(
            "member_id", "service", "institution_code", "account_number", name="uq_beneficiary"
        ),
    )


class MovementStatus(enum.StrEnum):
    POSTED = "POSTED"
    """Debited; waiting for the receiving side (SPI, biller)."""
    COMPLETED = "COMPLETED"
    REVERSED = "REVERSED"
    """The receiving side refused: everything was credited back."""


class MoneyMovement(Base):
    """A confirmed movement: what was debited, for whom, and how it ended."""

    __tablename__ = "money_movements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(120), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    kind: Mapped[MovementKind] = mapped_column(_enum(MovementKind, "movement_kind"))
    channel: Mapped[str] = mapped_column(String(10))
    origin_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    fee_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    iva_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    counts_to_limit: Mapped[bool] = mapped_column(default=True)
    """Whether it uses the member's daily limit (own-account transfers do not)."""
    destination: Mapped[dict[str, object]] = mapped_column(JSON)
    """What the member saw as the destination (name, masked account, institution…)."""
    reference: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[MovementStatus] = mapped_column(_enum(MovementStatus, "movement_status"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id", ondelete="RESTRICT"))
    reversal_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT")
    )
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="positive_amount"),
        Index("ix_money_movements_member_created", "member_id", "created_at"),
    )


class PaidBill(Base):
    """A biller receipt paid by Cooprogreso: the unique pair is the never-twice guard."""

    __tablename__ = "paid_bills"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20))
    receipt_number: Mapped[str] = mapped_column(String(30))
    workflow_id: Mapped[str] = mapped_column(String(120), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("company_code", "receipt_number", name="uq_paid_bill"),)


class PaymentOutcome(enum.StrEnum):
    PAGADO = "PAGADO"
    SIN_FACTURA = "SIN_FACTURA"
    SUPERA_MONTO_MAXIMO = "SUPERA_MONTO_MAXIMO"
    FONDOS_INSUFICIENTES = "FONDOS_INSUFICIENTES"
    YA_PAGADO = "YA_PAGADO"
    REVERSADO = "REVERSADO"
    ERROR = "ERROR"


class ServicePaymentRecord(Base):
    """One line of "Historial de Pagos": a manual payment or an automatic run, paid or not."""

    __tablename__ = "service_payments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    """Idempotency of the record: the workflow ID (manual) or the run's ID (automatic)."""
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    movement_id: Mapped[int | None] = mapped_column(
        ForeignKey("money_movements.id", ondelete="RESTRICT")
    )
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_schedules.id", ondelete="RESTRICT")
    )
    automatic: Mapped[bool] = mapped_column(default=False)
    category: Mapped[str] = mapped_column(String(40))
    company_code: Mapped[str] = mapped_column(String(20))
    company_name: Mapped[str] = mapped_column(String(80))
    supply_number: Mapped[str] = mapped_column(String(30))
    receipts: Mapped[list[str]] = mapped_column(JSON)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    iva_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    outcome: Mapped[PaymentOutcome] = mapped_column(_enum(PaymentOutcome, "payment_outcome"))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    """The payment's code (comprobante) the member can search the history by."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_service_payments_member_created", "member_id", "created_at"),)


class RegisteredService(Base):
    """A service a member registered to pay ("Registro de Servicios")."""

    __tablename__ = "registered_services"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    category: Mapped[str] = mapped_column(String(40))
    company_code: Mapped[str] = mapped_column(String(20))
    supply_number: Mapped[str] = mapped_column(String(30))
    alias: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint(
            "member_id", "company_code", "supply_number", name="uq_registered_service"
        ),
    )


class RegisteredCard(Base):
    """Another bank's credit card a member pays from Cooprogreso ("Otros Bancos")."""

    __tablename__ = "registered_cards"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    institution_code: Mapped[str] = mapped_column(String(20))
    brand: Mapped[str] = mapped_column(String(20))
    holder_name: Mapped[str] = mapped_column(String(80))
    masked_number: Mapped[str] = mapped_column(String(19))
    pan_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("member_id", "pan_digest", name="uq_registered_card"),)


class ScheduleStatus(enum.StrEnum):
    ACTIVO = "ACTIVO"
    PAUSADO = "PAUSADO"
    CANCELADO = "CANCELADO"


class PaymentSchedule(Base):
    """An authorised automatic debit ("Pagos Programados"); its Temporal Schedule is
    ``sched-pay-<id>``."""

    __tablename__ = "payment_schedules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    origin: Mapped[str] = mapped_column(String(120), unique=True)
    """The authorising workflow's ID: one schedule per confirmed authorisation."""
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    category: Mapped[str] = mapped_column(String(40))
    company_code: Mapped[str] = mapped_column(String(20))
    company_name: Mapped[str] = mapped_column(String(80))
    supply_number: Mapped[str] = mapped_column(String(30))
    max_amount_cents: Mapped[int] = mapped_column(BigInteger)
    frequency: Mapped[str] = mapped_column(String(20))
    day: Mapped[int | None]
    """Day of the month (monthly) or ISO weekday 1-7 (weekly, every two weeks)."""
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[ScheduleStatus] = mapped_column(_enum(ScheduleStatus, "schedule_status"))
    terms_version: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("max_amount_cents > 0", name="positive_max"),)


class SimulatedBill(Base):
    """The biller network simulator's own bills (not used with a real biller adapter)."""

    __tablename__ = "sim_biller_bills"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20))
    supply_number: Mapped[str] = mapped_column(String(30))
    receipt_number: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(7))
    """``YYYY-MM`` of the bill."""
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date]
    paid_reference: Mapped[str | None] = mapped_column(String(160))
    paid_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("company_code", "receipt_number", name="uq_sim_bill_receipt"),
        UniqueConstraint("company_code", "supply_number", "period", name="uq_sim_bill_period"),
    )

"""Loans with their amortization table, investments (certificados de depósito) and cards."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bank.models.base import Base, BigId, utcnow


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, validate_strings=True)


class AmortizationMethod(enum.StrEnum):
    FRENCH = "FRENCH"
    """Equal installments (cuota fija)."""
    GERMAN = "GERMAN"
    """Equal principal (capital fijo)."""


class LoanStatus(enum.StrEnum):
    VIGENTE = "VIGENTE"
    CANCELADO = "CANCELADO"
    VENCIDO = "VENCIDO"


class Loan(Base):
    """A loan (préstamo / crédito) with its schedule of installments."""

    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    """The savings account the loan was disbursed to and is debited from."""
    product_name: Mapped[str] = mapped_column(String(80))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    principal_balance_cents: Mapped[int] = mapped_column(BigInteger)
    annual_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    """Nominal annual rate as a fraction: 0.1583 is 15.83%."""
    term_months: Mapped[int]
    method: Mapped[AmortizationMethod] = mapped_column(_enum(AmortizationMethod, "amort_method"))
    issued_on: Mapped[date]
    status: Mapped[LoanStatus] = mapped_column(_enum(LoanStatus, "loan_status"))
    origin: Mapped[str | None] = mapped_column(String(120), unique=True)
    """Where the loan came from, e.g. the credit journey's workflow ID (one loan per journey)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    installments: Mapped[list[Installment]] = relationship(
        order_by="Installment.number", back_populates="loan"
    )

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="positive_amount"),
        CheckConstraint("principal_balance_cents >= 0", name="balance_non_negative"),
    )


class Installment(Base):
    """One row of the amortization table. Its status is derived from dates and payment."""

    __tablename__ = "loan_installments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id", ondelete="RESTRICT"))
    number: Mapped[int]
    due_date: Mapped[date]
    principal_cents: Mapped[int] = mapped_column(BigInteger)
    interest_cents: Mapped[int] = mapped_column(BigInteger)
    late_fee_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    insurance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_on: Mapped[date | None]

    loan: Mapped[Loan] = relationship(back_populates="installments")

    __table_args__ = (UniqueConstraint("loan_id", "number", name="uq_installment_number"),)

    @property
    def total_cents(self) -> int:
        """Cuota: principal + interest + late fee + insurance."""
        return (
            self.principal_cents
            + self.interest_cents
            + self.late_fee_cents
            + (self.insurance_cents)
        )


class Investment(Base):
    """A term deposit (inversión / certificado de depósito a plazo)."""

    __tablename__ = "investments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    issued_on: Mapped[date]
    matures_on: Mapped[date]
    annual_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    days: Mapped[int]
    interest_earned_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    interest_paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20), default="VIGENTE")


class CardKind(enum.StrEnum):
    DEBIT = "DEBIT"
    CREDIT = "CREDIT"


class CardStatus(enum.StrEnum):
    ACTIVA = "ACTIVA"
    BLOQUEADA = "BLOQUEADA"
    INACTIVA = "INACTIVA"


class Card(Base):
    """A debit or credit card. The full number is never stored: a mask and a keyed digest."""

    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    """Debit cards: the account they draw on."""
    kind: Mapped[CardKind] = mapped_column(_enum(CardKind, "card_kind"))
    brand: Mapped[str] = mapped_column(String(40))
    masked_number: Mapped[str] = mapped_column(String(19))
    pan_digest: Mapped[str] = mapped_column(String(64), unique=True)
    """HMAC-SHA256 of the full number under the institution's key."""
    status: Mapped[CardStatus] = mapped_column(_enum(CardStatus, "card_status"))
    credit_limit_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    revolving_used_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    deferred_used_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    minimum_payment_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    payment_due_date: Mapped[date | None]

    __table_args__ = (
        CheckConstraint("revolving_used_cents >= 0 AND deferred_used_cents >= 0", name="used"),
    )

    @property
    def available_credit_cents(self) -> int:
        """Cupo disponible: limit minus revolving and deferred balances (never below zero)."""
        return max(
            0, self.credit_limit_cents - self.revolving_used_cents - self.deferred_used_cents
        )

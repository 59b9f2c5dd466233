"""A credit card's books: its ledger accounts, purchases, deferrals and monthly statements.

The card's two balances live in the ledger (``bank.cards.books``): a revolving account and a
deferred account, both of the card, never listed among the member's accounts. The counters
on :class:`~bank.models.products.Card` follow them in the same transaction.
"""

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
from sqlalchemy.orm import Mapped, mapped_column

from bank.models.base import Base, BigId, utcnow


class CardBooks(Base):
    """The two ledger accounts of one credit card (opened at its first operation)."""

    __tablename__ = "card_books"

    card_id: Mapped[int] = mapped_column(
        ForeignKey("cards.id", ondelete="RESTRICT"), primary_key=True
    )
    revolving_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), unique=True
    )
    deferred_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), unique=True
    )


class CardPurchase(Base):
    """A consumo: one purchase charged to the card's revolving balance."""

    __tablename__ = "card_purchases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="RESTRICT"), index=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    """The network's authorisation key (idempotency: a retried purchase is charged once)."""
    merchant: Mapped[str] = mapped_column(String(80))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("amount_cents > 0", name="purchase_positive"),)


class DeferralStatus(enum.StrEnum):
    VIGENTE = "VIGENTE"
    """Installments still to bill."""
    CANCELADO = "CANCELADO"
    """Every installment billed."""
    PRECANCELADO = "PRECANCELADO"
    """Paid off early: the remaining principal moved to the revolving balance."""


class CardDeferral(Base):
    """A diferido: (part of) one purchase moved to the deferred balance, billed monthly."""

    __tablename__ = "card_deferrals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="RESTRICT"), index=True)
    purchase_id: Mapped[int] = mapped_column(
        ForeignKey("card_purchases.id", ondelete="RESTRICT"), unique=True
    )
    """A purchase is deferred once, ever."""
    key: Mapped[str] = mapped_column(String(120), unique=True)
    """The deferral journey (``<workflow id>/<run id>``): a retry defers once."""
    principal_cents: Mapped[int] = mapped_column(BigInteger)
    term_months: Mapped[int]
    annual_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    """Nominal annual rate as a fraction (0 for an interest-free term)."""
    installment_cents: Mapped[int] = mapped_column(BigInteger)
    """The fixed cuota (the last one absorbs the rounding)."""
    status: Mapped[DeferralStatus] = mapped_column(
        Enum(DeferralStatus, name="deferral_status", native_enum=False, length=20),
        default=DeferralStatus.VIGENTE,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("principal_cents > 0", name="deferral_positive"),
        CheckConstraint("term_months > 0", name="deferral_term"),
    )


class DeferralInstallment(Base):
    """One row of a deferral's table: billed by the statement that names it."""

    __tablename__ = "card_deferral_installments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deferral_id: Mapped[int] = mapped_column(
        ForeignKey("card_deferrals.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int]
    principal_cents: Mapped[int] = mapped_column(BigInteger)
    interest_cents: Mapped[int] = mapped_column(BigInteger)
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("card_statements.id", ondelete="RESTRICT"), index=True
    )
    """Set when a statement billed it; never for a row voided by an early payoff."""
    voided: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (UniqueConstraint("deferral_id", "number", name="uq_deferral_number"),)


class CardStatement(Base):
    """An estado de cuenta: one closed billing cycle of one card (figures frozen at close)."""

    __tablename__ = "card_statements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="RESTRICT"))
    cycle_end: Mapped[date]
    """Fecha de corte: purchases and payments up to this day (America/Guayaquil) count."""
    period_start: Mapped[date]
    due_date: Mapped[date]
    previous_balance_cents: Mapped[int] = mapped_column(BigInteger)
    purchases_cents: Mapped[int] = mapped_column(BigInteger)
    payments_cents: Mapped[int] = mapped_column(BigInteger)
    installments_cents: Mapped[int] = mapped_column(BigInteger)
    """Principal + interest of the deferral installments billed by this cycle."""
    installment_interest_cents: Mapped[int] = mapped_column(BigInteger)
    """The interest part of ``installments_cents``."""
    interest_cents: Mapped[int] = mapped_column(BigInteger)
    """Interest on the revolving balance left unpaid from the previous statement."""
    total_due_cents: Mapped[int] = mapped_column(BigInteger)
    """The revolving balance after the close: "total a pagar"."""
    minimum_payment_cents: Mapped[int] = mapped_column(BigInteger)
    deferred_balance_cents: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("card_id", "cycle_end", name="uq_statement_cycle"),)

"""Accounts carry balances: member savings and contribution certificates, and internal GL accounts.

Balances are integer cents. ``balance_cents`` is the accounting balance (saldo contable);
``held_cents`` is the total of active holds; the available balance (saldo disponible) is their
difference, except for contribution certificates whose available balance is always zero.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bank.models.base import Base, BigId, utcnow


class ProductType(enum.StrEnum):
    SAVINGS = "SAVINGS"
    """CUENTA DE AHORROS"""
    CERTIFICATES = "CERTIFICATES"
    """CERTIFICADOS DE APORTACION: never available for withdrawal online."""
    INTERNAL = "INTERNAL"
    """An institution's general-ledger account (fees, IVA, clearing, loan portfolio...)."""
    CARD_REVOLVING = "CARD_REVOLVING"
    """A credit card's revolving balance (negative: what the member owes); no member_id."""
    CARD_DEFERRED = "CARD_DEFERRED"
    """A credit card's deferred balance (negative); no member_id, see ``card_books``."""


PRODUCT_LABELS = {
    ProductType.SAVINGS: "CUENTA DE AHORROS",
    ProductType.CERTIFICATES: "CERTIFICADOS DE APORTACION",
    ProductType.INTERNAL: "CUENTA INTERNA",
    ProductType.CARD_REVOLVING: "TARJETA DE CREDITO ROTATIVO",
    ProductType.CARD_DEFERRED: "TARJETA DE CREDITO DIFERIDO",
}


class AccountStatus(enum.StrEnum):
    ACTIVO = "ACTIVO"
    INACTIVO = "INACTIVO"
    BLOQUEADO = "BLOQUEADO"


class Account(Base):
    """A balance-carrying account; every posting of the ledger names one."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    product: Mapped[ProductType] = mapped_column(
        Enum(ProductType, name="product_type", native_enum=False, length=20)
    )
    status: Mapped[AccountStatus] = mapped_column(
        Enum(AccountStatus, name="account_status", native_enum=False, length=20),
        default=AccountStatus.ACTIVO,
    )
    name: Mapped[str | None] = mapped_column(String(80))
    """Internal accounts: a readable name ("COMISIONES POR TRANSFERENCIAS")."""
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    held_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    allow_negative: Mapped[bool] = mapped_column(default=False)
    opened_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("held_cents >= 0", name="held_non_negative"),
        CheckConstraint("allow_negative OR balance_cents - held_cents >= 0", name="no_overdraft"),
    )

    @property
    def available_cents(self) -> int:
        """Saldo disponible: certificates are never available; others are balance − holds."""
        if self.product is ProductType.CERTIFICATES:
            return 0
        return self.balance_cents - self.held_cents

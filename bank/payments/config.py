"""Fees and limits of money movements (prefix ``COOP_PAY_``): configuration, not code.

Amounts are USD strings with two decimals; the worker reads them once and hands a
:class:`PaymentRules` to the activities. Fees carry 15 % IVA as a separate movement.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic_settings import BaseSettings, SettingsConfigDict

from bank.core.money import to_cents
from bank.payments.orders import MovementKind


class PaymentSettings(BaseSettings):
    """Commissions per kind and limits per channel; e.g. ``COOP_PAY_FEE_INTERBANK=0.41``."""

    model_config = SettingsConfigDict(
        env_prefix="COOP_PAY_", env_file=".env", extra="ignore", use_attribute_docstrings=True
    )

    fee_own_transfer: Decimal = Decimal("0.00")
    """Commission of a transfer between the member's own accounts."""
    fee_coop_transfer: Decimal = Decimal("0.36")
    """Commission of a transfer to another Cooprogreso member (manual: $0.36 + IVA)."""
    fee_interbank: Decimal = Decimal("0.36")
    """Commission of an interbank (SPI) transfer (manual: $0.36 + IVA)."""
    fee_service_payment: Decimal = Decimal("0.31")
    """Commission per receipt of a service bill payment (manual: $0.31)."""
    fee_coop_card: Decimal = Decimal("0.00")
    """Commission of a payment to a Cooprogreso credit card."""
    fee_other_card: Decimal = Decimal("0.36")
    """Commission of a payment to another bank's card (through the SPI)."""
    web_per_transaction: Decimal = Decimal("5000.00")
    """Largest single movement from the web channel."""
    web_daily: Decimal = Decimal("10000.00")
    """Most a member may move per day (America/Guayaquil) from the web channel."""
    mobile_per_transaction: Decimal = Decimal("2000.00")
    """Largest single movement from the mobile app."""
    mobile_daily: Decimal = Decimal("5000.00")
    """Most a member may move per day from the mobile app."""
    spi_immediate_seconds: float = 3.0
    """SPI simulator: seconds until an institution with immediate crediting credits."""

    def rules(self) -> PaymentRules:
        """The settings as integer cents."""
        fees = {
            MovementKind.OWN_TRANSFER: self.fee_own_transfer,
            MovementKind.COOP_TRANSFER: self.fee_coop_transfer,
            MovementKind.INTERBANK_TRANSFER: self.fee_interbank,
            MovementKind.SERVICE_PAYMENT: self.fee_service_payment,
            MovementKind.COOP_CARD_PAYMENT: self.fee_coop_card,
            MovementKind.OTHER_CARD_PAYMENT: self.fee_other_card,
        }
        return PaymentRules(
            fees={str(kind): to_cents(fee) for kind, fee in fees.items()},
            limits={
                "WEB": Limits(to_cents(self.web_per_transaction), to_cents(self.web_daily)),
                "MOVIL": Limits(to_cents(self.mobile_per_transaction), to_cents(self.mobile_daily)),
            },
        )


@dataclass(frozen=True)
class Limits:
    per_transaction_cents: int
    daily_cents: int


@dataclass(frozen=True)
class PaymentRules:
    """Fees (per kind; per receipt for service payments) and limits (per channel), in cents."""

    fees: dict[str, int]
    limits: dict[str, Limits]

    def fee(self, kind: str) -> int:
        """The commission of one movement (one receipt) of this kind, before IVA."""
        return self.fees[str(kind)]

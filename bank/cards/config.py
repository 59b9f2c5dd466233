"""Pricing and billing of credit cards (prefix ``COOP_CARD_``): configuration, not code.

Rates are nominal annual fractions; at load every one is checked against the regulatory
ceiling table (``bank.core.rates``), so an engine priced above the ceiling does not start.
The worker and the API read these once and pass a :class:`CardRules` around.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bank.core.money import to_cents
from bank.core.rates import DEFAULT_CEILINGS, check_ceiling

PAYMENT_PARTS = ("INTERESES", "CUOTAS", "SALDO_ANTERIOR", "CONSUMOS")
"""What a statement asks for, in the names ``payment_order`` uses."""


class CardSettings(BaseSettings):
    """E.g. ``COOP_CARD_DEFERRAL_INTEREST_FREE_TERMS='[3]'``; see ``docs/cards.md``."""

    model_config = SettingsConfigDict(
        env_prefix="COOP_CARD_", env_file=".env", extra="ignore", use_attribute_docstrings=True
    )

    revolving_annual_rate: Decimal = Decimal("0.1550")
    """Nominal annual rate on the revolving balance left unpaid (effective 16.65%)."""
    deferral_terms: list[int] = Field(default_factory=lambda: [3, 6, 9, 12, 18, 24])
    """The terms (months) a purchase may be deferred to."""
    deferral_interest_free_terms: list[int] = Field(default_factory=lambda: [3, 6])
    """Terms without interest ("diferido sin intereses")."""
    deferral_annual_rate: Decimal = Decimal("0.1500")
    """Nominal annual rate of the other terms (effective 16.08%)."""
    cycle_day: int = Field(default=25, ge=1, le=27)
    """Fecha de corte: the day of the month every statement closes (the close runs the
    next day at 01:00, so at most the 27th: every month has a 28th)."""
    due_days: int = Field(default=20, ge=1, le=40)
    """Pagar hasta el: days from the close to the payment's due date."""
    minimum_percent: Decimal = Decimal("0.10")
    """Pago mínimo: this share of the revolving principal, plus interest and installments."""
    minimum_floor: Decimal = Decimal("10.00")
    """Pago mínimo: at least this much of the principal (never more than is owed)."""
    payment_order: list[str] = Field(default_factory=lambda: list(PAYMENT_PARTS))
    """The order a payment settles what the statement asks for."""
    rate_ceilings: dict[str, Decimal] = Field(default_factory=lambda: dict(DEFAULT_CEILINGS))
    """Maximum effective annual rate per segment (``COOP_CARD_RATE_CEILINGS='{"CONSUMO":
    "0.1677"}'``)."""

    billing_schedule: bool = True
    """The worker keeps the monthly close's Temporal Schedule (off: closes run by hand)."""

    @model_validator(mode="after")
    def _sane(self) -> CardSettings:
        if not set(self.deferral_interest_free_terms) <= set(self.deferral_terms):
            raise ValueError("deferral_interest_free_terms must be among deferral_terms")
        if sorted(self.payment_order) != sorted(PAYMENT_PARTS):
            raise ValueError(f"payment_order must order exactly {', '.join(PAYMENT_PARTS)}")
        check_ceiling(self.revolving_annual_rate, self.rate_ceilings)
        check_ceiling(self.deferral_annual_rate, self.rate_ceilings)
        return self

    def rules(self) -> CardRules:
        """The settings as the domain uses them (cents and fractions)."""
        return CardRules(
            revolving_annual_rate=self.revolving_annual_rate,
            deferral_terms=tuple(sorted(set(self.deferral_terms))),
            interest_free_terms=frozenset(self.deferral_interest_free_terms),
            deferral_annual_rate=self.deferral_annual_rate,
            cycle_day=self.cycle_day,
            due_days=self.due_days,
            minimum_percent=self.minimum_percent,
            minimum_floor_cents=to_cents(self.minimum_floor),
            payment_order=tuple(self.payment_order),
            rate_ceilings=dict(self.rate_ceilings),
        )


@dataclass(frozen=True)
class CardRules:
    """What the card domain needs of :class:`CardSettings`."""

    revolving_annual_rate: Decimal
    deferral_terms: tuple[int, ...]
    interest_free_terms: frozenset[int]
    deferral_annual_rate: Decimal
    cycle_day: int
    due_days: int
    minimum_percent: Decimal
    minimum_floor_cents: int
    payment_order: tuple[str, ...]
    rate_ceilings: dict[str, Decimal]

    def deferral_rate(self, term_months: int) -> Decimal:
        """The nominal annual rate of a deferral to ``term_months`` (0 when interest-free)."""
        return Decimal(0) if term_months in self.interest_free_terms else self.deferral_annual_rate

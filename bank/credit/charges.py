"""Charge rules of a campaign and the summary's "rubros" (manual §8 Paso 4, icon ⓘ).

A rule is flat (dollars) or a percentage of the amount requested, charged once at
disbursement (deducted from what the member receives) or with every installment, with or
without 15% IVA. Pure functions over integer cents.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bank.core.money import IVA_RATE, iva_cents, to_cents

MAX_PERCENT = Decimal("0.2")
"""A single rule may take at most 20% of the amount: anything above is a typo."""


class ChargeBasis(enum.StrEnum):
    """How a charge is computed."""

    FLAT = "FLAT"
    """``value`` is an amount in dollars (``"25.00"``)."""
    PERCENT = "PERCENT"
    """``value`` is a fraction of the amount requested (``"0.01"`` is 1%)."""


class ChargeTiming(enum.StrEnum):
    """When a charge is collected."""

    DISBURSEMENT = "DISBURSEMENT"
    """Once, deducted from the amount credited to the member."""
    INSTALLMENT = "INSTALLMENT"
    """With every installment (added to the cuota)."""


@dataclass(frozen=True)
class ChargeRule:
    """One configurable charge of a campaign.

    Attributes:
        code: stable machine name, e.g. ``COMISION_DESEMBOLSO``.
        label: what the member reads (Spanish), e.g. ``Comisión por desembolso``.
        basis: flat or percentage.
        value: Decimal string: dollars when flat, a fraction of the amount when percentage.
        timing: at disbursement or per installment.
        iva: whether 15% IVA is added on top (as its own line).
    """

    code: str
    label: str
    basis: ChargeBasis
    value: str
    timing: ChargeTiming = ChargeTiming.DISBURSEMENT
    iva: bool = False


@dataclass(frozen=True)
class Rubro:
    """One computed item of the summary; amounts in cents."""

    code: str
    label: str
    timing: ChargeTiming
    amount_cents: int
    iva_cents: int

    @property
    def total_cents(self) -> int:
        """The charge plus its IVA."""
        return self.amount_cents + self.iva_cents


@dataclass(frozen=True)
class ChargeSummary:
    """What separates the amount requested from the amount received."""

    amount_cents: int
    rubros: tuple[Rubro, ...]
    deducted_cents: int
    """Charges at disbursement, IVA included."""
    net_cents: int
    """What the member's savings account receives."""
    per_installment_cents: int
    """Added to every installment, IVA included."""

    @property
    def fees_cents(self) -> int:
        """Charges at disbursement without their IVA (credited to fee income)."""
        return sum(r.amount_cents for r in self.rubros if r.timing is ChargeTiming.DISBURSEMENT)

    @property
    def iva_cents(self) -> int:
        """IVA of the charges at disbursement (credited to IVA payable)."""
        return sum(r.iva_cents for r in self.rubros if r.timing is ChargeTiming.DISBURSEMENT)


def check_rule(rule: ChargeRule) -> None:
    """Refuse a rule that cannot be applied.

    Raises:
        ValueError: unknown basis or timing, or a value that is not a sane amount or rate.
    """
    basis = ChargeBasis(rule.basis)
    ChargeTiming(rule.timing)
    if not rule.code or not rule.label:
        raise ValueError("a charge rule needs a code and a label")
    try:
        value = Decimal(rule.value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"charge {rule.code}: value {rule.value!r} is not a number") from exc
    if not value.is_finite() or value < 0:
        raise ValueError(f"charge {rule.code}: value must be non-negative")
    if basis is ChargeBasis.FLAT:
        to_cents(value)
    elif value > MAX_PERCENT:
        raise ValueError(f"charge {rule.code}: a percentage is a fraction at most {MAX_PERCENT}")


def rubro(rule: ChargeRule, amount_cents: int) -> Rubro:
    """Compute one rule for a loan of ``amount_cents`` (half-up to the cent)."""
    check_rule(rule)
    if ChargeBasis(rule.basis) is ChargeBasis.FLAT:
        cents = to_cents(Decimal(rule.value))
    else:
        exact = Decimal(amount_cents) * Decimal(rule.value)
        cents = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    tax = iva_cents(cents, IVA_RATE) if rule.iva else 0
    return Rubro(rule.code, rule.label, ChargeTiming(rule.timing), cents, tax)


def summarize(amount_cents: int, rules: tuple[ChargeRule, ...] | list[ChargeRule]) -> ChargeSummary:
    """Apply every rule to a loan of ``amount_cents``.

    Raises:
        ValueError: a bad rule, or charges at disbursement that leave nothing to receive.
    """
    rubros = tuple(rubro(rule, amount_cents) for rule in rules)
    deducted = sum(r.total_cents for r in rubros if r.timing is ChargeTiming.DISBURSEMENT)
    per_installment = sum(r.total_cents for r in rubros if r.timing is ChargeTiming.INSTALLMENT)
    if deducted >= amount_cents:
        raise ValueError("charges at disbursement take the whole amount")
    return ChargeSummary(amount_cents, rubros, deducted, amount_cents - deducted, per_installment)

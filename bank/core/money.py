"""Money in USD: `Decimal` quantized to cents at the edges, integer cents inside the ledger."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
IVA_RATE = Decimal("0.15")
"""Ecuador's VAT (IVA) rate since April 2024."""


class InvalidAmount(ValueError):
    """An amount that is not a positive, finite number with at most two decimals."""


def to_cents(amount: Decimal | str | int) -> int:
    """Convert an exact amount in dollars to integer cents.

    Raises:
        InvalidAmount: if the amount has more than two decimals or is not a finite number.
    """
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise InvalidAmount(str(amount)) from exc
    if not value.is_finite():
        raise InvalidAmount(str(amount))
    cents = value * 100
    if cents != cents.to_integral_value():
        raise InvalidAmount(str(amount))
    return int(cents)


def from_cents(cents: int) -> Decimal:
    """Integer cents to a `Decimal` with exactly two decimals."""
    return (Decimal(cents) / 100).quantize(CENT)


def round_cents(value: Decimal) -> Decimal:
    """Round a computed amount half-up to the cent (the convention for fees and interest)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def iva_cents(base_cents: int, rate: Decimal = IVA_RATE) -> int:
    """IVA on a fee, rounded half-up to the cent: $0.36 → $0.05, $0.31 → $0.05."""
    return int((Decimal(base_cents) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_usd(cents: int) -> str:
    """Format cents the way the manual shows amounts: `$13,750.00`, `-$0.36`."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${from_cents(abs(cents)):,}"

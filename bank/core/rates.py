"""Interest rates against the regulatory ceilings (tasas máximas efectivas): configuration.

Ecuador's Junta de Política y Regulación Financiera sets a maximum *effective* annual rate
per credit segment, published monthly by the Banco Central (consumer credit: 16.77% in
January 2026). Products here are priced with nominal annual rates compounded monthly, so a
rate is checked by its effective equivalent ``(1 + r/12)^12 − 1``. The table is
``COOP_CARD_RATE_CEILINGS`` (JSON, segment → fraction); see ``docs/cards.md``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from bank.core.errors import DomainError

CONSUMO = "CONSUMO"
"""The segment of credit cards, their deferrals and consumer loans."""

DEFAULT_CEILINGS: dict[str, Decimal] = {CONSUMO: Decimal("0.1677")}
"""The published table of January 2026 (effective annual, as fractions)."""


class RateAboveCeiling(DomainError):
    """A product or an operation priced above its segment's maximum effective rate."""

    code = "TASA_SUPERA_TECHO"
    default_message = "La tasa de interés supera la tasa máxima permitida."


def effective_annual_rate(nominal: Decimal) -> Decimal:
    """Tasa efectiva anual of a nominal rate compounded monthly: ``(1 + r/12)^12 − 1``."""
    return (1 + nominal / 12) ** 12 - 1


def percent(rate: Decimal) -> str:
    """``0.15`` → ``"15.00"`` (two decimals, half up)."""
    return str((rate * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def check_ceiling(
    nominal: Decimal, ceilings: dict[str, Decimal], segment: str = CONSUMO
) -> Decimal:
    """The effective rate of ``nominal``, or a refusal when it exceeds the segment's ceiling.

    Raises:
        RateAboveCeiling: the effective rate is above the ceiling (or the segment has none).
    """
    effective = effective_annual_rate(nominal)
    ceiling = ceilings.get(segment)
    if ceiling is None:
        raise RateAboveCeiling(f"No hay una tasa máxima configurada para el segmento {segment}.")
    if effective > ceiling:
        raise RateAboveCeiling(
            f"La tasa efectiva anual de {percent(effective)}% supera la tasa máxima de "
            f"{percent(ceiling)}% del segmento {segment.lower()}."
        )
    return effective

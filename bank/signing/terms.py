"""The credit terms the documents print, derived once from :class:`CreditDocumentsInput`.

Checks the input's internal consistency (net = amount − charges, principal sums to the
amount, one row per month, each installment the sum of its parts) so that no document can
show figures that contradict each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bank.core.money import format_usd
from bank.core.rates import effective_annual_rate
from bank.signing.contracts import CreditDocumentsInput, Party
from bank.signing.layout import long_date, short_date
from bank.signing.words import amount_in_words

_METHODS = {"FRENCH": "Francés (cuota fija)", "GERMAN": "Alemán (capital fijo)"}


class InvalidDocumentsInput(ValueError):
    """The input is inconsistent; no document is rendered from it."""


@dataclass(frozen=True)
class Terms:
    """Formatted figures shared by the four documents (Spanish, es-EC)."""

    data: CreditDocumentsInput
    issued_on: date
    first_due: date
    last_due: date
    amount: str
    amount_words: str
    net_amount: str
    installment: str
    nominal_rate: str
    effective_rate: str
    method: str
    total_interest: str
    total_insurance: str
    total_to_pay: str

    @property
    def member(self) -> Party:
        """The borrower."""
        return self.data.member

    @property
    def spouse(self) -> Party | None:
        """The borrower's spouse, when married or in unión de hecho."""
        return self.data.spouse

    @property
    def issued_long(self) -> str:
        """``14 de marzo de 2025``."""
        return long_date(self.issued_on)

    @property
    def first_due_short(self) -> str:
        """First due date, ``dd/mm/yyyy``."""
        return short_date(self.first_due)

    @property
    def last_due_short(self) -> str:
        """Final due date, ``dd/mm/yyyy``."""
        return short_date(self.last_due)


def derive_terms(data: CreditDocumentsInput) -> Terms:
    """Check ``data`` and format what the documents show.

    Raises:
        InvalidDocumentsInput: When figures contradict each other or a field is malformed.
    """
    _check(data)
    annual = _decimal(data.annual_rate, "annual_rate")
    rows = data.schedule
    return Terms(
        data=data,
        issued_on=_iso(data.issued_on, "issued_on"),
        first_due=_iso(rows[0].due_date, "due_date"),
        last_due=_iso(rows[-1].due_date, "due_date"),
        amount=format_usd(data.amount_cents),
        amount_words=amount_in_words(data.amount_cents),
        net_amount=format_usd(data.net_amount_cents),
        installment=format_usd(data.installment_cents),
        nominal_rate=percent(annual),
        effective_rate=percent(effective_annual_rate(annual)),
        method=_METHODS[data.method],
        total_interest=format_usd(sum(r.interest_cents for r in rows)),
        total_insurance=format_usd(sum(r.insurance_cents for r in rows)),
        total_to_pay=format_usd(sum(r.installment_cents for r in rows)),
    )


def percent(fraction: Decimal) -> str:
    """``Decimal("0.1583")`` → ``"15.83%"`` (two decimals, half-up)."""
    value = (fraction * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def _check(data: CreditDocumentsInput) -> None:
    if data.method not in _METHODS:
        raise InvalidDocumentsInput(f"method must be FRENCH or GERMAN, not {data.method!r}")
    if data.amount_cents <= 0 or data.term_months <= 0:
        raise InvalidDocumentsInput("amount and term must be positive")
    if any(charge.amount_cents < 0 for charge in data.charges):
        raise InvalidDocumentsInput("a charge cannot be negative")
    charges = sum(charge.amount_cents for charge in data.charges)
    if data.net_amount_cents != data.amount_cents - charges or data.net_amount_cents <= 0:
        raise InvalidDocumentsInput("net amount must be the amount minus every charge")
    rows = data.schedule
    if len(rows) != data.term_months:
        raise InvalidDocumentsInput(f"{len(rows)} schedule rows for {data.term_months} months")
    if sum(row.principal_cents for row in rows) != data.amount_cents:
        raise InvalidDocumentsInput("the schedule's principal does not add up to the amount")
    for row in rows:
        parts = row.principal_cents + row.interest_cents + row.insurance_cents
        if row.installment_cents != parts + row.late_fee_cents:
            raise InvalidDocumentsInput(f"installment {row.number} is not the sum of its parts")
    if rows[0].installment_cents != data.installment_cents:
        raise InvalidDocumentsInput("installment differs from the schedule's first row")
    for party in (data.member, data.spouse):
        if party is not None and not (party.full_name.strip() and party.identification.strip()):
            raise InvalidDocumentsInput("every party needs a name and an identification")


def _iso(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise InvalidDocumentsInput(f"{name} is not an ISO date: {value!r}") from exc


def _decimal(value: str, name: str) -> Decimal:
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise InvalidDocumentsInput(f"{name} is not a decimal: {value!r}") from exc
    if not number.is_finite() or number < 0 or number > 1:
        raise InvalidDocumentsInput(f"{name} must be a fraction between 0 and 1: {value!r}")
    return number

"""Simulation and summary of a preapproved credit (manual §8 Pasos 2-4). Pure.

The workflow calls these directly (they are deterministic): the simulate Update then costs
no activity round trip and its result is written to history once, as the Update's outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bank.credit.amortization import Method, is_business_day, schedule
from bank.credit.charges import ChargeRule, Rubro, summarize

CALENDAR_YEARS = range(2020, 2081)


def _warm_calendar() -> None:
    """Build the Ecuador holiday calendar now, outside any workflow.

    Workflows import this module through the sandbox's pass-through; building the calendar
    reads the locale (gettext), which the sandbox forbids, while lookups in years already
    built are pure. Due dates of any loan starting this decade fall within these years.
    """
    for year in CALENDAR_YEARS:
        is_business_day(date(year, 1, 2))


_warm_calendar()


@dataclass(frozen=True)
class LoanTerms:
    """The campaign's pricing: rates as Decimal strings (fractions)."""

    annual_rate: str
    method: str = "FRENCH"
    day_count: str = "30/360"
    insurance_monthly_rate: str = "0"


@dataclass(frozen=True)
class ScheduleRow:
    """One row of the amortization table as the member sees it; cents."""

    number: int
    due_date: date
    installment_cents: int
    """Principal + interest + insurance + per-installment charges."""
    principal_cents: int
    interest_cents: int
    insurance_cents: int
    charges_cents: int
    balance_after_cents: int


@dataclass(frozen=True)
class Simulation:
    """The answer to "Simular": the first installment and the whole table."""

    amount_cents: int
    term_months: int
    annual_rate: str
    method: str
    installment_cents: int
    """The first cuota (cuota estimada)."""
    total_interest_cents: int
    total_insurance_cents: int
    total_charges_cents: int
    total_cents: int
    rows: tuple[ScheduleRow, ...]


@dataclass(frozen=True)
class Summary:
    """The answer to "Continuar": the fixed terms, the rubros and the amount to receive."""

    amount_cents: int
    term_months: int
    annual_rate: str
    method: str
    installment_cents: int
    first_due_date: date
    last_due_date: date
    total_interest_cents: int
    total_insurance_cents: int
    rubros: tuple[Rubro, ...]
    deducted_cents: int
    net_amount_cents: int


def simulate(
    terms: LoanTerms,
    amount_cents: int,
    term_months: int,
    start: date,
    charges: tuple[ChargeRule, ...] | list[ChargeRule] = (),
) -> Simulation:
    """Compute the table of a loan disbursed on ``start``.

    Raises:
        ValueError: bad terms or charge rules.
    """
    table = schedule(
        amount_cents,
        Decimal(terms.annual_rate),
        term_months,
        Method(terms.method),
        start,
        day_count=terms.day_count,  # type: ignore[arg-type]
        insurance_monthly_rate=Decimal(terms.insurance_monthly_rate),
    )
    extra = summarize(amount_cents, charges).per_installment_cents
    rows = tuple(
        ScheduleRow(
            number=row.number,
            due_date=row.due_date,
            installment_cents=row.installment_cents + extra,
            principal_cents=row.principal_cents,
            interest_cents=row.interest_cents,
            insurance_cents=row.insurance_cents,
            charges_cents=extra,
            balance_after_cents=row.balance_after_cents,
        )
        for row in table.rows
    )
    return Simulation(
        amount_cents=amount_cents,
        term_months=term_months,
        annual_rate=terms.annual_rate,
        method=str(table.method),
        installment_cents=rows[0].installment_cents,
        total_interest_cents=table.total_interest_cents,
        total_insurance_cents=table.total_insurance_cents,
        total_charges_cents=extra * term_months,
        total_cents=sum(row.installment_cents for row in rows),
        rows=rows,
    )


def summary(simulation: Simulation, charges: tuple[ChargeRule, ...] | list[ChargeRule]) -> Summary:
    """The summary of a chosen simulation."""
    computed = summarize(simulation.amount_cents, charges)
    return Summary(
        amount_cents=simulation.amount_cents,
        term_months=simulation.term_months,
        annual_rate=simulation.annual_rate,
        method=simulation.method,
        installment_cents=simulation.installment_cents,
        first_due_date=simulation.rows[0].due_date,
        last_due_date=simulation.rows[-1].due_date,
        total_interest_cents=simulation.total_interest_cents,
        total_insurance_cents=simulation.total_insurance_cents,
        rubros=computed.rubros,
        deducted_cents=computed.deducted_cents,
        net_amount_cents=computed.net_cents,
    )

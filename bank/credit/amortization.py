"""Loan amortization tables (tabla de amortización): French and German methods, in cents.

Pure functions, no I/O: safe inside activities, the seed and (being deterministic) workflows.

Conventions, as in the manual's amortization table:

* Every row has the installment (cuota), principal (capital), interest (interés), insurance
  (seguro de desgravamen), late fee (mora, always 0 in a new schedule) and the principal
  balance after the row, all in integer cents. ``installment = principal + interest +
  insurance + late_fee``.
* Amounts are computed with :class:`~decimal.Decimal` and rounded half-up to the cent per
  row; the last row takes the whole remaining balance, so principal sums exactly to the loan.
* **French** (cuota fija): the principal + interest part of every row equals
  ``P·r / (1 − (1+r)^−n)`` rounded half-up, with the nominal monthly rate ``r = annual / 12``.
  The last row absorbs the rounding residual. That residual grows with the loan: the
  payment's rounding error (≤ ½ cent) compounds into the final balance as
  ``½·((1+r)^n − 1)/r`` cents, about $1.11 at most for 84 months at 25%.
* **German** (capital fijo): principal ``P / n`` rounded half-up in every row but the last,
  which takes the residual.
* **Day count.** ``30/360``: every month accrues ``annual / 12`` (a first period set by
  ``first_due`` accrues 30 days per whole month from ``start`` plus its remaining actual days).
  ``ACT/360`` and ``ACT/365``: a row accrues the actual days since the previous due date (the
  loan's start for the first row), using the business-day-adjusted dates the member pays on.
  The French payment is still computed with the nominal monthly rate, so interest varies with
  the month's length, principal is ``payment − interest``, and the last row absorbs the
  difference (with ACT/365 the months average out and the last row stays close to the others;
  ACT/360 accrues 365/360 of the nominal rate a year and makes the last row noticeably larger).
  Should interest ever exceed the payment (a long first period), that row's principal is 0
  and its installment is just the interest.
* **Insurance** accrues on the outstanding balance over the same period as interest:
  ``balance × monthly_rate × 12 × year_fraction`` (exactly ``balance × monthly_rate`` in a
  30/360 month), shown in its own column and not part of the French payment.
* **Due dates** fall monthly on the day of ``first_due`` (default: one month after
  ``start``; clamped to short months' last day) and, when ``business_days``, move forward to
  the next day that is neither a weekend nor an Ecuador holiday (``holidays`` package).
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache
from typing import Literal, get_args

import holidays

DayCount = Literal["30/360", "ACT/360", "ACT/365"]
DAY_COUNTS: tuple[str, ...] = get_args(DayCount)

MAX_TERM_MONTHS = 600
MAX_ANNUAL_RATE = Decimal(1)
MAX_INSURANCE_MONTHLY_RATE = Decimal("0.05")
MAX_FIRST_PERIOD_MONTHS = 3
_ZERO = Decimal(0)


class Method(enum.StrEnum):
    """Amortization method; same values as ``bank.models.AmortizationMethod``."""

    FRENCH = "FRENCH"
    """Equal installments (cuota fija)."""
    GERMAN = "GERMAN"
    """Equal principal (capital fijo)."""


FRENCH = Method.FRENCH
GERMAN = Method.GERMAN


@dataclass(frozen=True, slots=True)
class Row:
    """One installment of the table; every amount in integer cents."""

    number: int
    due_date: date
    installment_cents: int
    principal_cents: int
    interest_cents: int
    insurance_cents: int
    late_fee_cents: int
    balance_after_cents: int


@dataclass(frozen=True, slots=True)
class Schedule:
    """A complete amortization table and the terms it was computed from."""

    principal_cents: int
    annual_rate: Decimal
    term_months: int
    method: Method
    start: date
    day_count: DayCount
    insurance_monthly_rate: Decimal
    payment_cents: int
    """French: the equal principal + interest payment. German: the equal principal."""
    rows: tuple[Row, ...]

    @property
    def first_installment_cents(self) -> int:
        """The first cuota (what a simulation shows as "cuota estimada")."""
        return self.rows[0].installment_cents

    @property
    def total_interest_cents(self) -> int:
        """Interest over the life of the loan."""
        return sum(row.interest_cents for row in self.rows)

    @property
    def total_insurance_cents(self) -> int:
        """Insurance (seguro de desgravamen) over the life of the loan."""
        return sum(row.insurance_cents for row in self.rows)

    @property
    def total_cents(self) -> int:
        """Everything the member pays: principal, interest and insurance."""
        return sum(row.installment_cents for row in self.rows)


def schedule(
    principal_cents: int,
    annual_rate: Decimal,
    term_months: int,
    method: Method | str,
    start: date,
    *,
    first_due: date | None = None,
    day_count: DayCount = "30/360",
    insurance_monthly_rate: Decimal = _ZERO,
    business_days: bool = True,
) -> Schedule:
    """Compute the amortization table of a loan.

    Args:
        principal_cents: Amount lent, in cents (> 0).
        annual_rate: Nominal annual rate as a fraction (``Decimal("0.1583")`` is 15.83%).
        term_months: Number of monthly installments (1–600).
        method: ``FRENCH`` (equal installments) or ``GERMAN`` (equal principal).
        start: Disbursement date; interest accrues from it.
        first_due: Nominal first due date (after ``start``, at most 3 months later);
            defaults to one month after ``start``. Later rows fall on its day of the month.
        day_count: ``"30/360"``, ``"ACT/360"`` or ``"ACT/365"`` (see the module docstring).
        insurance_monthly_rate: Monthly insurance rate on the outstanding balance, a fraction.
        business_days: Move due dates off weekends and Ecuador holidays.

    Returns:
        The schedule; its rows' principal sums exactly to ``principal_cents``.

    Raises:
        ValueError: If an input is of the wrong type or out of range.
    """
    method = _check_terms(principal_cents, annual_rate, term_months, method)
    first_due = _check_dates(start, first_due)
    if day_count not in DAY_COUNTS:
        raise ValueError(f"day_count must be one of {', '.join(DAY_COUNTS)}, not {day_count!r}")
    insurance_rate = _rate(insurance_monthly_rate, "insurance_monthly_rate")
    if insurance_rate >= MAX_INSURANCE_MONTHLY_RATE:
        raise ValueError("insurance_monthly_rate must be below 0.05 (5% a month)")
    if not isinstance(business_days, bool):
        raise ValueError("business_days must be a bool")

    annual = _rate(annual_rate, "annual_rate")
    dues = due_dates(first_due, term_months, business_days=business_days)
    fractions = _year_fractions(start, first_due, dues, day_count)
    if method is Method.FRENCH:
        payment = french_payment_cents(principal_cents, annual / 12, term_months)
    else:
        payment = _round(Decimal(principal_cents) / term_months)
    rows = _rows(principal_cents, annual, insurance_rate * 12, method, payment, dues, fractions)
    return Schedule(
        principal_cents=principal_cents,
        annual_rate=annual,
        term_months=term_months,
        method=method,
        start=start,
        day_count=day_count,
        insurance_monthly_rate=insurance_rate,
        payment_cents=payment,
        rows=rows,
    )


def french_payment_cents(principal_cents: int, monthly_rate: Decimal, term_months: int) -> int:
    """The French payment ``P·r / (1 − (1+r)^−n)`` in cents, rounded half-up.

    Args:
        principal_cents: Amount lent, in cents.
        monthly_rate: Rate per period as a fraction (``annual / 12``).
        term_months: Number of periods.

    Returns:
        The equal principal + interest payment; ``P / n`` when the rate is zero.
    """
    principal = Decimal(principal_cents)
    if monthly_rate == 0:
        return _round(principal / term_months)
    with localcontext() as ctx:
        ctx.prec = 40
        factor = 1 - (1 + monthly_rate) ** -term_months
        return _round(principal * monthly_rate / factor)


def due_dates(first_due: date, count: int, *, business_days: bool = True) -> tuple[date, ...]:
    """Monthly due dates on ``first_due``'s day of the month, optionally on business days.

    Args:
        first_due: The first nominal due date.
        count: How many dates.
        business_days: Move each date forward off weekends and Ecuador holidays.

    Returns:
        ``count`` strictly increasing dates.
    """
    nominal = (add_months(first_due, k) for k in range(count))
    if not business_days:
        return tuple(nominal)
    return tuple(next_business_day(day) for day in nominal)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the target month's last day (Jan 31 → Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def is_business_day(day: date) -> bool:
    """Neither a Saturday, a Sunday nor an Ecuador public holiday."""
    return day.weekday() < 5 and day not in _ecuador_holidays()


def next_business_day(day: date) -> date:
    """``day`` itself when it is a business day, else the next one."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


@cache
def _ecuador_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("EC")


def _rows(
    principal_cents: int,
    annual: Decimal,
    insurance_annual: Decimal,
    method: Method,
    payment: int,
    dues: tuple[date, ...],
    fractions: tuple[tuple[int, int], ...],
) -> tuple[Row, ...]:
    balance = principal_cents
    rows: list[Row] = []
    last = len(dues)
    for number, (due, (days, basis)) in enumerate(zip(dues, fractions, strict=True), start=1):
        # One exact product, one division: a half cent is detected exactly and rounded up.
        interest = _round(balance * annual * days / basis)
        insurance = _round(balance * insurance_annual * days / basis)
        if number == last:
            principal = balance
        elif method is Method.FRENCH:
            principal = min(balance, max(0, payment - interest))
        else:
            principal = min(balance, payment)
        balance -= principal
        rows.append(
            Row(
                number=number,
                due_date=due,
                installment_cents=principal + interest + insurance,
                principal_cents=principal,
                interest_cents=interest,
                insurance_cents=insurance,
                late_fee_cents=0,
                balance_after_cents=balance,
            )
        )
    return tuple(rows)


def _year_fractions(
    start: date, first_due: date, dues: tuple[date, ...], day_count: DayCount
) -> tuple[tuple[int, int], ...]:
    """The (days, days-in-year) each row accrues interest and insurance for."""
    if day_count == "30/360":
        first = (_days_30_360(start, first_due), 360)
        return (first,) + ((30, 360),) * (len(dues) - 1)
    basis = 360 if day_count == "ACT/360" else 365
    previous = (start, *dues[:-1])
    return tuple(((due - since).days, basis) for since, due in zip(previous, dues, strict=True))


def _days_30_360(since: date, until: date) -> int:
    """Whole calendar months count 30 days each; the remaining days count as they fall."""
    months = (until.year - since.year) * 12 + until.month - since.month
    while add_months(since, months) > until:
        months -= 1
    return 30 * months + min(30, (until - add_months(since, months)).days)


def _round(value: Decimal) -> int:
    """Half-up to a whole number of cents."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _rate(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValueError(f"{name} must be a Decimal (a fraction such as 0.1583), not {value!r}")
    try:
        rate = Decimal(value)
    except ArithmeticError as exc:
        raise ValueError(f"{name} is not a number: {value!r}") from exc
    if not rate.is_finite() or rate < 0:
        raise ValueError(f"{name} must be a finite, non-negative fraction, not {value!r}")
    return rate


def _check_terms(principal_cents: int, annual_rate: object, term: int, method: str) -> Method:
    if isinstance(principal_cents, bool) or not isinstance(principal_cents, int):
        raise ValueError(f"principal_cents must be an int, not {principal_cents!r}")
    if principal_cents <= 0:
        raise ValueError(f"principal_cents must be positive, not {principal_cents}")
    if _rate(annual_rate, "annual_rate") > MAX_ANNUAL_RATE:
        raise ValueError(f"annual_rate is a fraction at most 1 (100%), not {annual_rate}")
    if isinstance(term, bool) or not isinstance(term, int):
        raise ValueError(f"term_months must be an int, not {term!r}")
    if not 1 <= term <= MAX_TERM_MONTHS:
        raise ValueError(f"term_months must be between 1 and {MAX_TERM_MONTHS}, not {term}")
    try:
        return Method(method)
    except ValueError:
        raise ValueError(f"method must be FRENCH or GERMAN, not {method!r}") from None


def _check_dates(start: date, first_due: date | None) -> date:
    for name, value in (("start", start), ("first_due", first_due)):
        if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
            raise ValueError(f"{name} must be a date, not {value!r}")
    if first_due is None:
        return add_months(start, 1)
    if first_due <= start:
        raise ValueError(f"first_due {first_due} must be after start {start}")
    if first_due > add_months(start, MAX_FIRST_PERIOD_MONTHS):
        raise ValueError(
            f"first_due {first_due} is more than {MAX_FIRST_PERIOD_MONTHS} months after {start}"
        )
    return first_due

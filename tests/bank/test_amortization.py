"""Amortization tables: worked examples, the manual's dates, and properties over many loans."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import holidays
import numpy_financial as npf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank.credit.amortization import FRENCH, GERMAN, Method, add_months, schedule

EC_HOLIDAYS = holidays.country_holidays("EC")


def half_up(value: Fraction) -> int:
    """Independent half-up rounding of an exact rational to whole cents."""
    return math.floor(value + Fraction(1, 2))


def numpy_payment_cents(principal_cents: int, annual: Decimal, n: int) -> int:
    """numpy-financial's payment, rounded half-up to the cent through its decimal repr."""
    payment = npf.pmt(float(annual) / 12, n, -principal_cents / 100)
    return int((Decimal(repr(float(payment))) * 100).quantize(Decimal(1), ROUND_HALF_UP))


# --- worked examples, figures computed by hand -------------------------------------------------


def test_french_13750_at_15_83_for_36_months() -> None:
    # r = 0.1583 / 12 = 0.01319166…; P·r / (1 − (1+r)^−36) = 482.2559… → $482.26.
    # Row 1: 13,750.00 × r = 181.3854… → 181.39 interest, 482.26 − 181.39 = 300.87 principal.
    # Row 2: 13,449.13 × r = 177.4164… → 177.42 interest, 304.84 principal.
    s = schedule(1_375_000, Decimal("0.1583"), 36, FRENCH, date(2024, 12, 18))
    assert s.payment_cents == 48_226
    first, second, last = s.rows[0], s.rows[1], s.rows[-1]
    assert (first.interest_cents, first.principal_cents) == (18_139, 30_087)
    assert first.balance_after_cents == 1_344_913
    assert (second.interest_cents, second.principal_cents) == (17_742, 30_484)
    # The last row takes the remaining $475.79 and its interest 475.79 × r = 6.2763… → 6.28.
    assert (last.principal_cents, last.interest_cents, last.installment_cents) == (
        47_579,
        628,
        48_207,
    )
    assert s.total_interest_cents == 361_117
    assert sum(r.principal_cents for r in s.rows) == 1_375_000
    # 2025-01-18 is a Saturday: the first installment falls on Monday the 20th.
    assert first.due_date == date(2025, 1, 20)
    assert second.due_date == date(2025, 2, 18)


def test_german_13750_at_15_83_for_36_months() -> None:
    # Principal 13,750 / 36 = 381.944… → 381.94 for 35 rows; the last takes 13,750 − 35 × 381.94
    # = 382.10. Row 2 interest: 13,368.06 × r = 176.3456… → 176.35.
    s = schedule(1_375_000, Decimal("0.1583"), 36, GERMAN, date(2024, 12, 18))
    assert s.payment_cents == 38_194
    assert [r.principal_cents for r in s.rows[:-1]] == [38_194] * 35
    assert s.rows[-1].principal_cents == 38_210
    assert s.rows[0].interest_cents == 18_139
    assert s.rows[1].interest_cents == 17_635
    assert s.rows[0].installment_cents == 38_194 + 18_139


def test_manual_dates_and_actual_day_interest_with_insurance() -> None:
    # The manual's loan: issued 18/12/2024, first due 05/02/2025; Saturdays the 5th of April
    # and July move to Monday the 7th.
    s = schedule(
        1_375_000,
        Decimal("0.1583"),
        48,
        FRENCH,
        date(2024, 12, 18),
        first_due=date(2025, 2, 5),
        day_count="ACT/365",
        insurance_monthly_rate=Decimal("0.0015"),
    )
    assert [r.due_date for r in s.rows[:7]] == [
        date(2025, 2, 5),
        date(2025, 3, 5),
        date(2025, 4, 7),
        date(2025, 5, 5),
        date(2025, 6, 5),
        date(2025, 7, 7),
        date(2025, 8, 5),
    ]
    first = s.rows[0]
    # 49 days: 13,750 × 0.1583 × 49 / 365 = 292.2044 → 292.20; insurance 13,750 × 0.018 × 49
    # / 365 = 33.2260 → 33.23. Principal = the nominal payment 388.48 − 292.20.
    assert s.payment_cents == 38_848
    assert (first.interest_cents, first.insurance_cents, first.principal_cents) == (
        29_220,
        3_323,
        9_628,
    )
    assert first.installment_cents == 38_848 + 3_323
    # Row 2 (28 days) accrues less than row 3 (33 days): interest varies like the manual's.
    assert s.rows[1].interest_cents < s.rows[2].interest_cents
    assert sum(r.principal_cents for r in s.rows) == 1_375_000


def test_insurance_in_a_30_360_month_is_balance_times_monthly_rate() -> None:
    start = date(2025, 1, 15)
    rate = Decimal("0.0015")
    s = schedule(1_000_000, Decimal("0.12"), 12, FRENCH, start, insurance_monthly_rate=rate)
    balances = [1_000_000] + [r.balance_after_cents for r in s.rows[:-1]]
    for row, balance in zip(s.rows, balances, strict=True):
        assert row.insurance_cents == half_up(Fraction(balance) * Fraction("0.0015"))
        assert row.installment_cents == row.principal_cents + row.interest_cents + (
            row.insurance_cents
        )
    assert s.rows[0].insurance_cents == 1_500


@pytest.mark.parametrize("start", [date(2021, 1, 28), date(2025, 1, 31), date(2024, 1, 30)])
def test_a_default_first_period_is_one_30_360_month(start: date) -> None:
    # Jan 28 → Feb 28 (the month's last day) and Jan 31 → Feb 28 are still one month.
    s = schedule(1_807_200, Decimal("0.05"), 3, FRENCH, start)
    assert s.rows[0].interest_cents == 7_530  # 18,072.00 × 0.05 / 12 = 75.30


def test_a_first_due_date_accrues_months_plus_days_under_30_360() -> None:
    # 18/12/2024 → 05/02/2025: one whole month (to 18/01) + 18 days = 48 days of 360.
    s = schedule(
        3_600_000, Decimal("0.12"), 12, GERMAN, date(2024, 12, 18), first_due=date(2025, 2, 5)
    )
    assert s.rows[0].interest_cents == 57_600  # 36,000 × 0.12 × 48 / 360
    assert s.rows[1].interest_cents == 33_000  # 33,000 × 0.01


def test_half_cent_rounds_up() -> None:
    # $10.50 at 12% for one month: interest 10.5 cents exactly → 11.
    s = schedule(1_050, Decimal("0.12"), 1, FRENCH, date(2025, 1, 15))
    assert s.rows[0].interest_cents == 11
    assert s.rows[0].principal_cents == 1_050


def test_zero_rate_spreads_principal() -> None:
    s = schedule(100_000, Decimal(0), 3, FRENCH, date(2025, 1, 15))
    assert [r.principal_cents for r in s.rows] == [33_333, 33_333, 33_334]
    assert s.total_interest_cents == 0


def test_holiday_moves_the_due_date() -> None:
    # Christmas 2025 is a Thursday: paid on Friday the 26th.
    s = schedule(100_000, Decimal("0.1"), 2, FRENCH, date(2025, 11, 25))
    assert s.rows[0].due_date == date(2025, 12, 26)
    unadjusted = schedule(
        100_000, Decimal("0.1"), 2, FRENCH, date(2025, 11, 25), business_days=False
    )
    assert unadjusted.rows[0].due_date == date(2025, 12, 25)


def test_end_of_month_day_is_clamped() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_method_accepts_the_model_enum_and_strings() -> None:
    from bank.models import AmortizationMethod

    a = schedule(500_000, Decimal("0.1"), 6, AmortizationMethod.GERMAN, date(2025, 1, 15))
    b = schedule(500_000, Decimal("0.1"), 6, "GERMAN", date(2025, 1, 15))
    assert a == b
    assert a.method is Method.GERMAN


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"principal_cents": 0}, "principal_cents must be positive"),
        ({"principal_cents": 10.5}, "principal_cents must be an int"),
        ({"annual_rate": 0.15}, "annual_rate must be a Decimal"),
        ({"annual_rate": Decimal("-0.01")}, "non-negative"),
        ({"annual_rate": Decimal("15.83")}, "at most 1"),
        ({"annual_rate": Decimal("NaN")}, "finite"),
        ({"term_months": 0}, "term_months must be between"),
        ({"term_months": 601}, "term_months must be between"),
        ({"method": "AMERICAN"}, "method must be FRENCH or GERMAN"),
        ({"first_due": date(2024, 12, 18)}, "must be after start"),
        ({"first_due": date(2025, 6, 1)}, "more than 3 months"),
        ({"day_count": "ACT/ACT"}, "day_count must be one of"),
        ({"insurance_monthly_rate": Decimal("0.2")}, "insurance_monthly_rate must be below"),
        ({"start": "2024-12-18"}, "start must be a date"),
    ],
)
def test_invalid_input_is_rejected_with_a_clear_message(kwargs: dict, message: str) -> None:
    args: dict = {
        "principal_cents": 1_375_000,
        "annual_rate": Decimal("0.1583"),
        "term_months": 36,
        "method": FRENCH,
        "start": date(2024, 12, 18),
    } | kwargs
    with pytest.raises(ValueError, match=message):
        schedule(**args)


# --- properties over many random loans ----------------------------------------------------------

loans = st.fixed_dictionaries(
    {
        "principal_cents": st.integers(10_000, 5_000_000),
        "annual_rate": st.integers(500, 2_500).map(lambda bp: Decimal(bp) / 10_000),
        "term_months": st.integers(3, 84),
        "method": st.sampled_from([FRENCH, GERMAN]),
        "start": st.dates(date(2020, 1, 1), date(2035, 12, 31)),
    }
)
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(loans)
def test_principal_sums_and_balances_run_down_to_zero(loan: dict) -> None:
    s = schedule(**loan)
    assert len(s.rows) == loan["term_months"]
    assert sum(r.principal_cents for r in s.rows) == loan["principal_cents"]
    balance = loan["principal_cents"]
    for row in s.rows:
        balance -= row.principal_cents
        assert row.balance_after_cents == balance >= 0
        assert row.late_fee_cents == row.insurance_cents == 0
    assert s.rows[-1].balance_after_cents == 0


@PROPERTY_SETTINGS
@given(loans)
def test_interest_is_the_rounded_monthly_rate_on_the_previous_balance(loan: dict) -> None:
    s = schedule(**loan)
    r = Fraction(loan["annual_rate"]) / 12
    previous = loan["principal_cents"]
    for row in s.rows:
        assert row.interest_cents == half_up(previous * r)
        previous = row.balance_after_cents


@PROPERTY_SETTINGS
@given(loans.filter(lambda loan: loan["method"] is FRENCH))
def test_french_installment_matches_numpy_financial(loan: dict) -> None:
    s = schedule(**loan)
    n, annual = loan["term_months"], loan["annual_rate"]
    expected = numpy_payment_cents(loan["principal_cents"], annual, n)
    assert s.payment_cents == expected
    assert all(r.installment_cents == expected for r in s.rows[:-1])
    # The payment's rounding error (≤ ½ cent) compounds into the last balance; with the
    # interest roundings the last row stays within s(n) + 1 cents, s(n) = ((1+r)^n − 1) / r.
    r = float(annual) / 12
    bound = ((1 + r) ** n - 1) / r + 1
    assert abs(s.rows[-1].installment_cents - expected) <= bound


@PROPERTY_SETTINGS
@given(loans.filter(lambda loan: loan["method"] is GERMAN))
def test_german_principal_is_equal_except_the_last(loan: dict) -> None:
    s = schedule(**loan)
    share = half_up(Fraction(loan["principal_cents"], loan["term_months"]))
    assert {r.principal_cents for r in s.rows[:-1]} == {share}
    assert abs(s.rows[-1].principal_cents - share) <= loan["term_months"]


@PROPERTY_SETTINGS
@given(loans)
def test_due_dates_are_increasing_business_days(loan: dict) -> None:
    s = schedule(**loan)
    dues = [r.due_date for r in s.rows]
    assert all(a < b for a, b in itertools.pairwise(dues))
    for due in dues:
        assert due.weekday() < 5 and due not in EC_HOLIDAYS
    assert loan["start"] < dues[0] <= add_months(loan["start"], 1) + timedelta(days=7)


@PROPERTY_SETTINGS
@given(
    loans,
    st.sampled_from(["ACT/360", "ACT/365"]),
    st.integers(0, 40).map(lambda x: Decimal(x) / 10_000),
)
def test_actual_day_counts_keep_the_books_exact(loan: dict, day_count: str, ins: Decimal) -> None:
    s = schedule(**loan, day_count=day_count, insurance_monthly_rate=ins)  # type: ignore[arg-type]
    assert sum(r.principal_cents for r in s.rows) == loan["principal_cents"]
    basis = 360 if day_count == "ACT/360" else 365
    previous_date, previous = loan["start"], loan["principal_cents"]
    for row in s.rows:
        days = (row.due_date - previous_date).days
        assert row.interest_cents == half_up(
            previous * Fraction(loan["annual_rate"]) * days / basis
        )
        assert row.insurance_cents == half_up(previous * Fraction(ins) * 12 * days / basis)
        assert row.balance_after_cents >= 0
        previous_date, previous = row.due_date, row.balance_after_cents

"""Biller network simulator: bills of water, power, phone, internet, TV and taxes.

Its bills live in the table ``sim_biller_bills`` so the API and the workers see the same
ones. A reference's bill of the current month (America/Guayaquil) comes into existence
on its first lookup, with an amount and receipt number derived from a hash (the same in
every process); magic reference suffixes provoke the other outcomes (see
``docs/simulators.md``). Payments lock the receipts' rows, so a receipt is paid once.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bank.adapters.biller_catalog import CATEGORIES, COMPANIES, COMPANY_BY_CODE
from bank.adapters.biller_types import (
    BillerAck,
    BillerPayment,
    BillerUnavailable,
    BillLookup,
    Category,
    Company,
    LookupState,
    PaymentState,
    Receipt,
)
from bank.models import SimulatedBill, utcnow

LOCAL_TZ = ZoneInfo("America/Guayaquil")
MIN_AMOUNT_CENTS = 500
MAX_AMOUNT_CENTS = 8000
DUE_DAY = 20

ALREADY_PAID = "RECIBO_YA_PAGADO"
UNKNOWN_RECEIPT = "RECIBO_INEXISTENTE"
AMOUNT_MISMATCH = "MONTO_DISTINTO"
DUPLICATE_RECEIPT = "RECIBO_DUPLICADO"

UNKNOWN_SUFFIX = "000"
NO_BILL_SUFFIX = "999"
TWO_BILLS_SUFFIX = "2"

HOLDER_NAMES = (
    "MARIA FERNANDA ANDRADE LOPEZ",
    "JOSE LUIS GUERRERO PAREDES",
    "ANA LUCIA MOREIRA CEDEÑO",
    "CARLOS ANDRES VILLACIS TORRES",
    "GABRIELA ESTEFANIA ZAMBRANO VERA",
    "LUIS ALBERTO CHIRIBOGA SALAZAR",
    "DIANA CAROLINA QUISHPE TIPAN",
    "JORGE ENRIQUE BARRETO MACIAS",
)
_PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_MAX_RECEIPT_ATTEMPTS = 50


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("|".join(parts).encode()).digest()


def simulated_amount_cents(company_code: str, reference: str, period: str) -> int:
    """The default amount of a bill: $5.00 to $80.00, derived from a hash."""
    value = int.from_bytes(_digest(company_code, reference, period)[:8], "big")
    return MIN_AMOUNT_CENTS + value % (MAX_AMOUNT_CENTS - MIN_AMOUNT_CENTS + 1)


def simulated_receipt_number(company_code: str, reference: str, period: str, attempt: int) -> str:
    """The ``attempt``-th candidate 9-digit receipt number (0 = the usual one)."""
    parts = (company_code, reference, period) + ((str(attempt),) if attempt else ())
    value = int.from_bytes(_digest(*parts)[8:16], "big")
    return f"{value % 1_000_000_000:09d}"


def holder_name(company_code: str, reference: str) -> str:
    """The simulated holder of a supply / account / contract."""
    return HOLDER_NAMES[_digest("holder", company_code, reference)[0] % len(HOLDER_NAMES)]


def previous_period(period: str) -> str:
    """``YYYY-MM`` of the month before ``period``."""
    year, month = (int(p) for p in period.split("-"))
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def _due_on(period: str) -> date:
    year, month = (int(p) for p in period.split("-"))
    return date(year, month, DUE_DAY)


def _receipt(bill: SimulatedBill) -> Receipt:
    return Receipt(bill.receipt_number, bill.amount_cents, bill.period, bill.due_on)


class SimulatedBillers:
    """A stand-in for the biller network with configurable latency and failure rate."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = utcnow,
        latency: float = 0.0,
        failure_rate: float = 0.0,
        rng: random.Random | None = None,
    ) -> None:
        """``latency`` seconds are slept and ``failure_rate`` is the chance of
        :class:`BillerUnavailable` on every ``lookup`` and ``pay`` call."""
        self.session_factory = session_factory
        self.clock = clock
        self.latency = latency
        self.failure_rate = failure_rate
        self.rng = rng or random.Random()

    def categories(self) -> list[Category]:
        return list(CATEGORIES)

    def companies(self, category: str | None = None) -> list[Company]:
        return [c for c in COMPANIES if category is None or c.category == category]

    def company(self, code: str) -> Company | None:
        return COMPANY_BY_CODE.get(code)

    def current_period(self) -> str:
        """``YYYY-MM`` of the clock's month in Ecuador."""
        return self.clock().astimezone(LOCAL_TZ).strftime("%Y-%m")

    def lookup(self, company_code: str, reference: str) -> BillLookup:
        """Pending receipts of a reference, oldest first (see module doc for the rules)."""
        self._network_call()
        reference = reference.strip()
        company = self.company(company_code)
        if (
            company is None
            or not re.fullmatch(company.reference_pattern, reference)
            or reference.endswith(UNKNOWN_SUFFIX)
        ):
            return BillLookup(LookupState.UNKNOWN_REFERENCE, company_code, reference)
        holder = holder_name(company_code, reference)
        if reference.endswith(NO_BILL_SUFFIX):
            return BillLookup(LookupState.NO_PENDING_BILL, company_code, reference, holder)
        current = self.current_period()
        periods = [current]
        if reference.endswith(TWO_BILLS_SUFFIX):
            periods.insert(0, previous_period(current))
        bills = [self._ensure_bill(company_code, reference, p) for p in periods]
        receipts = tuple(_receipt(b) for b in bills if b.paid_reference is None)
        if not receipts:
            return BillLookup(LookupState.NO_PENDING_BILL, company_code, reference, holder)
        return BillLookup(LookupState.FOUND, company_code, reference, holder, receipts)

    def issue_bill(
        self, company_code: str, reference: str, amount_cents: int, period: str | None = None
    ) -> Receipt:
        """Create or replace the unpaid bill of ``period`` (default: current) with this amount.

        Simulator only (tests, demo data). Raises ValueError for an unknown company, a
        reference not matching its pattern, a malformed period, a non-positive amount or a
        bill of that period already paid.
        """
        company = self.company(company_code)
        reference = reference.strip()
        if company is None:
            raise ValueError(f"unknown company {company_code!r}")
        if not re.fullmatch(company.reference_pattern, reference):
            raise ValueError(f"{reference!r} is not a valid {company.reference_label}")
        if amount_cents <= 0:
            raise ValueError("amount_cents must be positive")
        period = period or self.current_period()
        if not _PERIOD.fullmatch(period):
            raise ValueError(f"period must be YYYY-MM, got {period!r}")
        self._ensure_bill(company_code, reference, period)
        with self.session_factory.begin() as session:
            bill = session.scalars(
                _bill_query(company_code, reference, period).with_for_update()
            ).one()
            if bill.paid_reference is not None:
                raise ValueError(f"the {period} bill of {reference} is already paid")
            bill.amount_cents = amount_cents
        return _receipt(bill)

    def pay(self, payment: BillerPayment) -> BillerAck:
        """Mark the receipts paid; idempotent by ``payment_reference``."""
        self._network_call()
        numbers = payment.receipts
        if len(set(numbers)) != len(numbers):
            return BillerAck(PaymentState.REJECTED, DUPLICATE_RECEIPT)
        with self.session_factory() as session, session.begin():
            query = (
                select(SimulatedBill)
                .where(
                    SimulatedBill.company_code == payment.company_code,
                    SimulatedBill.receipt_number.in_(numbers),
                )
                .order_by(SimulatedBill.id)
                .with_for_update()
            )
            bills = list(session.scalars(query))
            if (
                not numbers
                or len(bills) != len(numbers)
                or any(b.supply_number != payment.reference.strip() for b in bills)
            ):
                return BillerAck(PaymentState.REJECTED, UNKNOWN_RECEIPT)
            paid_refs = {b.paid_reference for b in bills}
            if paid_refs == {payment.payment_reference}:
                return BillerAck(PaymentState.ACCEPTED)
            if paid_refs != {None}:
                return BillerAck(PaymentState.REJECTED, ALREADY_PAID)
            if sum(b.amount_cents for b in bills) != payment.amount_cents:
                return BillerAck(PaymentState.REJECTED, AMOUNT_MISMATCH)
            paid_at = self.clock()
            for bill in bills:
                bill.paid_reference = payment.payment_reference
                bill.paid_at = paid_at
        return BillerAck(PaymentState.ACCEPTED)

    def receipt_status(self, company_code: str, receipt_number: str) -> SimulatedBill | None:
        """The stored bill behind a receipt number (detached), or None."""
        with self.session_factory() as session:
            return session.scalars(
                select(SimulatedBill).where(
                    SimulatedBill.company_code == company_code,
                    SimulatedBill.receipt_number == receipt_number,
                )
            ).first()

    def _ensure_bill(self, company_code: str, reference: str, period: str) -> SimulatedBill:
        """The bill of this period (detached), inserted if missing; race-safe.

        Each attempt uses its own session, so a failed insert expires nothing else.
        """
        for attempt in range(_MAX_RECEIPT_ATTEMPTS):
            with self.session_factory() as session:
                existing = session.scalars(_bill_query(company_code, reference, period)).first()
                if existing is not None:
                    return existing
            bill = SimulatedBill(
                company_code=company_code,
                supply_number=reference,
                receipt_number=simulated_receipt_number(company_code, reference, period, attempt),
                period=period,
                amount_cents=simulated_amount_cents(company_code, reference, period),
                due_on=_due_on(period),
            )
            try:
                with self.session_factory.begin() as session:
                    session.add(bill)
            except IntegrityError:
                # Either another process created this bill (the next read finds it) or
                # the receipt number belongs to another bill (the next attempt skips it).
                continue
            return bill
        raise RuntimeError(f"no free receipt number for {company_code} {reference} {period}")

    def _network_call(self) -> None:
        if self.latency:
            time.sleep(self.latency)
        if self.failure_rate and self.rng.random() < self.failure_rate:
            raise BillerUnavailable("simulated biller network outage")


def _bill_query(company_code: str, reference: str, period: str) -> Select[SimulatedBill]:
    return select(SimulatedBill).where(
        SimulatedBill.company_code == company_code,
        SimulatedBill.supply_number == reference,
        SimulatedBill.period == period,
    )

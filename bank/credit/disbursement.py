"""Disbursing a signed credit: the loan, its schedule and ONE balanced ledger entry.

Idempotent twice over: the loan's ``origin`` (the journey's workflow ID) is unique, and the
entry's idempotency key derives from the workflow ID and generation. A repeat finds the
loan and returns it; both writes share one transaction, so there is never a loan without
its money or money without its loan. The caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bank.credit.amortization import Method, schedule
from bank.credit.charges import ChargeRule, ChargeSummary, summarize
from bank.credit.simulation import LoanTerms
from bank.credit.store import savings_account
from bank.ledger import EntryKind, EntryRequest, Leg, chart, post
from bank.ledger.movement_codes import LOAN_DISBURSEMENT
from bank.models import AmortizationMethod, Installment, JournalEntry, Loan, LoanStatus

FEE_DESCRIPTION = "COMISION DESEMBOLSO DE CREDITO"
IVA_DESCRIPTION = "IVA COMISION DESEMBOLSO DE CREDITO"


class DisbursementRefused(Exception):
    """A business reason no retry can fix (no savings account, bad terms)."""


@dataclass(frozen=True)
class LoanRequest:
    """What was signed."""

    workflow_id: str
    generation: int
    member_id: int
    product_name: str
    amount_cents: int
    term_months: int
    terms: LoanTerms
    charges: tuple[ChargeRule, ...]


@dataclass(frozen=True)
class Disbursed:
    """The loan and the entry (``replayed`` for a repeat)."""

    loan_id: int
    loan_number: str
    entry_id: int
    net_amount_cents: int
    replayed: bool


def entry_key(workflow_id: str, generation: int) -> str:
    """The ledger idempotency key of a journey's disbursement."""
    return f"credit:{workflow_id}:g{generation}:disburse"


def disburse(session: Session, request: LoanRequest, today: date) -> Disbursed:
    """Create the loan and post the disbursement, or return the existing ones.

    Raises:
        DisbursementRefused: no active savings account, or terms the schedule refuses.
    """
    charges = summarize(request.amount_cents, request.charges)
    found = session.scalars(select(Loan).where(Loan.origin == request.workflow_id)).first()
    if found is not None:
        return _replay(session, found, charges, request)
    account = savings_account(session, request.member_id)
    if account is None:
        raise DisbursementRefused("NO_SAVINGS_ACCOUNT")
    try:
        table = schedule(
            request.amount_cents,
            Decimal(request.terms.annual_rate),
            request.term_months,
            Method(request.terms.method),
            today,
            day_count=request.terms.day_count,  # type: ignore[arg-type]
            insurance_monthly_rate=Decimal(request.terms.insurance_monthly_rate),
        )
    except ValueError as exc:
        raise DisbursementRefused(str(exc)) from exc
    loan = Loan(
        number=f"T{request.workflow_id[-19:]}",  # unique placeholder until the id is known
        member_id=request.member_id,
        account_id=account.id,
        product_name=request.product_name,
        amount_cents=request.amount_cents,
        principal_balance_cents=request.amount_cents,
        annual_rate=Decimal(request.terms.annual_rate),
        term_months=request.term_months,
        method=AmortizationMethod(table.method.value),
        issued_on=today,
        status=LoanStatus.VIGENTE,
        origin=request.workflow_id,
    )
    session.add(loan)
    session.flush()
    loan.number = f"03{loan.id:08d}"
    session.add_all(
        Installment(
            loan_id=loan.id,
            number=row.number,
            due_date=row.due_date,
            principal_cents=row.principal_cents,
            interest_cents=row.interest_cents,
            late_fee_cents=0,
            insurance_cents=row.insurance_cents,
        )
        for row in table.rows
    )
    posted = post(session, _entry(session, request, loan.number, account.id, charges, today))
    return Disbursed(loan.id, loan.number, posted.entry_id, charges.net_cents, posted.replayed)


def _entry(
    session: Session,
    request: LoanRequest,
    loan_number: str,
    account_id: int,
    charges: ChargeSummary,
    today: date,
) -> EntryRequest:
    """Portfolio −amount; member +net; fee income +fees; IVA payable +IVA (zero legs left out)."""
    gl = chart.ensure_chart(session)
    code = LOAN_DISBURSEMENT.code
    legs = [
        Leg(account_id, charges.net_cents, code, LOAN_DISBURSEMENT.description),
        Leg(gl[chart.LOAN_PORTFOLIO], -request.amount_cents, code, LOAN_DISBURSEMENT.description),
    ]
    if charges.fees_cents:
        legs.append(Leg(gl[chart.FEE_INCOME], charges.fees_cents, code, FEE_DESCRIPTION))
    if charges.iva_cents:
        legs.append(Leg(gl[chart.IVA_PAYABLE], charges.iva_cents, code, IVA_DESCRIPTION))
    return EntryRequest(
        idempotency_key=entry_key(request.workflow_id, request.generation),
        kind=EntryKind.DISBURSEMENT,
        description=f"DESEMBOLSO CREDITO {loan_number}",
        legs=tuple(legs),
        value_date=today,
    )


def _replay(
    session: Session, loan: Loan, charges: ChargeSummary, request: LoanRequest
) -> Disbursed:
    entry_id = session.scalars(
        select(JournalEntry.id).where(
            JournalEntry.description == f"DESEMBOLSO CREDITO {loan.number}"
        )
    ).one()
    return Disbursed(loan.id, loan.number, entry_id, charges.net_cents, True)

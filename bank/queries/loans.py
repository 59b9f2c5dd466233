"""A loan's detail and its amortization table, with each installment's status derived.

Status of an installment (the manual's "Estado"), as of ``today`` in America/Guayaquil:
paid → Pagada; unpaid and past its due date → Vencida; the first unpaid one that is not
past due → Vigente; every later one → Por Venir.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bank.models import Account, Installment, Loan, Member


class InstallmentStatus(enum.StrEnum):
    PAGADA = "Pagada"
    VENCIDA = "Vencida"
    VIGENTE = "Vigente"
    POR_VENIR = "Por Venir"


@dataclass(frozen=True, slots=True)
class InstallmentRow:
    """One row of the amortization table."""

    number: int
    due_date: date
    principal_cents: int
    interest_cents: int
    late_fee_cents: int
    insurance_cents: int
    paid_on: date | None
    status: InstallmentStatus

    @property
    def total_cents(self) -> int:
        """Cuota: principal + interest + late fee + insurance."""
        return (
            self.principal_cents + self.interest_cents + self.late_fee_cents + self.insurance_cents
        )


@dataclass(frozen=True, slots=True)
class LoanDetail:
    """A loan of the member and its amortization table."""

    id: int
    number: str
    product_name: str
    status: str
    amount_cents: int
    principal_balance_cents: int
    annual_rate: Decimal
    term_months: int
    method: str
    issued_on: date
    account_number: str
    holder_name: str
    installments: list[InstallmentRow]

    @property
    def next_installment(self) -> InstallmentRow | None:
        """The first unpaid installment (what "Valor a Pagar" and "Próximo pago" show)."""
        return next((row for row in self.installments if row.paid_on is None), None)


def installment_statuses(
    rows: list[tuple[date, date | None]], today: date
) -> list[InstallmentStatus]:
    """The status of each installment given ``(due_date, paid_on)`` in schedule order."""
    statuses = []
    current_taken = False
    for due_date, paid_on in rows:
        if paid_on is not None:
            statuses.append(InstallmentStatus.PAGADA)
        elif due_date < today:
            statuses.append(InstallmentStatus.VENCIDA)
        elif not current_taken:
            current_taken = True
            statuses.append(InstallmentStatus.VIGENTE)
        else:
            statuses.append(InstallmentStatus.POR_VENIR)
    return statuses


def loan_display_status(status: str, next_due_on: date | None, today: date) -> str:
    """The loan's "Status" column: Cancelado when paid off, Vencido when an installment is late."""
    if status == "CANCELADO" or next_due_on is None:
        return "Cancelado"
    if next_due_on < today:
        return "Vencido"
    return "Vigente"


_LOAN = (
    select(
        Loan.id,
        Loan.number,
        Loan.product_name,
        Loan.status,
        Loan.amount_cents,
        Loan.principal_balance_cents,
        Loan.annual_rate,
        Loan.term_months,
        Loan.method,
        Loan.issued_on,
        Account.number.label("account_number"),
        Member.first_names,
        Member.last_names,
    )
    .join(Account, Account.id == Loan.account_id)
    .join(Member, Member.id == Loan.member_id)
    .where(Loan.member_id == bindparam("member_id"), Loan.number == bindparam("number"))
)

_INSTALLMENTS = (
    select(
        Installment.number,
        Installment.due_date,
        Installment.principal_cents,
        Installment.interest_cents,
        Installment.late_fee_cents,
        Installment.insurance_cents,
        Installment.paid_on,
    )
    .where(Installment.loan_id == bindparam("loan_id"))
    .order_by(Installment.number)
)


async def get_loan(
    conn: AsyncConnection, member_id: int, number: str, today: date
) -> LoanDetail | None:
    """The member's loan with that number and its table, or None (also for another member's)."""
    loan = (await conn.execute(_LOAN, {"member_id": member_id, "number": number})).first()
    if loan is None:
        return None
    rows = (await conn.execute(_INSTALLMENTS, {"loan_id": loan.id})).all()
    statuses = installment_statuses([(row.due_date, row.paid_on) for row in rows], today)
    installments = [InstallmentRow(*row, status=st) for row, st in zip(rows, statuses, strict=True)]
    next_due = next((r.due_date for r in installments if r.paid_on is None), None)
    return LoanDetail(
        id=loan.id,
        number=loan.number,
        product_name=loan.product_name,
        status=loan_display_status(str(loan.status), next_due, today),
        amount_cents=loan.amount_cents,
        principal_balance_cents=loan.principal_balance_cents,
        annual_rate=loan.annual_rate,
        term_months=loan.term_months,
        method=str(loan.method),
        issued_on=loan.issued_on,
        account_number=loan.account_number,
        holder_name=f"{loan.first_names} {loan.last_names}",
        installments=installments,
    )

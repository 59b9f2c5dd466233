"""Test data builders: members with users, accounts with ledger history, loans, investments, cards.

Synchronous, over a caller's ``Session``; each builder flushes (ids are known) and never
commits, so a test composes several and commits once. Balances only ever change through
``bank.ledger.post`` against the chart's cash account, so reconciliation holds for anything
built here. Argon2 is slow on purpose: each distinct password is hashed once per process.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy.orm import Session

from bank.access.security import hash_password, keyed_digest
from bank.credit.amortization import add_months
from bank.ledger import EntryRequest, Leg, chart, post
from bank.ledger.movement_codes import DEPOSIT, WITHDRAWAL
from bank.models import (
    Account,
    AccountStatus,
    AmortizationMethod,
    Card,
    CardKind,
    CardStatus,
    CivilStatus,
    IdentificationType,
    Installment,
    Investment,
    Loan,
    LoanStatus,
    Member,
    ProductType,
    Role,
    User,
)
from bank.payments.authorisations import Authorisation

PASSWORD = "Clave2024x"
_seq = itertools.count(1)


@cache
def password_hash(password: str) -> str:
    """Argon2id hash of ``password``, computed once per process."""
    return hash_password(password)


def _next() -> int:
    return next(_seq)


def cedula(seed: int) -> str:
    """A valid Ecuadorian cédula (province 17, check digit by the modulo-10 rule)."""
    body = f"17{seed % 10_000_000:07d}"
    digits = [int(c) * (2 if i % 2 == 0 else 1) for i, c in enumerate(body)]
    total = sum(d - 9 if d > 9 else d for d in digits)
    return body + str((10 - total % 10) % 10)


def make_member(
    session: Session,
    *,
    first_names: str = "GABRIEL",
    last_names: str = "SILVA",
    identification: str | None = None,
    civil_status: CivilStatus = CivilStatus.SOLTERO,
) -> Member:
    """A member with contact data up to date."""
    n = _next()
    member = Member(
        identification_type=IdentificationType.CEDULA,
        identification=identification or cedula(n),
        first_names=first_names,
        last_names=last_names,
        birth_date=date(1988, 5, 17),
        civil_status=civil_status,
        email=f"socio{n}@example.com",
        email_updated_on=date(2024, 1, 10),
        mobile=f"09{n % 100_000_000:08d}",
        mobile_updated_on=date(2024, 1, 10),
        id_card_expires_on=date(2030, 1, 1),
        address="Av. Amazonas N34-12, Quito",
    )
    session.add(member)
    session.flush()
    return member


def make_user(
    session: Session,
    member: Member | None,
    *,
    username: str | None = None,
    password: str = PASSWORD,
    must_change_password: bool = False,
    role: Role = Role.MEMBER,
) -> User:
    """A login for ``member`` (or an officer when ``member`` is None)."""
    user = User(
        member_id=member.id if member else None,
        username=username or f"socio{_next()}",
        password_hash=password_hash(password),
        role=role,
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    return user


def make_account(
    session: Session,
    member: Member,
    product: ProductType = ProductType.SAVINGS,
    *,
    number: str | None = None,
    status: AccountStatus = AccountStatus.ACTIVO,
) -> Account:
    """An empty account of the member (move money with :func:`deposit` / :func:`withdraw`)."""
    prefix = "410" if product is ProductType.SAVINGS else "420"
    account = Account(
        number=number or f"{prefix}{_next():09d}",
        member_id=member.id,
        product=product,
        status=status,
        opened_on=date(2020, 3, 2),
    )
    session.add(account)
    session.flush()
    return account


def move(
    session: Session,
    account: Account,
    amount_cents: int,
    *,
    code: int,
    description: str,
    value_date: date | None = None,
) -> None:
    """Post ``amount_cents`` (> 0 credit, < 0 debit) on the account against cash."""
    cash = chart.ensure_chart(session)[chart.CASH]
    request = EntryRequest(
        idempotency_key=f"factory-{_next()}",
        kind="DEPOSIT" if amount_cents > 0 else "WITHDRAWAL",
        description=description,
        legs=(
            Leg(account.id, amount_cents, code, description),
            Leg(cash, -amount_cents, code, description),
        ),
        value_date=value_date,
    )
    post(session, request)


def deposit(session: Session, account: Account, cents: int, on: date | None = None) -> None:
    """A savings deposit (code 1)."""
    move(session, account, cents, code=DEPOSIT.code, description=DEPOSIT.description, value_date=on)


def withdraw(session: Session, account: Account, cents: int, on: date | None = None) -> None:
    """A savings withdrawal (code 0)."""
    move(
        session,
        account,
        -cents,
        code=WITHDRAWAL.code,
        description=WITHDRAWAL.description,
        value_date=on,
    )


def make_loan(
    session: Session,
    member: Member,
    account: Account,
    *,
    number: str | None = None,
    amount_cents: int = 1_375_000,
    annual_rate: Decimal = Decimal("0.1583"),
    term_months: int = 12,
    issued_on: date = date(2024, 12, 18),
    first_due: date = date(2025, 2, 5),
    paid: int = 0,
    product_name: str = "CONSUMO PRIORITARIO ROL DE PAGOS",
) -> Loan:
    """A loan with a simple declining-balance schedule; the first ``paid`` rows are paid."""
    loan = Loan(
        number=number or f"0118{_next():06d}",
        member_id=member.id,
        account_id=account.id,
        product_name=product_name,
        amount_cents=amount_cents,
        principal_balance_cents=amount_cents,
        annual_rate=annual_rate,
        term_months=term_months,
        method=AmortizationMethod.GERMAN,
        issued_on=issued_on,
        status=LoanStatus.VIGENTE,
    )
    session.add(loan)
    session.flush()
    for row in _installments(loan, first_due, paid):
        session.add(row)
        if row.paid_on is not None:
            loan.principal_balance_cents -= row.principal_cents
    session.flush()
    return loan


def _installments(loan: Loan, first_due: date, paid: int) -> list[Installment]:
    """Equal principal, interest on the declining balance, $19.32 insurance a month."""
    rows, balance = [], loan.amount_cents
    principal = loan.amount_cents // loan.term_months
    for n in range(1, loan.term_months + 1):
        part = balance if n == loan.term_months else principal
        due = add_months(first_due, n - 1)
        rows.append(
            Installment(
                loan_id=loan.id,
                number=n,
                due_date=due,
                principal_cents=part,
                interest_cents=int(balance * loan.annual_rate / 12),
                late_fee_cents=0,
                insurance_cents=1932,
                paid_on=due - timedelta(days=1) if n <= paid else None,
            )
        )
        balance -= part
    return rows


def make_investment(
    session: Session,
    member: Member,
    *,
    number: str | None = None,
    amount_cents: int = 1_000_000,
    annual_rate: Decimal = Decimal("0.0790"),
    days: int = 365,
    issued_on: date = date(2024, 12, 18),
) -> Investment:
    """A term deposit, $10,000 at 7.90% for 365 days by default."""
    investment = Investment(
        number=number or f"{_next():04d}",
        member_id=member.id,
        amount_cents=amount_cents,
        issued_on=issued_on,
        matures_on=issued_on + timedelta(days=days),
        annual_rate=annual_rate,
        days=days,
    )
    session.add(investment)
    session.flush()
    return investment


def make_card(
    session: Session,
    member: Member,
    kind: CardKind,
    *,
    account: Account | None = None,
    brand: str | None = None,
    masked_number: str | None = None,
    status: CardStatus = CardStatus.ACTIVA,
    limit_cents: int = 0,
    revolving_cents: int = 0,
    deferred_cents: int = 0,
    minimum_cents: int = 0,
    due: date | None = None,
) -> Card:
    """A card; the full number is never stored, only a mask and a keyed digest."""
    n = _next()
    debit = kind is CardKind.DEBIT
    card = Card(
        member_id=member.id,
        account_id=account.id if account else None,
        kind=kind,
        brand=brand or ("MC Débito" if debit else "Mastercard Estandar"),
        masked_number=masked_number or f"{'550975' if debit else '513744'}XXXXXX{n % 10000:04d}",
        pan_digest=keyed_digest("factory-card-key", str(n)),
        status=status,
        credit_limit_cents=limit_cents,
        revolving_used_cents=revolving_cents,
        deferred_used_cents=deferred_cents,
        minimum_payment_cents=minimum_cents,
        payment_due_date=due,
    )
    session.add(card)
    session.flush()
    return card


@dataclass
class Bundle:
    """A member as the manual shows one: what the tests look up afterwards."""

    member: Member
    user: User
    savings: Account
    certificates: Account
    loan: Loan
    investment: Investment
    debit_card: Card
    credit_card: Card
    username: str
    password: str = PASSWORD
    extra: dict[str, object] = field(default_factory=dict)


def make_full_member(
    session: Session,
    *,
    username: str | None = None,
    first_names: str = "GABRIEL",
    last_names: str = "SILVA",
    history: bool = True,
    must_change_password: bool = False,
) -> Bundle:
    """A member with every product of the manual's "Resumen de Productos"."""
    member = make_member(session, first_names=first_names, last_names=last_names)
    user = make_user(session, member, username=username, must_change_password=must_change_password)
    savings = make_account(session, member, ProductType.SAVINGS)
    certificates = make_account(session, member, ProductType.CERTIFICATES)
    deposit(session, certificates, 43_290, on=date(2024, 1, 15))
    if history:
        deposit(session, savings, 30_000, on=date(2024, 11, 20))
        withdraw(session, savings, 435, on=date(2024, 12, 2))
    loan = make_loan(session, member, savings)
    investment = make_investment(session, member)
    debit = make_card(session, member, CardKind.DEBIT, account=savings)
    credit = make_card(
        session,
        member,
        CardKind.CREDIT,
        limit_cents=995_704,
        revolving_cents=153_814,
        deferred_cents=759_738,
        minimum_cents=70_863,
        due=date(2025, 1, 2),
    )
    return Bundle(
        member, user, savings, certificates, loan, investment, debit, credit, user.username
    )


def monthly_authorisation(
    account: str, company: str, supply: str, maximum_cents: int
) -> Authorisation:
    """Monthly on the 5th for a year from today (what the member's API would send)."""
    today = date.today()
    return Authorisation(
        account, company, supply, maximum_cents, "MENSUAL", 5, today, today + timedelta(days=365)
    )

"""Demo data for the embedded run: members mirroring the manual, their products and history.

Run ``python -m bank.demo.seed`` against ``COOP_DATABASE_URL`` (already migrated), or call
:func:`seed`. Idempotent: rows are looked up by natural keys (cédula, username, account, loan,
investment and card numbers) and ledger entries and holds carry stable idempotency keys, so a
second run changes nothing. Dates are relative to the *anchor*, the day the database was
first seeded (kept in the audit trail), so a run on a later day replays the same entries
instead of conflicting with them. The content lives in :mod:`bank.demo.data`; what each
member demonstrates is in ``docs/demo-data.md``.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import luhn
from stdnum.ec import ci

from bank.access.security import hash_password, keyed_digest
from bank.cards import deferrals, pins
from bank.cards.config import CardSettings
from bank.cards.purchases import record_purchase
from bank.core.db import make_engine, session_factory, transaction
from bank.core.settings import CoreSettings
from bank.credit.amortization import is_business_day, schedule
from bank.credit.deadline import GUAYAQUIL
from bank.demo import data
from bank.demo.payees import seed_payees
from bank.ledger import EntryRequest, Leg, business_today, place_hold, post
from bank.ledger.chart import ensure_chart
from bank.models import (
    Account,
    AccountStatus,
    AmortizationMethod,
    AuditEvent,
    Base,
    Card,
    CardBooks,
    CardDeferral,
    CardKind,
    CardPin,
    CardPurchase,
    CardStatus,
    Hold,
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

ANCHOR_ACTION = "DEMO_DATA_SEEDED"
HOLD_KEY = "seed:gabriel:retencion-tarjeta-debito"

DEMO_LOGINS: list[tuple[str, str, str]] = [
    (m.username, m.password, m.who) for m in data.MEMBERS
] + [(data.OFFICER_USERNAME, data.OFFICER_PASSWORD, "Credit officer (officer endpoints)")]
"""(username, password, who) of every demo login, for the run command to print."""

T = TypeVar("T", bound=Base)


@dataclass
class SeedReport:
    """What a run did: rows created per table, entries posted or replayed, holds placed."""

    anchor: date
    created: Counter[str] = field(default_factory=Counter)
    entries_posted: int = 0
    entries_replayed: int = 0
    holds_placed: int = 0

    @property
    def changed(self) -> bool:
        """False when the run found everything already in place."""
        return bool(sum(self.created.values()) or self.entries_posted or self.holds_placed)


def seed(
    session_factory: sessionmaker[Session],
    today: date | None = None,
    *,
    secret_key: str | None = None,
) -> SeedReport:
    """Write the demo data in one transaction, creating only what is missing.

    Args:
        session_factory: sessions on a migrated database.
        today: the anchor for a fresh database (default: today in America/Guayaquil); a
            database seeded before keeps its first anchor.
        secret_key: the HMAC key for card-number digests (default: ``CoreSettings``).

    Returns:
        What was created or replayed.
    """
    key = secret_key or CoreSettings().secret_key
    with transaction(session_factory) as session:
        report = SeedReport(anchor=_anchor(session, today or business_today()))
        gl = ensure_chart(session)
        members = _members(session, report)
        accounts = _accounts(session, members, report)
        _users(session, members, report)
        issued_on = _loan_issue_date(report.anchor)
        refs = gl | {number: account.id for number, account in accounts.items()}
        _post_history(session, data.entries(report.anchor, issued_on), refs, report)
        gabriel, savings = members["gabriel"], accounts[data.MEMBERS[0].savings_number]
        _hold(session, savings.id, report)
        _loan(session, gabriel, savings, issued_on, report)
        _investment(session, gabriel, report)
        _cards(session, gabriel, savings, key, report)
        seed_payees(session, gabriel, savings.number, report.created)
    return report


def _anchor(session: Session, today: date) -> date:
    """The first seed's day (recorded in the audit trail), or ``today`` on a fresh database."""
    found = session.scalars(
        select(AuditEvent).where(AuditEvent.action == ANCHOR_ACTION).order_by(AuditEvent.id)
    ).first()
    if found is not None:
        return date.fromisoformat(found.details["anchor"])
    session.add(
        AuditEvent(
            actor="seed", action=ANCHOR_ACTION, subject="demo", details={"anchor": str(today)}
        )
    )
    return today


def _ensure(
    session: Session, report: SeedReport, model: type[T], lookup: dict[str, Any], **values: Any
) -> T:
    """The row matching ``lookup``, created with ``values`` when missing."""
    found = session.scalars(select(model).filter_by(**lookup)).first()
    if found is not None:
        return found
    row = model(**lookup, **values)
    session.add(row)
    session.flush()
    report.created[model.__tablename__] += 1
    return row


def _members(session: Session, report: SeedReport) -> dict[str, Member]:
    anchor = report.anchor
    members: dict[str, Member] = {}
    for m in data.MEMBERS:
        if not ci.is_valid(m.identification):
            raise ValueError(f"demo cédula {m.identification} is not valid")
        updated = anchor - timedelta(days=m.data_updated_days_ago)
        members[m.key] = _ensure(
            session,
            report,
            Member,
            {"identification": m.identification},
            identification_type=IdentificationType.CEDULA,
            first_names=m.first_names,
            last_names=m.last_names,
            birth_date=m.birth_date,
            civil_status=m.civil_status,
            civil_status_verified=m.civil_status_verified,
            email=m.email,
            email_updated_on=updated,
            mobile=m.mobile,
            mobile_updated_on=updated,
            id_card_expires_on=anchor + timedelta(days=m.id_card_valid_days),
            utility_bill_on=anchor - timedelta(days=m.utility_bill_days_ago),
            data_updated_on=updated,
            address=m.address,
        )
    for m in data.MEMBERS:
        if m.spouse is not None and members[m.key].spouse_id is None:
            members[m.key].spouse_id = members[m.spouse].id
            report.created["spouse_links"] += 1
    session.flush()
    return members


def _accounts(
    session: Session, members: dict[str, Member], report: SeedReport
) -> dict[str, Account]:
    opened = report.anchor - timedelta(days=900)
    accounts: dict[str, Account] = {}
    for m in data.MEMBERS:
        for number, product in (
            (m.savings_number, ProductType.SAVINGS),
            (m.certificates_number, ProductType.CERTIFICATES),
        ):
            accounts[number] = _ensure(
                session,
                report,
                Account,
                {"number": number},
                member_id=members[m.key].id,
                product=product,
                status=AccountStatus.ACTIVO,
                currency="USD",
                balance_cents=0,
                held_cents=0,
                opened_on=opened,
            )
    return accounts


def _users(session: Session, members: dict[str, Member], report: SeedReport) -> None:
    wanted = [
        (members[m.key].id, m.username, m.password, Role.MEMBER, m.must_change_password)
        for m in data.MEMBERS
    ] + [(None, data.OFFICER_USERNAME, data.OFFICER_PASSWORD, Role.OFFICER, False)]
    existing = set(session.scalars(select(User.username)))
    for member_id, username, password, role, must_change in wanted:
        if username in existing:
            continue  # never re-hash: Argon2id is slow on purpose, and keeps changed passwords
        session.add(
            User(
                member_id=member_id,
                username=username,
                password_hash=hash_password(password),
                role=role,
                must_change_password=must_change,
            )
        )
        report.created["users"] += 1
    session.flush()


def _post_history(
    session: Session, entries: list[data.DemoEntry], refs: dict[str, int], report: SeedReport
) -> None:
    for entry in entries:
        legs = tuple(
            Leg(refs[leg.account], leg.amount_cents, leg.movement.code, leg.movement.description)
            for leg in entry.legs
        )
        request = EntryRequest(entry.key, entry.kind, entry.description, legs, entry.value_date)
        if post(session, request).replayed:
            report.entries_replayed += 1
        else:
            report.entries_posted += 1


def _hold(session: Session, account_id: int, report: SeedReport) -> None:
    """The pending debit-card authorisation behind saldo disponible $290.90."""
    if session.scalars(select(Hold.id).where(Hold.idempotency_key == HOLD_KEY)).first() is None:
        report.holds_placed += 1
    place_hold(session, HOLD_KEY, account_id, data.GABRIEL_HOLD_CENTS, data.GABRIEL_HOLD_REASON)


def _loan_issue_date(anchor: date) -> date:
    """About a month before the anchor, on a business day."""
    day = anchor - timedelta(days=data.LOAN.issued_days_ago)
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def _loan(
    session: Session, member: Member, savings: Account, issued_on: date, report: SeedReport
) -> None:
    spec = data.LOAN
    if session.scalars(select(Loan.id).where(Loan.number == spec.number)).first() is not None:
        return
    table = schedule(
        spec.amount_cents,
        spec.annual_rate,
        spec.term_months,
        spec.method,
        issued_on,
        day_count=spec.day_count,
        insurance_monthly_rate=spec.insurance_monthly_rate,
    )
    loan = Loan(
        number=spec.number,
        member_id=member.id,
        account_id=savings.id,
        product_name=spec.product_name,
        amount_cents=spec.amount_cents,
        principal_balance_cents=spec.amount_cents,
        annual_rate=spec.annual_rate,
        term_months=spec.term_months,
        method=AmortizationMethod(table.method.value),
        issued_on=issued_on,
        status=LoanStatus.VIGENTE,
        origin="seed",
    )
    session.add(loan)
    session.flush()
    report.created["loans"] += 1
    session.add_all(
        Installment(
            loan_id=loan.id,
            number=row.number,
            due_date=row.due_date,
            principal_cents=row.principal_cents,
            interest_cents=row.interest_cents,
            late_fee_cents=row.late_fee_cents,
            insurance_cents=row.insurance_cents,
        )
        for row in table.rows
    )
    report.created["loan_installments"] += len(table.rows)
    session.flush()


def investment_interest_cents(amount_cents: int, annual_rate: Decimal, days: int) -> int:
    """Simple interest on an ACT/360 basis, half-up to the cent."""
    exact = amount_cents * annual_rate * days / 360
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _investment(session: Session, member: Member, report: SeedReport) -> None:
    spec = data.INVESTMENT
    issued = report.anchor - timedelta(days=spec.issued_days_ago)
    elapsed = min(spec.issued_days_ago, spec.days)
    _ensure(
        session,
        report,
        Investment,
        {"number": spec.number},
        member_id=member.id,
        amount_cents=spec.amount_cents,
        issued_on=issued,
        matures_on=issued + timedelta(days=spec.days),
        annual_rate=spec.annual_rate,
        days=spec.days,
        interest_earned_cents=investment_interest_cents(
            spec.amount_cents, spec.annual_rate, elapsed
        ),
        interest_paid_cents=0,
        status="VIGENTE",
    )


def demo_pan(masked_number: str) -> str:
    """A Luhn-valid full card number behind a demo mask (demo only; never stored).

    The hidden digits come from a hash of the mask, so every run derives the same number.
    """
    prefix, suffix = masked_number[:6], masked_number[-4:]
    width = len(masked_number) - 10
    base = int(hashlib.sha256(f"cooprogreso-demo-pan:{masked_number}".encode()).hexdigest(), 16)
    for step in range(100):
        candidate = f"{prefix}{(base + step) % 10**width:0{width}d}{suffix}"
        if luhn.is_valid(candidate):
            return candidate
    raise AssertionError("unreachable: one of ten consecutive middles is Luhn-valid")


def _cards(
    session: Session, member: Member, savings: Account, key: str, report: SeedReport
) -> None:
    debit, credit = data.DEBIT_CARD, data.CREDIT_CARD
    for spec, kind, account_id, due in (
        (debit, CardKind.DEBIT, savings.id, None),
        (credit, CardKind.CREDIT, None, data.credit_card_due_date(report.anchor)),
    ):
        card = _ensure(
            session,
            report,
            Card,
            {"member_id": member.id, "masked_number": spec.masked_number},
            account_id=account_id,
            kind=kind,
            brand=spec.brand,
            pan_digest=keyed_digest(key, demo_pan(spec.masked_number)),
            status=CardStatus.ACTIVA,
            credit_limit_cents=spec.credit_limit_cents,
            minimum_payment_cents=spec.minimum_payment_cents,
            payment_due_date=due,
        )
        if session.get(CardPin, card.id) is None:
            pins.set_initial(session, key, card, spec.pin)
            report.created[CardPin.__tablename__] += 1
        if spec.purchases and session.get(CardBooks, card.id) is None:
            _purchases(session, card, spec, report)


def _purchases(session: Session, card: Card, spec: data.DemoCard, report: SeedReport) -> None:
    """The demo card's purchases and deferrals, through the card's books (once)."""
    rules = CardSettings().rules()
    for n, bought in enumerate(spec.purchases, start=1):
        day = report.anchor - timedelta(days=bought.days_ago)
        at = datetime.combine(day, time(12), GUAYAQUIL)
        purchase = record_purchase(
            session, card, f"demo:{card.id}:{n}", bought.merchant, bought.amount_cents, at
        )
        report.created[CardPurchase.__tablename__] += 1
        if bought.deferred_months:
            later = at + timedelta(days=1)
            plan = deferrals.simulate(
                session, card, purchase.id, bought.amount_cents, bought.deferred_months,
                rules, later.astimezone(GUAYAQUIL).date(),
            )  # fmt: skip
            deferrals.defer(session, card, f"demo:{card.id}:deferral:{n}", plan, later)
            report.created[CardDeferral.__tablename__] += 1


def main() -> int:
    """Seed ``CoreSettings().database_url`` and print what happened and the demo logins."""
    settings = CoreSettings()
    engine = make_engine(settings.database_url)
    try:
        report = seed(session_factory(engine), secret_key=settings.secret_key)
    finally:
        engine.dispose()
    created = ", ".join(f"{n} {table}" for table, n in sorted(report.created.items())) or "nothing"
    print(f"Demo data anchored at {report.anchor.isoformat()}; created: {created}")
    print(
        f"  ledger entries: {report.entries_posted} posted, {report.entries_replayed} already there"
    )
    print("Demo logins:")
    for username, password, who in DEMO_LOGINS:
        print(f"  {username:<16} {password:<16} {who}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Demo data: idempotent, balanced, the manual's figures to the cent, no clear card numbers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker
from stdnum import luhn
from stdnum.ec import ci

from bank.access.security import keyed_digest, verify_password
from bank.cards import books
from bank.cards.purchases import purchases_of
from bank.core import migrate
from bank.core.db import make_engine
from bank.core.settings import ROOT
from bank.demo.seed import DEMO_LOGINS, demo_pan, seed
from bank.ledger import reconcile
from bank.models import (
    Account,
    AuditEvent,
    Base,
    Card,
    CardKind,
    CivilStatus,
    Hold,
    Installment,
    Investment,
    Loan,
    Member,
    Posting,
    Role,
    User,
)
from bank.payments.beneficiaries import search_beneficiaries
from bank.payments.registrations import list_services

TODAY = date(2025, 1, 20)
KEY = "test-secret-key-0123456789-0123456789"
GABRIEL_ID = "1718452939"


def snapshot(session: Session) -> dict[str, object]:
    """Row counts of every table, and every account's balance and held amount."""
    counts = {
        t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
        for t in Base.metadata.sorted_tables
    }
    balances = session.execute(
        select(Account.number, Account.balance_cents, Account.held_cents).order_by(Account.number)
    ).all()
    return {"counts": counts, "balances": [tuple(row) for row in balances]}


def account(session: Session, number: str) -> Account:
    return session.scalars(select(Account).where(Account.number == number)).one()


def test_seeding_twice_changes_nothing(sessions: sessionmaker[Session]) -> None:
    first = seed(sessions, TODAY, secret_key=KEY)
    assert first.changed and first.entries_replayed == 0
    with sessions() as session:
        before = snapshot(session)
    # A later day replays the same history: dates stay anchored at the first seed.
    second = seed(sessions, date(2025, 3, 2), secret_key=KEY)
    assert not second.changed
    assert second.anchor == TODAY
    assert second.entries_replayed == first.entries_posted
    with sessions() as session:
        assert snapshot(session) == before
        assert before["counts"]["members"] == 5  # type: ignore[index]
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_gabriel_has_the_documented_balances_and_movements(sessions: sessionmaker[Session]) -> None:
    seed(sessions, TODAY, secret_key=KEY)
    with sessions() as session:
        savings = account(session, "410112060750")
        assert (savings.balance_cents, savings.available_cents) == (29_565, 29_090)
        certificates = account(session, "410112060768")
        assert (certificates.balance_cents, certificates.available_cents) == (43_290, 0)
        hold = session.scalars(select(Hold).where(Hold.account_id == savings.id)).one()
        assert hold.amount_cents == 475

        labels = session.scalars(
            select(func.concat(Posting.code, " - ", Posting.description))
            .where(Posting.account_id == savings.id)
            .order_by(Posting.id)
        ).all()
        for label in (
            "22050 - ND TRANSFERENCIA PAGO DIRECTO",
            "22049 - COMISIÓN TRANSFERENCIA PAGO DIRECTO",
            "22048 - IVA TRANSFERENCIA PAGO DIRECTO",
            "22047 - NC TRANSFERENCIA PAGO DIRECTO",
            "2 - CAPITALIZACION DE INTERESES EN CUENTA",
            "0 - RETIRO DE AHORROS",
            "183 - COSTO TRANSFERENCIA / PAGO TARJETAS SPI",
            "186 - IVA TRANSFERENCIA / PAGO TARJETAS SPI",
        ):
            assert label in labels
        fee_lines = session.scalars(
            select(Posting.amount_cents).where(
                Posting.account_id == savings.id, Posting.code.in_([22049, 22048])
            )
        ).all()
        assert sorted(fee_lines) == [-36, -5]


def test_gabriel_has_the_manual_loan_investment_and_cards(sessions: sessionmaker[Session]) -> None:
    seed(sessions, TODAY, secret_key=KEY)
    with sessions() as session:
        savings = account(session, "410112060750")
        loan = session.scalars(select(Loan).where(Loan.number == "0118958000")).one()
        assert loan.product_name == "CONSUMO PRIORITARIO ROL DE PAGOS"
        assert (loan.amount_cents, loan.principal_balance_cents) == (1_375_000, 1_375_000)
        assert loan.member_id == savings.member_id and loan.account_id == savings.id
        rows = loan.installments
        assert len(rows) == 48
        assert sum(r.principal_cents for r in rows) == 1_375_000
        assert all(r.insurance_cents > 0 and r.late_fee_cents == 0 for r in rows)
        assert rows[0].due_date > TODAY  # issued about a month ago: the first is still ahead
        assert loan.issued_on < TODAY

        investment = session.scalars(select(Investment).where(Investment.number == "0010")).one()
        assert investment.amount_cents == 1_000_000
        assert (investment.days, str(investment.annual_rate)) == (365, "0.0790")
        # 100 days of 7.90% on $10,000 over 360: $219.444… → $219.44.
        assert (investment.interest_earned_cents, investment.interest_paid_cents) == (21_944, 0)

        cards = {c.kind: c for c in session.scalars(select(Card)).all()}
        debit, credit = cards[CardKind.DEBIT], cards[CardKind.CREDIT]
        assert (debit.masked_number, debit.account_id) == ("550975XXXXXX7023", savings.id)
        assert credit.masked_number == "513744XXXXXX0395"
        assert credit.revolving_used_cents == 153_814
        assert credit.minimum_payment_cents == 70_863
        assert credit.credit_limit_cents == 1_000_000
        assert credit.available_credit_cents == 86_448
        assert credit.payment_due_date == date(2025, 2, 2)
        # The card's figures are its books: six purchases, two of them deferred.
        assert credit.deferred_used_cents == 759_738
        assert books.reconcile_cards(session) == []
        bought = {p.merchant: p for p, _ in purchases_of(session, credit.id)}
        assert len(bought) == 6
        terms = {p.merchant: d.term_months for p, d in purchases_of(session, credit.id) if d}
        assert terms == {"ALMACENES JAPON": 24, "COMPUTRON": 12}


def test_the_books_reconcile(sessions: sessionmaker[Session]) -> None:
    seed(sessions, TODAY, secret_key=KEY)
    with sessions() as session:
        assert reconcile(session) == []
        portfolio = account(session, "GL-1401")
        assert portfolio.balance_cents == -1_375_000  # the loan is on the balance sheet


def test_no_clear_card_number_is_stored(sessions: sessionmaker[Session]) -> None:
    seed(sessions, TODAY, secret_key=KEY)
    pans = [demo_pan("550975XXXXXX7023"), demo_pan("513744XXXXXX0395")]
    assert all(luhn.is_valid(pan) and len(pan) == 16 for pan in pans)
    with sessions() as session:
        rows = session.execute(text("SELECT * FROM cards")).all()
        dump = " ".join(str(value) for row in rows for value in row)
        digests = set(session.scalars(select(Card.pan_digest)))
    assert len(rows) == 2
    for pan in pans:
        assert pan not in dump and pan[-10:] not in dump
        assert keyed_digest(KEY, pan) in digests


def test_members_are_plausible_and_spouses_point_at_each_other(
    sessions: sessionmaker[Session],
) -> None:
    seed(sessions, TODAY, secret_key=KEY)
    with sessions() as session:
        members = {m.first_names.split()[0]: m for m in session.scalars(select(Member))}
        for member in members.values():
            assert ci.is_valid(member.identification)
            assert re.fullmatch(r"09\d{8}", member.mobile or "")
            assert "Quito" in (member.address or "") and "@" in (member.email or "")
        nancy, christian = members["NANCY"], members["CHRISTIAN"]
        assert nancy.spouse_id == christian.id and christian.spouse_id == nancy.id
        assert nancy.civil_status is christian.civil_status is CivilStatus.CASADO
        assert members["MARIA"].id_card_expires_on < TODAY  # type: ignore[operator]
        assert not members["LUIS"].civil_status_verified
        users = {u.username: u for u in session.scalars(select(User))}
    assert users["ccaicedo"].must_change_password
    assert users["oficial.credito"].role is Role.OFFICER
    assert users["oficial.credito"].member_id is None
    for username, password, _ in DEMO_LOGINS:
        assert verify_password(users[username].password_hash, password)


def test_installment_rows_belong_to_the_loan(sessions: sessionmaker[Session]) -> None:
    seed(sessions, TODAY, secret_key=KEY)
    seed(sessions, TODAY, secret_key=KEY)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Installment)) == 48
        numbers = session.scalars(select(Installment.number).order_by(Installment.number)).all()
    assert numbers == list(range(1, 49))


def test_python_m_bank_seed_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    env = os.environ | {"COOP_DATABASE_URL": url}
    command = [sys.executable, "-m", "bank.demo.seed"]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    for username, password, _ in DEMO_LOGINS:
        assert username in first.stdout and password in first.stdout
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "created: nothing" in again.stdout
    engine = make_engine(url)
    with engine.connect() as conn:
        balance = conn.execute(
            select(Account.balance_cents).where(Account.number == "410112060750")
        ).scalar_one()
        with Session(bind=conn) as session:
            assert reconcile(session) == []
    engine.dispose()
    assert balance == 29_565


def test_gabriel_can_pick_a_beneficiary_and_a_registered_service(
    sessions: sessionmaker[Session],
) -> None:
    seed(sessions, TODAY, secret_key=KEY)
    with sessions() as session:
        gabriel = session.scalars(select(Member).where(Member.identification == GABRIEL_ID)).one()
        payees = search_beneficiaries(session, gabriel.id)
        services = list_services(session, gabriel.id)
    assert sorted((b.service.value, b.name, b.account_number) for b in payees) == [
        ("COOPROGRESO", "NANCY PATRICIA ORTIZ JARAMILLO", "410112087341"),
        ("INTERBANCARIA", "JORGE PAREDES", "2200456789"),
    ]
    assert sorted((s.company_code, s.supply_number) for s, _ in services) == [
        ("EEQ", "1234567"),
        ("EPMAPS", "7654321"),
    ]

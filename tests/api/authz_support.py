"""Support of ``test_authorization_matrix.py``: two members with one resource of every kind,
a Temporal client that records what it is asked, and snapshots proving nothing was written.

Every member resource a URL or a body can name is built here with the factories and the
domain services the routes themselves use (beneficiaries, registrations, card purchases,
deferrals and statements), with identifiers chosen to be distinctive: a response that
contains one of them leaked it, never by coincidence.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session
from temporalio.service import RPCError, RPCStatusCode

from bank.cards import billing, books, deferrals, pins, purchases
from bank.cards.config import CardSettings
from bank.models import (
    Account,
    Base,
    BeneficiaryService,
    Card,
    CardKind,
    CardPin,
    PaymentOutcome,
    PaymentSchedule,
    ProductType,
    Role,
    ScheduleStatus,
    ServicePaymentRecord,
)
from bank.payments import registrations
from bank.payments.authorisations import TERMS_VERSION
from bank.payments.beneficiaries import BeneficiaryData, create_beneficiary
from tests import factories as f

OFFICER = "oficial.matriz"
CARD_RULES = CardSettings(_env_file=None).rules()
VOLATILE_TABLES = frozenset({"user_sessions"})
"""Written by every authenticated request (the session's last activity): not compared."""


@dataclass(frozen=True)
class Persona:
    """Who a test member is; ``seed`` makes every identifier distinctive (3 digits)."""

    username: str
    first_names: str
    last_names: str
    email: str
    mobile: str
    seed: int
    other_bank_card: str
    """A real test PAN of another bank (Luhn-valid), registered as "Otros Bancos"."""


ANDREA = Persona(
    "andrea.authz",
    "ANDREA",
    "ALVARADO",
    "andrea.alvarado@example.com",
    "0991122334",
    123,
    "5555555555554444",
)
BRUNO = Persona(
    "bruno.authz",
    "BRUNO",
    "BENALCAZAR",
    "bruno.benalcazar@example.com",
    "0998877665",
    987,
    "4111111111111111",
)


@dataclass(frozen=True)
class Holdings:
    """One member's identifiers, as a URL or a body carries them."""

    member_id: int
    username: str
    identification: str
    savings: str
    certificates: str
    loan: str
    debit_card: int
    credit_card: int
    purchase: int
    deferral: int
    statement: int
    registered_card: int
    registered_service: int
    beneficiary: int
    schedule: int
    payment_code: str
    movement_key: str
    """An Idempotency-Key the member used: their movement is ``mov-<member>-<key>``."""
    campaign: str
    """A campaign with an offer for the member: their journey is ``credit-<campaign>-<member>``."""
    private: tuple[str, ...] = ()
    """What identifies the member or their products: never shown to anyone else."""


NOWHERE = 2_000_000_000
MISSING = Holdings(
    member_id=NOWHERE,
    username="nadie",
    identification="1700000001",
    savings="410999999999",
    certificates="420999999999",
    loan="0118999999",
    debit_card=NOWHERE,
    credit_card=NOWHERE + 1,
    purchase=NOWHERE,
    deferral=NOWHERE,
    statement=NOWHERE,
    registered_card=NOWHERE,
    registered_service=NOWHERE,
    beneficiary=NOWHERE,
    schedule=NOWHERE,
    payment_code="SP-NOEXISTE",
    movement_key="clave-inexistente-0000",
    campaign="NOEXISTE2026",
)
"""Identifiers nobody holds: another member's resource must be answered exactly like these."""


def build_member(session: Session, who: Persona, secret_key: str) -> Holdings:
    """A member with a login and one resource of every kind a route can name."""
    n = who.seed
    member = f.make_member(
        session,
        first_names=who.first_names,
        last_names=who.last_names,
        identification=f.cedula(3_000_000 + n),
    )
    member.email, member.mobile = who.email, who.mobile
    f.make_user(session, member, username=who.username)
    savings = f.make_account(session, member, number=f"410{n:03d}555001")
    certificates = f.make_account(
        session, member, ProductType.CERTIFICATES, number=f"420{n:03d}555002"
    )
    f.deposit(session, savings, 250_000, on=date(2024, 12, 2))
    f.deposit(session, certificates, 43_290, on=date(2024, 1, 15))
    loan = f.make_loan(session, member, savings, number=f"0118{n:03d}555")
    f.make_investment(session, member, number=f"9{n:03d}")
    debit = f.make_card(
        session, member, CardKind.DEBIT, account=savings, masked_number=f"550975XXXXXX{n:03d}1"
    )
    credit = f.make_card(
        session, member, CardKind.CREDIT, limit_cents=500_000, masked_number=f"513744XXXXXX{n:03d}2"
    )
    for card in (debit, credit):
        pins.set_initial(session, secret_key, card, "1357")
    statement, purchase, deferral = _card_history(session, member.id, credit.id)
    other_card = registrations.register_card(
        session,
        member.id,
        secret_key,
        institution_code="0010",
        number=who.other_bank_card,
        holder_name=f"{who.first_names} {who.last_names}",
    )
    supply = f"77{n:03d}55"
    service = registrations.register_service(
        session, member.id, account_number=savings.number, company_code="EEQ", supply_number=supply
    )
    payee = create_beneficiary(
        session,
        member.id,
        BeneficiaryData(
            service=BeneficiaryService.INTERBANCARIA,
            name=f"PROVEEDOR {who.last_names}",
            identification_type="CEDULA",
            identification=f.cedula(2_000_000 + n),
            account_number=f"2200{n:03d}555",
            institution_code="0010",
            account_type="CORRIENTE",
        ),
    )
    schedule = _schedule(session, member.id, savings, supply)
    code = f"SP-{n:03d}-PAGADO"
    _paid_bill(session, member.id, savings, code, supply)
    session.flush()
    return Holdings(
        member_id=member.id,
        username=who.username,
        identification=member.identification,
        savings=savings.number,
        certificates=certificates.number,
        loan=loan.number,
        debit_card=debit.id,
        credit_card=credit.id,
        purchase=purchase,
        deferral=deferral,
        statement=statement,
        registered_card=other_card.id,
        registered_service=service.id,
        beneficiary=payee.id,
        schedule=schedule,
        payment_code=code,
        movement_key=f"clave-{who.username.replace('.', '-')}-0001",
        campaign="PRE2026",
        private=(
            who.username,
            who.first_names,
            who.last_names,
            member.identification,
            who.email,
            who.mobile,
            savings.number,
            certificates.number,
            loan.number,
            debit.masked_number,
            credit.masked_number,
            other_card.masked_number,
            payee.name,
            payee.identification,
            payee.account_number,
            supply,
            code,
        ),
    )


def _card_history(session: Session, member_id: int, card_id: int) -> tuple[int, int, int]:
    """A closed statement, then a purchase deferred to 3 months: (statement, purchase, deferral)."""
    closed_at = datetime(2024, 12, 26, 6, tzinfo=UTC)
    statement = billing.close_statement(session, card_id, date(2024, 12, 25), CARD_RULES, closed_at)
    at = datetime(2025, 1, 10, 17, tzinfo=UTC)
    card = books.credit_card(session, member_id, card_id, lock=True)
    bought = purchases.record_purchase(session, card, f"authz-{card_id}", "COMPUTRON", 30_000, at)
    plan = deferrals.simulate(session, card, bought.id, 30_000, 3, CARD_RULES, date(2025, 1, 10))
    deferral = deferrals.defer(session, card, f"authz-deferral-{card_id}", plan, at)
    return statement.id, bought.id, deferral.id


def _schedule(session: Session, member_id: int, savings: Account, supply: str) -> int:
    row = PaymentSchedule(
        origin=f"authz-{member_id}",
        member_id=member_id,
        account_id=savings.id,
        category="LUZ",
        company_code="EEQ",
        company_name="EMPRESA ELECTRICA QUITO",
        supply_number=supply,
        max_amount_cents=8_000,
        frequency="MENSUAL",
        day=5,
        start_date=date(2025, 2, 1),
        end_date=date(2025, 12, 31),
        status=ScheduleStatus.ACTIVO,
        terms_version=TERMS_VERSION,
    )
    session.add(row)
    session.flush()
    return row.id


def _paid_bill(session: Session, member_id: int, savings: Account, code: str, supply: str) -> None:
    session.add(
        ServicePaymentRecord(
            key=f"wf-{code}",
            member_id=member_id,
            account_id=savings.id,
            automatic=False,
            category="LUZ",
            company_code="EEQ",
            company_name="EMPRESA ELECTRICA QUITO",
            supply_number=supply,
            receipts=["023035471"],
            amount_cents=713,
            fee_cents=31,
            iva_cents=5,
            outcome=PaymentOutcome.PAGADO,
            code=code,
            created_at=datetime(2025, 1, 15, 15, tzinfo=UTC),
        )
    )


def make_officer(session: Session) -> None:
    f.make_user(session, None, username=OFFICER, role=Role.OFFICER)


def truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


# ---- "nothing was written" -------------------------------------------------------------------


def _digest_sql() -> str:
    parts = [
        f"SELECT '{t.name}' AS name, count(*) AS n, "
        f"md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS digest "
        f'FROM "{t.name}" x'
        for t in Base.metadata.sorted_tables
        if t.name not in VOLATILE_TABLES
    ]
    return " UNION ALL ".join(parts)


_DIGEST_SQL = text(_digest_sql())


@dataclass(frozen=True)
class Snapshot:
    """Every table's rows (a digest each), the member's figures in clear, the stored files."""

    tables: dict[str, tuple[int, str]]
    figures: tuple[tuple[Any, ...], ...]
    files: frozenset[str]

    def changes(self, later: Snapshot) -> list[str]:
        """What differs in ``later``, in words (empty when nothing was written)."""
        changed = [
            f"table {name}: {self.tables[name][0]} → {later.tables[name][0]} rows, contents changed"
            for name in self.tables
            if self.tables[name] != later.tables.get(name)
        ]
        if self.figures != later.figures:
            changed.append(f"figures {self.figures} → {later.figures}")
        if self.files != later.files:
            changed.append(f"document store: {sorted(later.files ^ self.files)}")
        return changed


def member_figures(conn: Connection, member_id: int) -> tuple[tuple[Any, ...], ...]:
    """The member's balances, card counters and PIN state, readable in a failure message."""
    balances = conn.execute(
        select(Account.number, Account.balance_cents, Account.held_cents, Account.status)
        .where(Account.member_id == member_id)
        .order_by(Account.number)
    ).tuples()
    cards = conn.execute(
        select(
            Card.id,
            Card.status,
            Card.revolving_used_cents,
            Card.deferred_used_cents,
            Card.minimum_payment_cents,
            CardPin.pin_digest,
            CardPin.temporary,
            CardPin.failed_attempts,
            CardPin.blocked_at,
        )
        .outerjoin(CardPin, CardPin.card_id == Card.id)
        .where(Card.member_id == member_id)
        .order_by(Card.id)
    ).tuples()
    return tuple(tuple(row) for row in [*balances, *cards])


def snapshot(engine: Engine, member_id: int, documents: Path) -> Snapshot:
    with engine.connect() as conn:
        tables = {row.name: (row.n, row.digest) for row in conn.execute(_DIGEST_SQL)}
        figures = member_figures(conn, member_id)
    files = frozenset(str(p) for p in documents.rglob("*") if p.is_file())
    return Snapshot(tables, figures, files)


# ---- a Temporal client that only records --------------------------------------------------


def _not_found() -> RPCError:
    return RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b"")


@dataclass
class RecordingTemporal:
    """Stands in for the Temporal client: records every call, knows no workflow at all.

    Queries, Updates and Schedule calls answer NOT_FOUND (as for a workflow that never
    existed); starts answer UNAVAILABLE, so a route that starts one shows up as a 503.
    """

    namespace: str = "default"
    calls: list[tuple[str, str]] = field(default_factory=list)

    def get_workflow_handle_for(self, _run: object, workflow_id: str, **_: object) -> _Handle:
        return _Handle(self, workflow_id)

    def get_workflow_handle(self, workflow_id: str, **_: object) -> _Handle:
        return _Handle(self, workflow_id)

    async def start_workflow(self, _workflow: object, *_args: object, id: str, **_: object) -> None:
        self.calls.append(("start", id))
        raise RPCError("recording client", RPCStatusCode.UNAVAILABLE, b"")

    def list_workflows(self, query: str, **_: object) -> AsyncIterator[object]:
        self.calls.append(("list", query))
        return _nothing()

    async def create_schedule(self, schedule_id: str, *_: object, **__: object) -> None:
        self.calls.append(("create_schedule", schedule_id))
        raise RPCError("recording client", RPCStatusCode.UNAVAILABLE, b"")

    def get_schedule_handle(self, schedule_id: str) -> _Handle:
        return _Handle(self, schedule_id)

    def workflow_ids(self) -> list[str]:
        """The workflows and Schedules addressed by ID (visibility lists excluded)."""
        return [target for kind, target in self.calls if kind != "list"]

    def listed_members(self) -> set[str]:
        """The ``MemberId`` values of every visibility query."""
        return {
            m
            for kind, query in self.calls
            if kind == "list"
            for m in re.findall(r'MemberId\s*=\s*"([^"]*)"', query)
        }


async def _nothing() -> AsyncIterator[object]:
    nothing: tuple[object, ...] = ()
    for item in nothing:
        yield item


@dataclass
class _Handle:
    client: RecordingTemporal
    id: str

    async def _refuse(self, what: str) -> Any:
        self.client.calls.append((what, self.id))
        raise _not_found()

    async def query(self, *_: object, **__: object) -> Any:
        return await self._refuse("query")

    async def execute_update(self, *_: object, **__: object) -> Any:
        return await self._refuse("update")

    async def describe(self, *_: object, **__: object) -> Any:
        return await self._refuse("describe")

    async def pause(self, *_: object, **__: object) -> Any:
        return await self._refuse("pause")

    async def unpause(self, *_: object, **__: object) -> Any:
        return await self._refuse("unpause")

    async def delete(self, *_: object, **__: object) -> Any:
        return await self._refuse("delete")

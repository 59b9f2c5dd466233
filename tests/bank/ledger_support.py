"""Helpers shared by the ledger tests: open accounts, fund them, read balances, run threads."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bank.ledger import EntryKind, EntryRequest, Leg, PostedEntry, chart, post
from bank.ledger import movement_codes as mc
from bank.models import Account, AccountStatus, JournalEntry, Posting, ProductType


def open_account(
    session: Session,
    product: ProductType = ProductType.SAVINGS,
    status: AccountStatus = AccountStatus.ACTIVO,
) -> int:
    """A member-style account (no member row needed: member_id is nullable)."""
    account = Account(number=uuid.uuid4().hex[:20], product=product, status=status)
    session.add(account)
    session.flush()
    return account.id


def fund(session: Session, account_id: int, cents: int) -> PostedEntry:
    """Credit an account from the cash GL account with a SEED entry."""
    cash = chart.ensure_chart(session)[chart.CASH]
    return post(
        session,
        EntryRequest(
            f"fund-{uuid.uuid4()}",
            EntryKind.SEED,
            "Saldo inicial",
            (
                Leg.of(mc.OPENING_BALANCE, account_id, cents),
                Leg.of(mc.OPENING_BALANCE, cash, -cents),
            ),
        ),
    )


def transfer(key: str, source: int, target: int, cents: int) -> EntryRequest:
    """A plain transfer between two accounts (no fee)."""
    return EntryRequest(
        key,
        EntryKind.TRANSFER,
        "Transferencia",
        (Leg.of(mc.TRANSFER_DEBIT, source, -cents), Leg.of(mc.TRANSFER_CREDIT, target, cents)),
    )


def balances(sessions: sessionmaker[Session], account_id: int) -> tuple[int, int]:
    """(balance_cents, held_cents) read in a fresh transaction."""
    with sessions() as session:
        row = session.execute(
            select(Account.balance_cents, Account.held_cents).where(Account.id == account_id)
        ).one()
        return int(row[0]), int(row[1])


def counts(sessions: sessionmaker[Session]) -> tuple[int, int]:
    """(journal entries, postings) in the database."""
    with sessions() as session:
        entries = session.scalar(select(func.count()).select_from(JournalEntry))
        postings = session.scalar(select(func.count()).select_from(Posting))
        return int(entries or 0), int(postings or 0)


def run_together(workers: int, job: Callable[[int], Any]) -> list[Any]:
    """Run ``job(i)`` on ``workers`` threads released at once; results or exceptions, by i."""
    barrier = threading.Barrier(workers)
    results: list[Any] = [None] * workers

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = job(i)
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results

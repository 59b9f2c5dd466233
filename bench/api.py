"""Consolidated-position throughput and latency beside a trivial endpoint, in the same run.

Run: ``.venv/bin/python -m bench.api`` (``COOP_BENCH_DATABASE_URL`` to use an existing empty,
migrated PostgreSQL database; otherwise a throwaway one on the test server is created and
dropped). Needs Debian's ``wrk``.

It seeds N members (default 1,000) with savings + certificates, a loan with 12 installments,
an investment, a debit and a credit card and ~50 ledger movements each; starts the real app
under uvicorn (one worker, a subprocess); logs in as many members through the API; then runs
``wrk`` with 50 connections against ``GET /health`` and ``GET /api/v1/position`` (the same Lua
script for both rotates the members' bearer tokens), alternating the two for five rounds so
both see the same machine load. It prints requests/s, p50 and p95 for each and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx

from bank.adapters.sealed_documents import generate_key_entry
from bank.core import migrate
from bank.core.db import make_engine
from bench import api_data, report
from bench.processes import peak_rss_mib
from tests.support.net import free_port

WRK = "/usr/bin/wrk"
POSITION = "/api/v1/position"
LUA = """
local tokens = {%(tokens)s}
local i = 0
request = function()
  i = i + 1
  local headers = {}
  if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[(i %% #tokens) + 1] end
  return wrk.format("GET", "%(path)s", headers)
end
done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%d, \\"p95\\": %%d, " ..
    "\\"p99\\": %%d, \\"non2xx\\": %%d, \\"errors\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


@dataclass(frozen=True)
class Run:
    """One wrk run."""

    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    failures: int


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


@contextmanager
def server(
    url: str,
    port: int,
    extra_env: dict[str, str] | None = None,
    peaks: dict[str, float] | None = None,
) -> Iterator[str]:
    """uvicorn serving the real app (one worker) until the block ends.

    With ``peaks``, its ``"api"`` entry gets uvicorn's peak resident memory (MiB) on the way out.
    """
    env = (
        os.environ
        | (extra_env or {})
        | {
            "COOP_DATABASE_URL": url,
            "COOP_ENVIRONMENT": "production",
            "COOP_DEV_OUTBOX": "false",
            "COOP_SESSION_IDLE_MINUTES": "120",
            "COOP_SECRET_KEY": secrets.token_urlsafe(32),
            "COOP_DOCUMENT_KEYS": generate_key_entry("bench"),  # production requires one
        }
    )
    cmd = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port",
           str(port), "--workers", "1", "--no-access-log", "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            if proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("uvicorn did not start")
        yield base
    finally:
        if peaks is not None:
            peaks["api"] = peak_rss_mib(proc.pid)
        proc.terminate()
        proc.wait(timeout=10)


async def _tokens(base: str, members: int, count: int) -> list[str]:
    """Log in ``count`` members spread over the population, a few at a time."""
    step = max(1, members // count)
    names = [api_data.username(i) for i in range(1, members + 1, step)][:count]
    sem = asyncio.Semaphore(4)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def one(name: str) -> str:
            async with sem:
                body = {"username": name, "password": api_data.PASSWORD}
                response = await client.post("/api/v1/auth/login", json=body)
                response.raise_for_status()
                return str(response.json()["access_token"])

        return await asyncio.gather(*(one(name) for name in names))


def wrk(base: str, path: str, tokens: list[str], seconds: int, connections: int) -> Run:
    """Run wrk once and parse the Lua summary line."""
    quoted = ", ".join(f'"{t}"' for t in tokens)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"tokens": quoted, "path": path})
    try:
        out = subprocess.run(
            [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s",
             script.name, base + path],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        Path(script.name).unlink()
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return Run(
        rps=data["requests"] / data["seconds"],
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        failures=data["non2xx"] + data["errors"],
    )


def _check_position(base: str, token: str) -> None:
    response = httpx.get(f"{base}/api/v1/position", headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    body = response.json()
    assert len(body["cuentas"]) == 2 and len(body["prestamos"]) == 1, body
    assert len(body["inversiones"]) == 1 and len(body["tarjetas"]) == 2, body


def _summary(runs: list[Run]) -> dict[str, float]:
    return {
        "rps": statistics.median(r.rps for r in runs),
        "p50": statistics.median(r.p50_ms for r in runs),
        "p95": statistics.median(r.p95_ms for r in runs),
        "p99": statistics.median(r.p99_ms for r in runs),
        "failures": sum(r.failures for r in runs),
    }


def _print_run(name: str, run: Run) -> None:
    print(
        f"  {name:<9} {run.rps:8.0f} req/s   p50 {run.p50_ms:6.2f} ms   p95 {run.p95_ms:6.2f} ms"
        f"   p99 {run.p99_ms:6.2f} ms   failures {run.failures}",
        flush=True,
    )


def _rounds(base: str, tokens: list[str], args: argparse.Namespace) -> dict[str, list[Run]]:
    """Alternate trivial and position runs so both see the same machine load."""
    wrk(base, "/health", tokens, 2, args.connections)  # warm-up
    wrk(base, POSITION, tokens, 2, args.connections)
    runs: dict[str, list[Run]] = {"trivial": [], "position": []}
    for n in range(1, args.rounds + 1):
        print(f"round {n}/{args.rounds} ({args.connections} connections, {args.seconds} s each)")
        for name, path in (("trivial", "/health"), ("position", POSITION)):
            # The same client script for both (the trivial endpoint ignores the header): wrk
            # shares the CPUs with the server, so only the endpoint may differ between runs.
            run = wrk(base, path, tokens, args.seconds, args.connections)
            runs[name].append(run)
            _print_run(name, run)
        print(f"  ratio     {runs['position'][-1].rps / runs['trivial'][-1].rps:.2f}", flush=True)
    return runs


def _report(runs: dict[str, list[Run]], peaks: dict[str, float]) -> None:
    trivial, position = _summary(runs["trivial"]), _summary(runs["position"])
    print("\nmedian of rounds")
    for name, row in (("GET /health", trivial), ("GET /api/v1/position", position)):
        print(
            f"  {name:<22} {row['rps']:8.0f} req/s   p50 {row['p50']:6.2f} ms   "
            f"p95 {row['p95']:6.2f} ms   p99 {row['p99']:6.2f} ms   failures {row['failures']:.0f}"
        )
    ratio = position["rps"] / trivial["rps"]
    print(
        f"  ratio position/trivial: {ratio:.2f} (target >= 0.50); "
        f"position p95 {position['p95']:.1f} ms (target < 50 ms)",
        flush=True,
    )
    health = "GET /health"
    report.emit(
        "api",
        [
            # Target: at least half the trivial endpoint's throughput, measured alongside.
            report.Row(
                "position throughput",
                position["rps"],
                "req/s",
                trivial["rps"],
                0.5 * trivial["rps"],
                health,
            ),
            report.Row(
                "position p95",
                position["p95"],
                "ms",
                trivial["p95"],
                50.0,
                health,
                lower_is_better=True,
            ),
        ],
        peaks=peaks,
        failures=int(position["failures"] + trivial["failures"]),
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--movements", type=int, default=50)
    parser.add_argument("--tokens", type=int, default=50, help="members logged in for the load")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=50)
    return parser.parse_args()


def main() -> None:
    """Seed, serve, load, report."""
    args = _arguments()
    if not shutil.which(WRK):
        sys.exit("wrk is not installed (apt-get install wrk)")
    with database() as url:
        engine = make_engine(url)
        started = time.perf_counter()
        postings = api_data.seed(engine, args.members, args.movements, date.today())
        engine.dispose()
        elapsed = time.perf_counter() - started
        print(f"seeded {args.members} members, {postings} postings in {elapsed:.1f} s")
        peaks: dict[str, float] = {}
        with server(url, free_port(), peaks=peaks) as base:
            tokens = asyncio.run(_tokens(base, args.members, args.tokens))
            _check_position(base, tokens[0])
            runs = _rounds(base, tokens, args)
    _report(runs, peaks)


if __name__ == "__main__":
    main()

"""The engine as it runs in production, for benches: the API (uvicorn) and the worker
(``workers.main``) as separate processes on one database and one Temporal server.

Each process has its own interpreter (its own GIL), as deployed; the bench's load generator
is a third. ``peak_rss_mib`` reads the kernel's high-water mark (``VmHWM``) of a child, for the
memory column of ``bench.run``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.net import free_port
from workers.processes import http_ok

READY_LIMIT = 90.0


@dataclass
class Engine:
    """The running children and where to reach the API."""

    api: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]
    base_url: str
    logs: Path

    def peaks(self) -> dict[str, float]:
        """Peak resident memory of the API and the worker, MiB."""
        return {"api": peak_rss_mib(self.api.pid), "worker": peak_rss_mib(self.worker.pid)}


def peak_rss_mib(pid: int) -> float:
    """``VmHWM`` of a live process in MiB (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def environment(database_url: str, temporal_address: str, **extra: str) -> dict[str, str]:
    """The children's environment: the test profile, this database and Temporal server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOP_")}
    env.update(
        COOP_ENVIRONMENT="test",
        COOP_DATABASE_URL=database_url,
        COOP_TEMPORAL_ADDRESS=temporal_address,
        COOP_DEV_OUTBOX="false",
        COOP_CARD_BILLING_SCHEDULE="false",
        **extra,
    )
    return env


@contextmanager
def running_engine(database_url: str, temporal_address: str, **extra: str) -> Iterator[Engine]:
    """Start the worker and the API, wait until both are ready, stop both afterwards."""
    env = environment(database_url, temporal_address, **extra)
    logs = Path(tempfile.mkdtemp(prefix="coop-bench-"))
    port = free_port()
    worker = _spawn([sys.executable, "-m", "workers.main"], env, logs / "worker.log")
    api = _spawn(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env,
        logs / "api.log",
    )
    engine = Engine(api, worker, f"http://127.0.0.1:{port}", logs)
    try:
        _wait_ready(engine)
        yield engine
    finally:
        for child in (api, worker):
            child.terminate()
        for child in (api, worker):
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()


def _spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_ready(engine: Engine) -> None:
    """The API answers /health and the worker logged that it polls."""
    deadline = time.monotonic() + READY_LIMIT
    api_up = worker_up = False
    while time.monotonic() < deadline and not (api_up and worker_up):
        for child in (engine.api, engine.worker):
            if child.poll() is not None:
                raise RuntimeError(f"a bench child exited early; see {engine.logs}")
        api_up = api_up or http_ok(f"{engine.base_url}/health")
        worker_up = worker_up or _worker_polling(engine.logs / "worker.log")
        time.sleep(0.3)
    if not (api_up and worker_up):
        raise RuntimeError(f"the engine did not become ready in {READY_LIMIT:.0f}s: {engine.logs}")


def _worker_polling(log: Path) -> bool:
    try:
        return b"worker ready" in log.read_bytes()
    except OSError:
        return False

"""Child processes of the run command: start with a log file, wait for health, stop cleanly.

Each child runs in its own process group (its own session), so a Ctrl-C in the terminal
reaches only the supervisor, which then stops the children in order: SIGTERM to the whole
group, SIGKILL if it has not exited after a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bank.core.settings import ROOT

HealthCheck = Callable[[], Awaitable[bool]]


class StartupError(RuntimeError):
    """A child did not become healthy, or died while starting."""


class Interrupted(RuntimeError):
    """SIGINT or SIGTERM arrived while starting."""


@dataclass
class Child:
    """One supervised process and its log file."""

    name: str
    argv: list[str]
    log_path: Path
    stop_timeout: float = 10.0
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def pid(self) -> int:
        """The child's process id (it leads its own process group)."""
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    def start(self, env: dict[str, str] | None = None) -> None:
        """Start the process, appending its output to ``log_path``."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"\n=== {datetime.now().isoformat(timespec='seconds')} start: ".encode())
            log.write((" ".join(self.argv) + "\n").encode())
            log.flush()
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def exit_code(self) -> int | None:
        """None while running; the exit code once it has exited."""
        return None if self.process is None else self.process.poll()

    def stop(self) -> int | None:
        """SIGTERM the process group, then SIGKILL after ``stop_timeout``; return the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.exit_code()
        self._signal_group(signal.SIGTERM)
        try:
            return self.process.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            return self.process.wait(5)

    def _signal_group(self, signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.pid, signum)

    def describe_exit(self) -> str:
        """``code 1`` or ``signal SIGKILL``, for messages."""
        code = self.exit_code()
        if code is not None and code < 0:
            return f"signal {signal.Signals(-code).name}"
        return f"code {code}"

    def log_tail(self, lines: int = 15) -> str:
        """The end of the child's log, for a failure message."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


async def wait_healthy(
    child: Child | None,
    check: HealthCheck,
    *,
    what: str,
    limit: float,
    stop: asyncio.Event,
    interval: float = 0.25,
) -> float:
    """Poll ``check`` until it passes; return the seconds it took.

    Raises:
        StartupError: the child exited, or ``limit`` seconds passed.
        Interrupted: ``stop`` was set meanwhile.
    """
    started = time.monotonic()
    while True:
        if stop.is_set():
            raise Interrupted(what)
        if child is not None and child.exit_code() is not None:
            raise StartupError(
                f"{what} exited ({child.describe_exit()}) while starting; "
                f"see {child.log_path}:\n{child.log_tail()}"
            )
        try:
            if await check():
                return time.monotonic() - started
        except Exception:  # not up yet: connection refused, RPC unavailable…
            pass
        if time.monotonic() - started > limit:
            raise StartupError(f"{what} not healthy after {limit:.0f}s")
        await asyncio.sleep(interval)


def port_open(host: str, port: int) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def tcp_check(host: str, port: int) -> HealthCheck:
    """Healthy when the port accepts connections."""

    async def check() -> bool:
        return await asyncio.to_thread(port_open, host, port)

    return check


def http_ok(url: str) -> bool:
    """True when ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def http_check(url: str) -> HealthCheck:
    """Healthy when GET ``url`` answers 200."""

    async def check() -> bool:
        return await asyncio.to_thread(http_ok, url)

    return check

"""The whole engine for browser tests: the README's run command on free ports.

``python -m workers.run`` starts the Temporal dev server, the mail sink, migrates and seeds a
private PostgreSQL database, starts the worker and the API; the tests then drive the portal
in Chromium exactly as a member would, reading OTP codes and links from the dev mailbox.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bank.core.settings import ROOT
from tests.postgres import throwaway_database
from tests.support.net import free_port
from tests.web.api_client import ApiClient

START_TIMEOUT = 240.0
READY_LINE = "running; press Ctrl-C to stop"


@dataclass
class Stack:
    """A running engine and how to reach it."""

    base_url: str
    database_url: str
    temporal_address: str
    task_queue: str
    root: Path
    env: dict[str, str]

    def url(self, path: str) -> str:
        return self.base_url + path

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """Every email and SMS of the dev mailbox, newest first."""
        with ApiClient(self.url("/dev/mailbox"), timeout=10) as mailbox:
            found = mailbox.ok("GET", "/messages", params={"to": to} if to else None)
        return list(found["messages"])

    def wait_message(
        self, predicate: Any, *, to: str | None = None, timeout: float = 30.0
    ) -> dict[str, Any]:
        """The newest message matching ``predicate``, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages(to):
                if predicate(message):
                    return message
            if time.monotonic() > deadline:
                raise AssertionError(f"no matching message for {to!r} within {timeout}s")
            time.sleep(0.3)

    def otp_after(self, mobile: str, seen: set[str] | None = None, timeout: float = 30.0) -> str:
        """The newest OTP sent to ``mobile`` that is not in ``seen`` (codes read before)."""
        seen = seen or set()
        message = self.wait_message(
            lambda m: bool(m.get("otp_code")) and m["otp_code"] not in seen,
            to=mobile,
            timeout=timeout,
        )
        return str(message["otp_code"])

    def codes_so_far(self, mobile: str) -> set[str]:
        """OTP codes already sent to ``mobile`` (pass to :meth:`otp_after`)."""
        return {m["otp_code"] for m in self.messages(mobile) if m.get("otp_code")}

    def link_in_email(self, email: str, pattern: str, seen: set[str] | None = None) -> str:
        """The first URL matching ``pattern`` in the newest email to ``email`` not yet seen."""
        seen = seen or set()
        regex = re.compile(pattern)

        def has_link(message: dict[str, Any]) -> bool:
            found = regex.search(message.get("text") or "")
            return found is not None and found.group(0) not in seen

        message = self.wait_message(has_link, to=email, timeout=60)
        found = regex.search(message["text"])
        assert found
        return found.group(0)

    def log(self, name: str) -> str:
        path = self.root / "log" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _wait_ready(process: subprocess.Popen[bytes], out: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = out.read_text(errors="replace") if out.exists() else ""
        if READY_LINE in text:
            return
        if process.poll() is not None:
            raise RuntimeError(f"the run command exited ({process.returncode}):\n{text[-4000:]}")
        time.sleep(0.5)
    raise RuntimeError(f"the engine was not up within {START_TIMEOUT}s:\n{out.read_text()[-4000:]}")


@contextmanager
def running_stack(root: Path, **extra_env: str) -> Iterator[Stack]:
    """Start ``python -m workers.run`` on a private database and free ports; stop it after."""
    with throwaway_database(prefix="coop_web") as database_url:
        api, grpc, ui, smtp = (free_port() for _ in range(4))
        base = f"http://127.0.0.1:{api}"
        queue = f"web-{api}"
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "COOP_ENVIRONMENT": "test",
            "COOP_DATABASE_URL": database_url,
            "COOP_TEMPORAL_ADDRESS": f"127.0.0.1:{grpc}",
            "COOP_TEMPORAL_GRPC_PORT": str(grpc),
            "COOP_TEMPORAL_UI_PORT": str(ui),
            "COOP_TEMPORAL_UI_URL": f"http://127.0.0.1:{ui}",
            "COOP_TEMPORAL_DB_PATH": str(root / "temporal.db"),
            "COOP_SMTP_PORT": str(smtp),
            "COOP_MAILBOX_SMTP_PORT": str(smtp),
            "COOP_MAILBOX_DIR": str(root / "mailbox"),
            "COOP_DOCUMENT_DIR": str(root / "documents"),
            "COOP_CA_DIR": str(root / "ca"),
            "COOP_LOG_DIR": str(root / "log"),
            "COOP_API_PORT": str(api),
            "COOP_PUBLIC_URL": base,
            "COOP_TASK_QUEUE": queue,
            "COOP_KYC_TASK_QUEUE": f"{queue}-kyc",
            # Sign-by time of this stack: the tests run at any hour of the day.
            "COOP_CREDIT_SIGNING_CUTOFF": "23:59",
            # Tests load their own campaigns; test_zz_demo_campaign.py loads the demo one last.
            "COOP_DEMO_CAMPAIGN": "false",
            "COOP_CARD_BILLING_SCHEDULE": "false",
            **extra_env,
        }
        out = root / "run.out"
        with out.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "workers.run"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_ready(process, out)
            yield Stack(base, database_url, f"127.0.0.1:{grpc}", queue, root, env)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

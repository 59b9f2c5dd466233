"""The run command's supervisor: ``python -m workers.run [--no-seed] [--check]``.

On the embedded defaults it starts the Temporal dev server (state in ``var/temporal.db``),
the local SMTP sink, applies the migrations to ``var/app.db``, seeds the demo data, starts
the worker and the API, waits until each is healthy and prints where everything is. Any
part the settings point elsewhere (a remote Temporal, an SMTP relay, PostgreSQL) is used
as configured instead of started. Children log to ``var/log/<name>.log``.

Ctrl-C (SIGINT), SIGTERM or SIGHUP stops every child in reverse order; a child that dies
unexpectedly stops everything with a message and exit code 1. ``--check`` starts
everything, verifies health, prints the summary and stops (the CI smoke test).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import (
    DescribeNamespaceRequest,
    DescribeTaskQueueRequest,
)
from temporalio.client import Client

from bank.core import migrate
from bank.core.settings import ROOT, VAR, ApiSettings, RunSettings, WorkerSettings
from bank.core.temporal import LOCAL_HOSTS, connect, ensure_search_attributes, resolve_connection
from bank.demo.data import DEMO_CAMPAIGN_ID
from workers.demo_campaign import load_demo_campaign
from workers.devserver import dev_server_command
from workers.processes import (
    Child,
    Interrupted,
    StartupError,
    http_check,
    port_open,
    tcp_check,
    wait_healthy,
)

SEED_TIMEOUT = 300.0


def say(message: str) -> None:
    """One status line of the supervisor."""
    print(f"[run] {message}", flush=True)


class Supervisor:
    """Starts the children in order, watches them, and stops them in reverse order."""

    def __init__(self, *, seed: bool, check: bool) -> None:
        self.settings = RunSettings()
        self.api_settings = ApiSettings()
        self.worker_settings = WorkerSettings()
        self.conn = resolve_connection(self.settings)
        self.seed, self.check = seed, check
        self.children: list[Child] = []
        self.stop = asyncio.Event()
        self.client: Client | None = None
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    # -- what runs locally -------------------------------------------------------------

    @property
    def local_temporal(self) -> bool:
        """Start the dev server only for a plaintext loopback address (the dev profile)."""
        return self.conn.is_local

    @property
    def local_smtp(self) -> bool:
        """Start the sink only when mail goes to the loopback sink's port, not to a relay."""
        s = self.settings
        return s.smtp_host in LOCAL_HOSTS and s.smtp_port == s.mailbox_smtp_port

    # -- starting ----------------------------------------------------------------------

    def _child(self, name: str, argv: list[str], stop_timeout: float = 10.0) -> Child:
        child = Child(name, argv, self.settings.log_dir / f"{name}.log", stop_timeout)
        self.children.append(child)
        child.start(self.env)
        return child

    def _port_free(self, host: str, port: int, what: str) -> None:
        if port_open(host, port):
            raise StartupError(
                f"port {port} on {host} is already in use, so {what} cannot start there. "
                "Is the engine already running? Stop it, or move the port with COOP_* settings."
            )

    async def _temporal_ready(self) -> bool:
        if self.client is None:
            self.client = await connect(self.settings)
        await self.client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=self.conn.namespace)
        )
        return True

    async def start_temporal(self) -> None:
        """Start the dev server (embedded) or just reach the configured cluster."""
        child = None
        if self.local_temporal:
            self._port_free(self.conn.host, self.conn.port, "the Temporal dev server")
            command = dev_server_command(self.settings, self.conn)
            child = self._child("temporal", command)
            what = f"Temporal dev server on {self.conn.address}"
        else:
            what = f"Temporal at {self.conn.address} (namespace {self.conn.namespace})"
        took = await wait_healthy(
            child, self._temporal_ready, what=what, limit=90, stop=self.stop, interval=0.5
        )
        assert self.client is not None
        created = []  # a remote cluster's attributes are the worker's (or tcld's) business
        if self.local_temporal:
            created = await ensure_search_attributes(self.client, self.conn.namespace)
        extra = f", created search attributes {', '.join(created)}" if created else ""
        say(f"{what}: ready in {took:.1f}s{extra}")

    async def start_mail_sink(self) -> None:
        """Start the local SMTP sink unless mail goes to a real relay."""
        s = self.settings
        if not self.local_smtp:
            say(f"email: using the SMTP relay at {s.smtp_host}:{s.smtp_port}")
            return
        if importlib.util.find_spec("bank.adapters.mail_sink") is None:
            say("email: bank.adapters.mail_sink is missing; no local sink started")
            return
        self._port_free(s.smtp_host, s.smtp_port, "the mail sink")
        argv = [sys.executable, "-m", "bank.adapters.mail_sink"]
        argv += ["--dir", str(s.mailbox_dir), "--host", s.smtp_host, "--port", str(s.smtp_port)]
        child = self._child("mail-sink", argv)
        what = f"mail sink on {s.smtp_host}:{s.smtp_port}"
        took = await wait_healthy(
            child, tcp_check(s.smtp_host, s.smtp_port), what=what, limit=30, stop=self.stop
        )
        say(f"{what}: ready in {took:.1f}s (writes {s.mailbox_dir})")

    async def prepare_database(self) -> None:
        """Apply the migrations, then seed the demo data (idempotent) unless ``--no-seed``."""
        url = self.settings.database_url
        started = time.monotonic()
        await asyncio.to_thread(migrate.upgrade, url)
        where = url.rsplit("@", 1)[-1] if "@" in url else url
        say(f"database {where}: migrated in {time.monotonic() - started:.1f}s")
        if not self.seed or importlib.util.find_spec("bank.demo.seed") is None:
            say("demo data: skipped" if not self.seed else "demo data: bank.demo.seed is missing")
            return
        log_path = self.settings.log_dir / "seed.log"
        started = time.monotonic()
        with log_path.open("ab") as log:
            result = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "bank.demo.seed"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=SEED_TIMEOUT,
                check=False,
            )
        if result.returncode != 0:
            raise StartupError(f"seeding failed with code {result.returncode}; see {log_path}")
        say(f"demo data: seeded in {time.monotonic() - started:.1f}s (log {log_path})")

    async def _worker_polling(self, pid: int) -> bool:
        assert self.client is not None
        response = await self.client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=self.conn.namespace,
                task_queue=TaskQueue(name=self.worker_settings.task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            )
        )
        return any(p.identity.startswith(f"{pid}@") for p in response.pollers)

    async def start_worker(self) -> None:
        """Start ``python -m workers.main``; healthy once it polls the general task queue."""
        child = self._child("worker", [sys.executable, "-m", "workers.main"], stop_timeout=25)
        queue = self.worker_settings.task_queue
        took = await wait_healthy(
            child,
            lambda: self._worker_polling(child.pid),
            what=f"worker on task queue {queue}",
            limit=60,
            stop=self.stop,
            interval=0.5,
        )
        say(f"worker (pid {child.pid}) polling {queue}: ready in {took:.1f}s")

    async def start_api(self) -> None:
        """Start uvicorn with ``api.main:app``; healthy once GET /health answers 200."""
        host, port = self.api_settings.api_host, self.api_settings.api_port
        self._port_free(host, port, "the API")
        argv = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", host]
        argv += ["--port", str(port)]
        child = self._child("api", argv)
        url = f"http://{host}:{port}/health"
        took = await wait_healthy(child, http_check(url), what="API", limit=60, stop=self.stop)
        say(f"API on http://{host}:{port}: ready in {took:.1f}s")

    async def load_campaign(self) -> None:
        """The demo preapproved campaign, loaded through the officer API (idempotent)."""
        if not (self.seed and self.settings.demo_campaign):
            return
        base = f"http://{self.api_settings.api_host}:{self.api_settings.api_port}"
        today = datetime.now(ZoneInfo(self.settings.timezone)).date()
        outcome = await asyncio.to_thread(load_demo_campaign, base, today)
        say(f"demo campaign {DEMO_CAMPAIGN_ID}: {outcome}")

    # -- running and stopping -----------------------------------------------------------

    def summary(self) -> str:
        """The URLs and demo logins a person needs."""
        base = f"http://{self.api_settings.api_host}:{self.api_settings.api_port}"
        lines = ["", "Cooprogreso engine is up.", f"  Web banking    {base}/banca/"]
        lines += [f"  Officer pages  {base}/oficial/", f"  OpenAPI docs   {base}/docs"]
        if self.local_temporal:
            lines.append(f"  Temporal UI    http://127.0.0.1:{self.settings.temporal_ui_port}")
        else:
            lines.append(f"  Temporal       {self.conn.address} ({self.conn.namespace})")
        if self.api_settings.dev_outbox:
            lines.append(f"  Dev mailbox    {base}/dev/mailbox")
        lines.append(f"  Logs           {self.settings.log_dir}/")
        lines += ["", *demo_logins(), ""]
        return "\n".join(lines)

    def first_dead(self) -> Child | None:
        """A child that has exited, if any."""
        return next((c for c in self.children if c.exit_code() is not None), None)

    async def watch(self) -> int:
        """Wait for a stop signal (exit 0) or a child's death (exit 1)."""
        while not self.stop.is_set():
            dead = self.first_dead()
            if dead is not None:
                say(f"{dead.name} exited unexpectedly ({dead.describe_exit()}); stopping all.")
                say(f"last lines of {dead.log_path}:\n{dead.log_tail()}")
                return 1
            await asyncio.sleep(0.5)
        return 0

    def stop_all(self) -> None:
        """Stop the children in reverse start order."""
        for child in reversed(self.children):
            if child.exit_code() is None:
                child.stop()
                say(f"stopped {child.name} ({child.describe_exit()})")

    async def run(self) -> int:
        """Start everything, then watch (or, with ``--check``, stop at once)."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, self.stop.set)
        started = time.monotonic()
        VAR.mkdir(parents=True, exist_ok=True)
        try:
            await self.start_temporal()
            await self.start_mail_sink()
            await self.prepare_database()
            await self.start_worker()
            await self.start_api()
            await self.load_campaign()
            print(self.summary(), flush=True)
            if self.check:
                say(f"check passed: everything healthy in {time.monotonic() - started:.1f}s")
                return 0
            say("running; press Ctrl-C to stop")
            return await self.watch()
        except Interrupted:
            say("interrupted while starting")
            return 130
        except StartupError as exc:
            say(f"error: {exc}")
            return 1
        finally:
            await asyncio.to_thread(self.stop_all)


def demo_logins() -> list[str]:
    """The demo logins from ``bank.demo.seed.DEMO_LOGINS``, or a pointer to the docs."""
    if importlib.util.find_spec("bank.demo.seed") is None:
        return ["Demo logins: see README.md (docs/demo-data.md)."]
    from bank.demo import seed

    logins = getattr(seed, "DEMO_LOGINS", None)
    if not logins:
        return ["Demo logins: see README.md (docs/demo-data.md)."]
    lines = ["Demo logins (username / password):"]
    for username, password, who in logins:
        lines.append(f"  {username:<16} {password:<16} {who}")
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m workers.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--no-seed", action="store_true", help="do not seed the demo data")
    parser.add_argument(
        "--check", action="store_true", help="start everything, verify health, print, stop"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Entry point; exits with the supervisor's status."""
    args = parse_args(argv)
    os.chdir(ROOT)
    try:
        code = asyncio.run(Supervisor(seed=not args.no_seed, check=args.check).run())
    except Exception as exc:  # configuration errors: say what, not a traceback
        say(f"error: {type(exc).__name__}: {exc}")
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    # temporalio/sdk-python#300: a process that used a client can abort at interpreter exit
    # (exit 134) after its work is done; leave directly so the exit code is the real one.
    os._exit(code)


if __name__ == "__main__":
    main(sys.argv[1:])

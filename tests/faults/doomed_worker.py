"""A production-wired worker that kills itself (SIGKILL) at one chosen point.

Run by the worker-crash tests as a separate process; the crash point comes from
``COOP_TEST_CRASH_AT`` and is read here only, so product code never learns about crashes:

- ``before_post``: the process dies as the ledger entry is about to be inserted; the
  transaction is open, so nothing of the activity is kept (the database rolls it back).
- ``after_post``: dies right after the transaction that inserted a ledger entry commits;
  the money moved, the activity's result never reaches Temporal.
- ``before_complete``: dies when the workflow's code has returned (every activity done
  and recorded) but before the completion reaches Temporal.

The first two watch the SQL of the process's own engine (``INSERT INTO journal_entries``,
then the commit of the session that ran it), so they hold for any journey whatever the call
path into ``bank.ledger.post``; the third wraps the workflow with an interceptor, which is
why this worker runs its workflows outside the sandbox in that mode.

The tests fork it from a ``multiprocessing`` fork server that imported this module once
(:func:`serve`; a fresh interpreter spends seconds importing the worker's dependencies); by
hand: ``COOP_TEST_CRASH_AT=<point> python -m tests.faults.doomed_worker <temporal target>
<task queue> <database url> <smtp port> <folder>``. It reports ``ready`` once polling and
``dying at <point>`` just before the kill.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from temporalio.client import Client
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    UnsandboxedWorkflowRunner,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from bank.core.db import make_engine
from bank.core.temporal import DATA_CONVERTER
from tests.faults.crash_support import POINTS, general_worker
from tests.workflows.schedule_support import production_activities

CRASH_AT = "COOP_TEST_CRASH_AT"
_posted = threading.local()
_report: Callable[[str], object] = functools.partial(print, flush=True)


def die(point: str) -> NoReturn:
    """What ``kill -9`` does: no cleanup, no reply to anyone."""
    _report(f"dying at {point}")
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")  # pragma: no cover


def _inserts_entry(statement: str) -> bool:
    return statement.lstrip().upper().startswith("INSERT INTO JOURNAL_ENTRIES")


def arm_ledger(engine: Engine, point: str) -> None:
    """Die before the ledger entry's insert, or after the commit of its transaction."""

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if _inserts_entry(statement):
            if point == "before_post":
                die(point)
            _posted.flag = True

    def committed(session: Session) -> None:
        # Also called when a SAVEPOINT is released: only the outermost commit counts.
        if getattr(_posted, "flag", False) and not session.in_nested_transaction():
            die(point)

    def rolled_back(_session: Session, _transaction: Any) -> None:
        _posted.flag = False

    event.listen(engine, "before_cursor_execute", before)
    if point == "after_post":
        event.listen(Session, "after_commit", committed)
        event.listen(Session, "after_soft_rollback", rolled_back)


class _DieBeforeCompleting(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        await super().execute_workflow(input)
        die("before_complete")


class DieBeforeCompleting(Interceptor):
    """Kill the process as soon as any workflow's code returns."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _DieBeforeCompleting


async def main(target: str, task_queue: str, database_url: str, port: str, folder: str) -> None:
    point = os.environ[CRASH_AT]
    if point not in POINTS:
        raise SystemExit(f"{CRASH_AT} must be one of {POINTS}, not {point!r}")
    client = await Client.connect(target, data_converter=DATA_CONVERTER)
    engine = make_engine(database_url)
    activities = production_activities(engine, client, int(port), Path(folder))
    if point == "before_complete":
        options: dict[str, Any] = {
            "interceptors": [DieBeforeCompleting()],
            "workflow_runner": UnsandboxedWorkflowRunner(),
        }
    else:
        arm_ledger(engine, point)
        options = {}
    async with general_worker(client, task_queue, activities, **options):
        _report("ready")
        await asyncio.Event().wait()


def serve(point: str, report: Callable[[str], object], *args: str) -> None:
    """The body of a forked doomed worker: ``report`` carries its two messages."""
    global _report
    _report = report
    os.environ[CRASH_AT] = point
    asyncio.run(main(*args))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))

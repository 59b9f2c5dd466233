"""The worker process: ``python -m workers.main``.

The only place where settings, engines, the Temporal client, activity instances and
``Worker``s are built. It runs:

- the general task queue (``COOP_TASK_QUEUE``): every workflow and the I/O-bound activities;
- the CPU-heavy queue (``COOP_KYC_TASK_QUEUE``) with few slots, for face matching, liveness
  and PDF rendering (wired here; it starts once ``kyc_activities`` returns any);
- the notification outbox's dispatcher loop (emails and SMS), in a thread.

SIGTERM or SIGINT stops polling, lets running activities finish (up to the graceful
timeout), stops the dispatcher and exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from activities.card_billing import CardBillingActivities
from activities.card_deferrals import CardDeferralActivities
from activities.card_pins import CardPinActivities
from activities.credit import CreditActivities
from activities.enrollment import EnrollmentActivities
from activities.kyc import KycActivities
from activities.movements import MovementActivities
from activities.privacy import PrivacyActivities
from activities.scheduled_payments import ScheduledPaymentActivities
from activities.signing import SigningActivities
from bank.access.security import use_password_cost
from bank.adapters.wiring import Adapters
from bank.core import logs, tracing
from bank.core.db import make_engine, session_factory
from bank.core.settings import WorkerSettings
from bank.core.temporal import connect, ensure_search_attributes
from workers import telemetry
from workflows.card_billing.schedule import ensure_billing_schedule
from workflows.card_billing.workflow import CardBillingWorkflow
from workflows.card_deferral.workflow import CardDeferralWorkflow
from workflows.card_pin.workflow import CardPinChangeWorkflow
from workflows.credit.journey import CreditJourneyWorkflow
from workflows.enrollment.workflow import EnrollmentWorkflow
from workflows.movement.workflow import MovementWorkflow
from workflows.scheduled_payment.workflow import ScheduledPaymentRunWorkflow

log = logging.getLogger("workers.main")

WORKFLOWS: Sequence[type] = (
    EnrollmentWorkflow,
    CreditJourneyWorkflow,
    MovementWorkflow,
    ScheduledPaymentRunWorkflow,
    CardPinChangeWorkflow,
    CardDeferralWorkflow,
    CardBillingWorkflow,
)
KYC_SLOTS = 2
"""Concurrent CPU-heavy activities: one per core on the reference 2-core machine."""
GRACEFUL_SHUTDOWN = timedelta(seconds=15)
OUTBOX_INTERVAL = 2.0


@dataclass
class Components:
    """What the process built, kept so it can be closed in order."""

    engine: Engine
    client: Client
    adapters: Adapters
    activities: list[Callable[..., Any]]
    kyc_activities: list[Callable[..., Any]] = field(default_factory=list)


def general_activities(settings: WorkerSettings, build: Components) -> list[Callable[..., Any]]:
    """Activities of the general queue (I/O-bound: database, outbox, adapters)."""
    adapters = build.adapters
    sessions, deliver = adapters.sessions, adapters.dispatcher.deliver_now
    enrollment = EnrollmentActivities(sessions, secret_key=settings.secret_key, deliver=deliver)
    credit = CreditActivities(
        sessions,
        secret_key=settings.secret_key,
        registro_civil=adapters.registro_civil,
        public_url=settings.public_url,
        deliver=deliver,
    )
    movements = MovementActivities(
        sessions,
        rules=adapters.payment_rules,
        spi=adapters.spi,
        billers=adapters.billers,
        secret_key=settings.secret_key,
        deliver=deliver,
    )
    scheduled = ScheduledPaymentActivities(
        sessions, rules=adapters.payment_rules, billers=adapters.billers, deliver=deliver
    )
    card_pins = CardPinActivities(sessions, secret_key=settings.secret_key, deliver=deliver)
    card_deferrals = CardDeferralActivities(
        sessions, rules=adapters.card_rules, secret_key=settings.secret_key, deliver=deliver
    )
    card_billing = CardBillingActivities(sessions, rules=adapters.card_rules)
    privacy = PrivacyActivities(adapters.documents, sessions)
    groups = (
        *(enrollment, credit, movements, scheduled, card_pins, card_deferrals, card_billing),
        privacy,
    )
    return [activity for group in groups for activity in group.all()]


def kyc_activities(settings: WorkerSettings, build: Components) -> list[Callable[..., Any]]:
    """Activities of the CPU-heavy queue (the credit journey's, issue 3)."""
    adapters = build.adapters  # one document store client for both groups
    signing = SigningActivities(adapters.documents, adapters.ca)
    kyc = KycActivities(adapters.documents, adapters.kyc_limits)
    return signing.all() + kyc.all()


async def build(settings: WorkerSettings) -> Components:
    """Connect to the database and Temporal; make sure the search attributes exist."""
    use_password_cost(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )
    engine = make_engine(settings.database_url)
    client = await connect(settings, runtime=telemetry.runtime(settings.worker_metrics_address))
    try:
        await ensure_search_attributes(client, client.namespace)
    except RPCError as exc:
        if exc.status != RPCStatusCode.PERMISSION_DENIED:
            raise
        # Temporal Cloud: attributes are managed with tcld / the Cloud UI (docs/temporal.md).
        log.warning("cannot manage search attributes here (%s); create them out of band", exc)
    adapters = Adapters(settings, session_factory(engine))
    parts = Components(engine=engine, client=client, adapters=adapters, activities=[])
    parts.activities = general_activities(settings, parts)
    parts.kyc_activities = kyc_activities(settings, parts)
    return parts


def workers(settings: WorkerSettings, parts: Components) -> list[Worker]:
    """The general worker, plus the KYC worker when it has activities to run."""
    general = Worker(
        parts.client,
        task_queue=settings.task_queue,
        workflows=list(WORKFLOWS),
        activities=parts.activities,
        activity_executor=ThreadPoolExecutor(settings.max_concurrent_activities),
        max_concurrent_activities=settings.max_concurrent_activities,
        max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )
    if not parts.kyc_activities:
        log.info("KYC queue %s has no activities yet; not polling it", settings.kyc_task_queue)
        return [general]
    kyc = Worker(
        parts.client,
        task_queue=settings.kyc_task_queue,
        activities=parts.kyc_activities,
        activity_executor=ThreadPoolExecutor(KYC_SLOTS),
        max_concurrent_activities=KYC_SLOTS,
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )
    return [general, kyc]


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)


async def run(settings: WorkerSettings) -> None:
    """Run the workers and the outbox dispatcher until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    _stop_on_signals(stop)
    parts = await build(settings)
    cards = parts.adapters.card_settings
    if cards.billing_schedule:
        await ensure_billing_schedule(parts.client, cards.cycle_day, settings.task_queue)
    outbox_stop = threading.Event()
    outbox = asyncio.create_task(
        asyncio.to_thread(parts.adapters.dispatcher.run_forever, OUTBOX_INTERVAL, outbox_stop)
    )
    try:
        async with AsyncExitStack() as stack:
            for worker in workers(settings, parts):
                await stack.enter_async_context(worker)
                log.info("polling task queue %s", worker.task_queue)
            log.info("worker ready (pid %d, namespace %s)", os.getpid(), parts.client.namespace)
            await stop.wait()
            log.info("stopping: finishing running activities")
    finally:
        outbox_stop.set()
        await outbox
        parts.engine.dispose()


def main() -> None:
    """Command-line entry point."""
    try:
        settings = WorkerSettings()
        logs.configure(settings.effective_log_format, settings.log_level)
        tracing.configure(settings.traces, "cooprogreso-worker")  # before the client exists
        asyncio.run(run(settings))
        code = 0
    except Exception:
        log.exception("worker stopped by an error")
        code = 1
    tracing.shutdown()  # os._exit below skips the exporter's own flush at exit
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # temporalio/sdk-python#300: the interpreter can abort at exit after a client was used
    # ("PyGILState_Release ... finalizing", exit 134). The work is done: leave directly.
    os._exit(code)


if __name__ == "__main__":
    main()

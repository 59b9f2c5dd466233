"""The activity of a scheduled payment run (the biller and settle steps are the movement's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from activities.delivery import deliver_now
from bank.adapters.biller_types import BillerNetwork
from bank.core.db import transaction
from bank.models import utcnow
from bank.payments.automatic import run_scheduled_payment
from bank.payments.config import PaymentRules
from workflows.scheduled_payment.contract import RUN, RunAnswer, RunRequest


class ScheduledPaymentActivities:
    """Constructed once in ``workers/``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        rules: PaymentRules,
        billers: BillerNetwork,
        deliver: Callable[[str], object] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Hold the session factory, the fee rules, the biller network and the outbox."""
        self.sessions = sessions
        self.rules = rules
        self.billers = billers
        self.deliver = deliver
        self.clock = clock

    @activity.defn(name=RUN)
    def run(self, request: RunRequest) -> RunAnswer:
        """Decide and (maybe) pay this run, once."""
        with transaction(self.sessions) as session:
            result = run_scheduled_payment(
                session,
                request.payment_id,
                request.run_key,
                self.rules,
                self.billers,
                self.clock(),
            )
        if result.message_key:
            deliver_now(self.deliver, result.message_key)
        return RunAnswer(str(result.outcome), result.preview)

    def all(self) -> list[Callable[..., Any]]:
        """The activities of a run, for the worker."""
        return [self.run]

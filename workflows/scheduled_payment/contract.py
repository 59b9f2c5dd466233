"""The contract of a scheduled bill payment's run: the Schedule's ID, the run's input and
answer, its local activity (name, timeout, retries) and its search attributes.

``activities/scheduled_payments.py`` implements the run; the Schedule itself is built by
:mod:`workflows.scheduled_payment.schedules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio.common import RetryPolicy, SearchAttributePair, TypedSearchAttributes

from bank.payments.orders import Preview
from workflows.search_attributes import JOURNEY_STATUS, MEMBER_ID, SCHEDULED_PAYMENT_ID

SCHEDULE_ID_PREFIX = "sched-pay-"
RUN = "scheduled_payment.run"

STEP_TIMEOUT = timedelta(seconds=30)
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=0,
)
"""Idempotent steps (keyed on the run): retried until the biller and database answer."""


def schedule_id(payment_id: int) -> str:
    """The Temporal Schedule of an authorisation."""
    return f"{SCHEDULE_ID_PREFIX}{payment_id}"


@dataclass(frozen=True)
class ScheduledRunInput:
    payment_id: int
    member_id: int


@dataclass(frozen=True)
class RunRequest:
    payment_id: int
    run_key: str


@dataclass(frozen=True)
class RunAnswer:
    outcome: str
    """A ``bank.models.PaymentOutcome`` value: PAGADO, SIN_FACTURA, SUPERA_MONTO_MAXIMO…"""
    preview: Preview | None = None


def search_attributes(request: ScheduledRunInput) -> TypedSearchAttributes:
    """What officers filter runs by: the authorisation, the member, the state."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(SCHEDULED_PAYMENT_ID, str(request.payment_id)),
            SearchAttributePair(MEMBER_ID, str(request.member_id)),
            SearchAttributePair(JOURNEY_STATUS, "RUNNING"),
        ]
    )

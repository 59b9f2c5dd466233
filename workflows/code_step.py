"""What the journeys confirmed by an SMS code share: the code's shape and window, how their
activities are retried, how a refusal crosses from an activity, and the wait for the code.

Used by the card PIN change (``workflows.card_pin``) and the card deferral
(``workflows.card_deferral``); no I/O, safe inside the workflow sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

CODE_PATTERN = re.compile(r"[0-9]{6}")
OTP_WINDOW = timedelta(minutes=5)
STEP_TIMEOUT = timedelta(seconds=15)
AWAITING_OTP, CONFIRMING = "AWAITING_OTP", "CONFIRMING"
"""The two statuses of the code step (both journeys' ``Status`` enums have them)."""


@dataclass(frozen=True)
class Refusal:
    """A business refusal the member is told: a stable code and a Spanish message."""

    code: str
    message: str


def quick_retry(refused_type: str) -> RetryPolicy:
    """The member is waiting: a persistent failure is answered quickly; a refusal of
    ``refused_type`` is never retried."""
    return RetryPolicy(
        initial_interval=timedelta(milliseconds=200),
        maximum_interval=timedelta(seconds=5),
        maximum_attempts=6,
        non_retryable_error_types=[refused_type],
    )


def refusal_of(err: ActivityError, refused_type: str, otherwise: Refusal) -> Refusal:
    """A business refusal (``refused_type``, details code and message) keeps its code and
    message; anything else is ``otherwise`` (a system error)."""
    cause = err.cause
    if (
        isinstance(cause, ApplicationError)
        and cause.type == refused_type
        and len(cause.details) >= 2
    ):
        return Refusal(str(cause.details[0]), str(cause.details[1]))
    return otherwise


async def code_window_closed(status: Callable[[], str]) -> bool:
    """Wait until the journey leaves the code step or the window closes (a confirmation in
    flight is let finish); True when it is still waiting for a code: it has expired."""
    with contextlib.suppress(asyncio.TimeoutError):
        await workflow.wait_condition(
            lambda: status() not in (AWAITING_OTP, CONFIRMING), timeout=OTP_WINDOW
        )
    await workflow.wait_condition(lambda: status() != CONFIRMING)
    return status() == AWAITING_OTP

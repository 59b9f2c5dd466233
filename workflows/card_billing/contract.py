"""The contract of the monthly close of every credit card's statement.

One Temporal Schedule (``card-billing``) starts :class:`~workflows.card_billing.workflow.
CardBillingWorkflow` on the day after the cycle day, at 01:00 in America/Guayaquil. The run
closes the cards in pages of ``PAGE`` (each page one activity, each card its own
transaction, idempotent by card and cycle), continues as new every ``PAGES_PER_RUN`` pages
so its history stays short, and answers ``state`` with how far it got. A run started again
for the same cycle closes only what is left.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from temporalio.common import RetryPolicy

SCHEDULE_ID = "card-billing"
WORKFLOW_ID_PREFIX = "card-billing-"
CYCLE_OF = "card_billing.cycle_of"
CLOSE_PAGE = "card_billing.close_page"

PAGE = 200
"""Cards closed per activity: ~1 s of work, heartbeating after every card."""
PAGES_PER_RUN = 100
"""Continue as new after this many pages (20,000 cards): a few hundred history events."""

RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)
"""Nobody waits on the close: retry until the database is back (every close is idempotent)."""
PAGE_TIMEOUT = timedelta(minutes=10)
HEARTBEAT_TIMEOUT = timedelta(seconds=60)
STEP_TIMEOUT = timedelta(seconds=30)


def workflow_id(cycle_end: str) -> str:
    """One close per cycle (``AAAA-MM-DD``)."""
    return f"{WORKFLOW_ID_PREFIX}{cycle_end}"


class Status(enum.StrEnum):
    CLOSING = "CLOSING"
    CLOSED = "CLOSED"


@dataclass(frozen=True)
class BillingInput:
    """``cycle_end`` empty: the close the schedule's firing time belongs to."""

    cycle_end: str = ""
    after_card_id: int = 0
    closed: int = 0
    page_size: int = PAGE
    pages_per_run: int = PAGES_PER_RUN


@dataclass(frozen=True)
class CycleOfInput:
    at: str
    """ISO instant the run started (the schedule's action time)."""


@dataclass(frozen=True)
class PageInput:
    cycle_end: str
    after_card_id: int
    limit: int


@dataclass(frozen=True)
class PageClosed:
    closed: int
    last_card_id: int
    done: bool


@dataclass
class BillingState:
    status: Status
    cycle_end: str = ""
    closed: int = 0
    last_card_id: int = 0

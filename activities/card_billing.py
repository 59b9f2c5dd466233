"""The activities of the monthly card close (``workflows.card_billing``).

``close_page`` closes up to ``limit`` cards, each in its own transaction (one card's
trouble never undoes another's statement), heartbeating after each; a retried page skips
the cards already closed (``bank.cards.billing.close_statement`` is idempotent). The emails
go through the outbox, which the dispatcher delivers at its own pace.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from bank.cards import billing
from bank.cards.config import CardRules
from bank.core.db import transaction
from bank.credit.deadline import local_date
from bank.models import utcnow
from workflows.card_billing.contract import (
    CLOSE_PAGE,
    CYCLE_OF,
    CycleOfInput,
    PageClosed,
    PageInput,
)


class CardBillingActivities:
    """Constructed once in ``workers/``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        rules: CardRules,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Hold the session factory and the card rules."""
        self.sessions = sessions
        self.rules = rules
        self.clock = clock

    def all(self) -> list[Callable[..., object]]:
        """Every activity, for the worker."""
        return [self.cycle_of, self.close_page]

    @activity.defn(name=CYCLE_OF)
    def cycle_of(self, request: CycleOfInput) -> str:
        """The close a run started at ``request.at`` is for (the day before, or earlier)."""
        day = local_date(datetime.fromisoformat(request.at)) - timedelta(days=1)
        return billing.cycle_end_on(day, self.rules.cycle_day).isoformat()

    @activity.defn(name=CLOSE_PAGE)
    def close_page(self, request: PageInput) -> PageClosed:
        """Close the next ``limit`` cards after ``after_card_id`` still open for the cycle."""
        cycle_end = date.fromisoformat(request.cycle_end)
        with self.sessions() as session:
            ids = billing.cards_to_close(session, cycle_end, request.after_card_id, request.limit)
        last = request.after_card_id
        for card_id in ids:
            with transaction(self.sessions) as session:
                billing.close_statement(session, card_id, cycle_end, self.rules, self.clock())
            last = card_id
            activity.heartbeat(card_id)
        return PageClosed(len(ids), last, len(ids) < request.limit)

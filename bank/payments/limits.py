"""Per-transaction and daily limits per channel (``COOP_PAY_*``; see docs/transfers.md).

The day is America/Guayaquil's. Own-account transfers do not count; a reversed movement
gives its amount back. The daily check at confirmation runs with the member's row locked
(:func:`lock_member`), so two confirmations at once cannot both squeeze under the limit.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bank.models import Member, MoneyMovement, MovementStatus
from bank.payments.config import Limits
from bank.payments.errors import MovementRefused

BUSINESS_TZ = ZoneInfo("America/Guayaquil")


def check_per_transaction(limits: Limits, amount_cents: int) -> None:
    """Raises MovementRefused(LIMITE_TRANSACCION) above the channel's single-movement limit."""
    if amount_cents > limits.per_transaction_cents:
        raise MovementRefused("LIMITE_TRANSACCION")


def day_start(now: datetime) -> datetime:
    """Midnight of ``now``'s day in America/Guayaquil (timezone-aware)."""
    local = now.astimezone(BUSINESS_TZ).date()
    return datetime.combine(local, time.min, BUSINESS_TZ)


def daily_used_cents(session: Session, member_id: int, channel: str, now: datetime) -> int:
    """What the member moved today through ``channel`` (counting movements only)."""
    start = day_start(now)
    total = session.scalar(
        select(func.coalesce(func.sum(MoneyMovement.amount_cents), 0)).where(
            MoneyMovement.member_id == member_id,
            MoneyMovement.channel == channel,
            MoneyMovement.counts_to_limit.is_(True),
            MoneyMovement.status != MovementStatus.REVERSED,
            MoneyMovement.created_at >= start,
            MoneyMovement.created_at < start + timedelta(days=1),
        )
    )
    return int(total or 0)


def lock_member(session: Session, member_id: int) -> None:
    """Serialise a member's confirmations (``SELECT … FOR UPDATE`` on PostgreSQL)."""
    session.execute(select(Member.id).where(Member.id == member_id).with_for_update())


def check_daily(
    session: Session, limits: Limits, member_id: int, channel: str, amount: int, now: datetime
) -> None:
    """Raises MovementRefused(LIMITE_DIARIO) if ``amount`` does not fit in today's limit."""
    if daily_used_cents(session, member_id, channel, now) + amount > limits.daily_cents:
        raise MovementRefused("LIMITE_DIARIO")

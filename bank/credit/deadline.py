"""The 19:00 America/Guayaquil signing cut-off (manual §8 Paso 7: "hasta las 19H00 de hoy").

Decision (``docs/credit-journey.md``): a request may be sent (``finalize``) or regenerated
only before 19:00 local time, and its signatures are due at 19:00 of that same day, exactly
as the email promises ("de hoy"). At or after 19:00 the request is refused and the member
(or officer) sends it the next day; nothing is lost, the documents stay attached.

Ecuador has no daylight saving time: a fixed UTC-5 offset is exact and keeps this module
free of time-zone database reads (it runs inside the workflow sandbox).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

GUAYAQUIL = timezone(timedelta(hours=-5), "America/Guayaquil")
CUTOFF = time(19, 0)


def local(moment: datetime) -> datetime:
    """``moment`` in America/Guayaquil."""
    return moment.astimezone(GUAYAQUIL)


def local_date(moment: datetime) -> date:
    """The calendar day in Guayaquil at ``moment`` (what "today" means to the member)."""
    return local(moment).date()


def parse_cutoff(text: str) -> time:
    """``"19:00"`` → ``time(19, 0)``: a journey's cut-off as carried in its input."""
    return time.fromisoformat(text)


def cutoff_text(cutoff: time = CUTOFF) -> str:
    """The cut-off the way the manual writes it to members: ``19H00``."""
    return f"{cutoff:%H}H{cutoff:%M}"


def signing_deadline(sent_at: datetime, cutoff_at: time = CUTOFF) -> datetime | None:
    """The cut-off (19:00) local of the day ``sent_at`` falls on, in UTC; None at or after it.

    Args:
        sent_at: a timezone-aware moment (the workflow's ``workflow.now()``).
        cutoff_at: the local cut-off; the institution's is 19:00 (``COOP_CREDIT_SIGNING_CUTOFF``).
    """
    here = local(sent_at)
    cutoff = datetime.combine(here.date(), cutoff_at, tzinfo=GUAYAQUIL)
    if here >= cutoff:
        return None
    return cutoff.astimezone(UTC)

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


def signing_deadline(sent_at: datetime) -> datetime | None:
    """19:00 local of the day ``sent_at`` falls on, in UTC; None at or after 19:00.

    Args:
        sent_at: a timezone-aware moment (the workflow's ``workflow.now()``).
    """
    here = local(sent_at)
    cutoff = datetime.combine(here.date(), CUTOFF, tzinfo=GUAYAQUIL)
    if here >= cutoff:
        return None
    return cutoff.astimezone(UTC)

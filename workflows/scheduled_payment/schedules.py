"""The Temporal Schedule of a scheduled payment authorisation (client side, no I/O).

Calendar in America/Guayaquil at 08:00 (weekly on a weekday, every two weeks, or monthly on
a day — day 31 runs on the months that have it), bounded by the authorised dates; overlap
``SKIP`` so two runs of one authorisation never run at once; a catch-up window so a run
missed while the engine was down is still made, once.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from temporalio.client import (
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleCalendarSpec,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
)

from workflows.scheduled_payment.contract import ScheduledRunInput, schedule_id, search_attributes
from workflows.scheduled_payment.workflow import ScheduledPaymentRunWorkflow

TIMEZONE = "America/Guayaquil"
RUN_HOUR = 8
CATCHUP_WINDOW = timedelta(days=3)
"""Runs missed during an outage of up to 3 days are made once the engine is back."""
FREQUENCIES = ("SEMANAL", "QUINCENAL", "MENSUAL")


def spec(frequency: str, day: int, start: date, end: date) -> ScheduleSpec:
    """The calendar of an authorisation (``day``: ISO weekday 1-7, or day of month 1-31)."""
    zone = ZoneInfo(TIMEZONE)
    start_at = datetime.combine(start, time.min, zone)
    end_at = datetime.combine(end, time.max, zone)
    if frequency == "MENSUAL":
        calendar = ScheduleCalendarSpec(
            day_of_month=[ScheduleRange(day)],
            hour=[ScheduleRange(RUN_HOUR)],
            comment="mensual",
        )
        return ScheduleSpec(
            calendars=[calendar], time_zone_name=TIMEZONE, start_at=start_at, end_at=end_at
        )
    if frequency == "SEMANAL":
        calendar = ScheduleCalendarSpec(
            day_of_week=[ScheduleRange(day % 7)],  # Temporal: 0 = Sunday
            hour=[ScheduleRange(RUN_HOUR)],
            comment="semanal",
        )
        return ScheduleSpec(
            calendars=[calendar], time_zone_name=TIMEZONE, start_at=start_at, end_at=end_at
        )
    if frequency == "QUINCENAL":
        first = datetime.combine(start, time(RUN_HOUR), zone)
        first += timedelta(days=(day - first.isoweekday()) % 7)
        epoch = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))
        offset = (first - epoch) % timedelta(days=14)
        return ScheduleSpec(
            intervals=[ScheduleIntervalSpec(every=timedelta(days=14), offset=offset)],
            start_at=start_at,
            end_at=end_at,
        )
    raise ValueError(f"unknown frequency {frequency!r}")


def schedule(
    payment_id: int,
    member_id: int,
    frequency: str,
    day: int,
    start: date,
    end: date,
    task_queue: str,
    *,
    paused: bool = False,
) -> Schedule:
    """The whole Schedule ``sched-pay-<id>`` of an authorisation."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ScheduledPaymentRunWorkflow.run,
            ScheduledRunInput(payment_id, member_id),
            id=schedule_id(payment_id),
            task_queue=task_queue,
            execution_timeout=timedelta(days=1),
            typed_search_attributes=search_attributes(ScheduledRunInput(payment_id, member_id)),
        ),
        spec=spec(frequency, day, start, end),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=CATCHUP_WINDOW),
        state=ScheduleState(paused=paused, note="Pago programado autorizado por el socio"),
    )

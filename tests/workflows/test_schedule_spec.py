"""The Schedule of an authorisation: calendar, bounds, overlap and catch-up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from temporalio.client import ScheduleActionStartWorkflow, ScheduleOverlapPolicy

from workflows.scheduled_payment.schedules import CATCHUP_WINDOW, schedule, spec


def test_monthly_on_a_day_at_eight_in_guayaquil_within_the_authorised_dates() -> None:
    made = spec("MENSUAL", 15, date(2026, 12, 1), date(2027, 6, 30))
    [calendar] = made.calendars
    assert [r.start for r in calendar.day_of_month] == [15]
    assert [r.start for r in calendar.hour] == [8]
    assert made.time_zone_name == "America/Guayaquil"
    assert made.start_at is not None and made.start_at.date() == date(2026, 12, 1)
    assert made.end_at is not None and made.end_at.date() == date(2027, 6, 30)


def test_weekly_maps_iso_weekdays_to_temporal_days() -> None:
    sunday = spec("SEMANAL", 7, date(2026, 12, 1), date(2027, 1, 1)).calendars[0]
    monday = spec("SEMANAL", 1, date(2026, 12, 1), date(2027, 1, 1)).calendars[0]
    assert [r.start for r in sunday.day_of_week] == [0]
    assert [r.start for r in monday.day_of_week] == [1]


def test_every_two_weeks_is_a_14_day_interval() -> None:
    made = spec("QUINCENAL", 3, date(2026, 12, 1), date(2027, 12, 1))
    [interval] = made.intervals
    assert interval.every == timedelta(days=14)


def test_unknown_frequency_is_refused() -> None:
    with pytest.raises(ValueError):
        spec("DIARIO", 1, date(2026, 12, 1), date(2027, 12, 1))


def test_no_overlap_and_a_catch_up_window() -> None:
    made = schedule(7, 3, "MENSUAL", 5, date(2026, 12, 1), date(2027, 12, 1), "q")
    assert made.policy.overlap is ScheduleOverlapPolicy.SKIP
    assert made.policy.catchup_window == CATCHUP_WINDOW
    assert isinstance(made.action, ScheduleActionStartWorkflow)
    assert made.action.id == "sched-pay-7"

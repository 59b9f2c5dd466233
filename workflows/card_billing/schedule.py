"""The Temporal Schedule of the monthly card close (client side).

Fires at 01:00 America/Guayaquil on the day after the cycle day (the statement closes at the
end of the cycle day, so purchases up to midnight belong to it); overlap ``SKIP``; a
catch-up window of three days so a close missed while the engine was down runs once it is
back. The worker makes sure the schedule exists and matches the configuration at start.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from workflows.card_billing.contract import SCHEDULE_ID, WORKFLOW_ID_PREFIX, BillingInput
from workflows.card_billing.workflow import CardBillingWorkflow

TIMEZONE = "America/Guayaquil"
RUN_HOUR = 1
CATCHUP_WINDOW = timedelta(days=3)


def billing_schedule(cycle_day: int, task_queue: str) -> Schedule:
    """The schedule for statements closing on ``cycle_day`` (1-27) of every month."""
    if not 1 <= cycle_day <= 27:
        raise ValueError("the cycle day must be between 1 and 27")
    calendar = ScheduleCalendarSpec(
        day_of_month=[ScheduleRange(cycle_day + 1)],
        hour=[ScheduleRange(RUN_HOUR)],
        comment=f"corte del día {cycle_day}",
    )
    return Schedule(
        action=ScheduleActionStartWorkflow(
            CardBillingWorkflow.run,
            BillingInput(),
            id=WORKFLOW_ID_PREFIX + "scheduled",
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(calendars=[calendar], time_zone_name=TIMEZONE),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=CATCHUP_WINDOW),
    )


async def ensure_billing_schedule(client: Client, cycle_day: int, task_queue: str) -> None:
    """Create the schedule, or bring an existing one to the configured cycle day."""
    wanted = billing_schedule(cycle_day, task_queue)
    try:
        await client.create_schedule(SCHEDULE_ID, wanted)
    except ScheduleAlreadyRunningError:

        def _update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=wanted)

        await client.get_schedule_handle(SCHEDULE_ID).update(_update)

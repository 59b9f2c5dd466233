"""The preapproved credit journey as a Temporal workflow, one module per concern.

:mod:`~workflows.credit.journey` assembles the workflow; :mod:`~workflows.credit.contract` is
what goes in and out (Updates, the Query, statuses, refusal codes);
:mod:`~workflows.credit.calls` the activities it calls (names, payloads, timeouts, retries).
"""

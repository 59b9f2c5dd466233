"""Scheduled bill payments: the Temporal Schedule (:mod:`~workflows.scheduled_payment.schedules`)
and one workflow per run (:mod:`~workflows.scheduled_payment.contract`,
:mod:`~workflows.scheduled_payment.workflow`)."""

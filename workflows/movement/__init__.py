"""A money movement (transfer, bill or card payment): :mod:`~workflows.movement.contract` and
:mod:`~workflows.movement.workflow`."""

"""Enrollment ("Regístrate aquí"): :mod:`~workflows.enrollment.contract` and
:mod:`~workflows.enrollment.workflow`."""

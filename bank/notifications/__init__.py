"""Member notifications: Spanish templates, the transactional outbox and its dispatcher.

Callers enqueue inside their own transaction (:func:`enqueue`); a :class:`Dispatcher`
delivers afterwards, in the worker's background loop or at once with ``deliver_now``.
"""

from bank.notifications.attachments import Attachment
from bank.notifications.dispatcher import Dispatcher, DispatchReport, RetryPolicy
from bank.notifications.outbox import enqueue
from bank.notifications.templates import TEMPLATES, Rendered, TemplateError, render

__all__ = [
    "TEMPLATES",
    "Attachment",
    "DispatchReport",
    "Dispatcher",
    "Rendered",
    "RetryPolicy",
    "TemplateError",
    "enqueue",
    "render",
]

"""Pushing an outbox message out at once from an activity (the dispatcher loop is the net).

Every activity that writes an SMS or an email to the outbox commits first, then calls
:func:`deliver_now`: a failure here only delays the message until the dispatcher's next pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

Deliver = Callable[[str], object]
"""The dispatcher's ``deliver_now`` (``None`` in tests that read the outbox themselves)."""


def deliver_now(deliver: Deliver | None, message_key: str) -> None:
    """Send one committed outbox message now; on any failure leave it to the dispatcher."""
    if deliver is None:
        return
    try:
        deliver(message_key)
    except Exception:
        log.warning("outbox message %s left for the dispatcher", message_key, exc_info=True)

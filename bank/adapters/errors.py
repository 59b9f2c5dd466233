"""Errors shared by the adapters to the outside world."""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be handed to its provider (SMTP relay, SMS gateway).

    Always transient from the caller's point of view: the outbox keeps the message and
    retries it with backoff, so callers never need to tell a timeout from a refusal.
    """

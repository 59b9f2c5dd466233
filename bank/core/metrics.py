"""Business counters, recorded where the business happens and exported by the process.

The domain calls :func:`count` (no I/O, no dependency on an exporter); a process that exports
metrics installs a :class:`Sink` at start (the worker: the Temporal runtime's meter, so the
counters appear beside the SDK's own metrics on its Prometheus endpoint — see
``workers/telemetry.py``). Without a sink the counters go nowhere. A counter counts attempts
of the step that records it: an activity retried after its transaction failed counts again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

COUNTERS: Mapping[str, str] = {
    "coop_messages_sent": "Emails and SMS accepted by the relay or gateway (label: channel).",
    "coop_messages_failed": "Emails and SMS given up after every retry (label: channel).",
    "coop_otp_failures": "Wrong one-time codes entered (label: operation).",
    "coop_scheduled_payments_skipped": "Scheduled payments not made (label: reason).",
    "coop_card_statements_closed": "Credit card statements closed.",
}
"""Every counter, with its help text (the exporter declares them from here)."""


class Sink(Protocol):
    def add(self, name: str, value: int, labels: Mapping[str, str]) -> None: ...


class _Nowhere:
    def add(self, name: str, value: int, labels: Mapping[str, str]) -> None:
        return None


_sink: Sink = _Nowhere()


def use(sink: Sink | None) -> None:
    """Install the process's exporter (None: count nowhere again)."""
    global _sink
    _sink = sink or _Nowhere()


def count(name: str, value: int = 1, **labels: str) -> None:
    """Add ``value`` to counter ``name`` (one of :data:`COUNTERS`)."""
    if name not in COUNTERS:
        raise KeyError(f"unknown counter {name!r}")
    _sink.add(name, value, labels)

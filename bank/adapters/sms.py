"""SMS adapter: one interface, an HTTP gateway client and a simulator (the dev outbox)."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from bank.adapters.errors import DeliveryError
from bank.core.settings import CoreSettings

SMS_OUTBOX_FILE = "sms.jsonl"


class SmsSender(Protocol):
    """Sends one SMS or raises :class:`DeliveryError`."""

    def send(self, recipient: str, text: str, *, reference: str) -> None:
        """Send ``text`` to ``recipient``; ``reference`` is stable across retries."""
        ...


class SimulatedSms:
    """Appends every SMS as a JSON line to ``<mailbox>/sms.jsonl`` for the dev mailbox.

    Latency and a failure rate can be configured so tests and the embedded run exercise
    the outbox's retries exactly as a flaky gateway would.
    """

    def __init__(
        self,
        mailbox_dir: Path,
        *,
        latency: float = 0.0,
        failure_rate: float = 0.0,
        rng: random.Random | None = None,
    ) -> None:
        """Write to ``mailbox_dir / sms.jsonl``; ``failure_rate`` is between 0 and 1."""
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError("failure_rate must be between 0 and 1")
        self.path = mailbox_dir / SMS_OUTBOX_FILE
        self.latency = latency
        self.failure_rate = failure_rate
        self._rng = rng or random.Random()
        self._lock = threading.Lock()

    def send(self, recipient: str, text: str, *, reference: str) -> None:
        """Record the SMS, after the simulated latency, or fail as configured.

        Raises:
            DeliveryError: with probability ``failure_rate``.
        """
        if self.latency:
            time.sleep(self.latency)
        if self._rng.random() < self.failure_rate:
            raise DeliveryError("simulated SMS gateway failure")
        line = json.dumps(
            {
                "at": datetime.now(UTC).isoformat(),
                "to": recipient,
                "text": text,
                "reference": reference,
            },
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write() of one line in append mode: readers never see half a record, and
        # the lock keeps this process's threads from interleaving.
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class HttpSms:
    """Posts ``{"to", "text", "reference"}`` as JSON to an SMS gateway URL."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        """Target ``url``; any 2xx answer counts as accepted."""
        self.url = url
        self.timeout = timeout

    def send(self, recipient: str, text: str, *, reference: str) -> None:
        """Post one SMS.

        Raises:
            DeliveryError: on a connection error, a timeout or a non-2xx answer.
        """
        body = json.dumps({"to": recipient, "text": text, "reference": reference}).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": reference},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"SMS gateway answered {exc.code}") from exc
        except (OSError, urllib.error.URLError) as exc:
            raise DeliveryError(f"SMS gateway unreachable: {exc!r}") from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"SMS gateway answered {status}")


def sms_sender_from_settings(
    settings: CoreSettings, *, latency: float = 0.0, failure_rate: float = 0.0
) -> SmsSender:
    """The gateway client, or the simulator writing to ``settings.mailbox_dir``."""
    if settings.sms_provider == "http":
        if not settings.sms_http_url:
            raise ValueError("COOP_SMS_HTTP_URL is required when COOP_SMS_PROVIDER=http")
        return HttpSms(settings.sms_http_url)
    return SimulatedSms(settings.mailbox_dir, latency=latency, failure_rate=failure_rate)

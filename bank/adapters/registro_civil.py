"""Registro Civil adapter: is this código dactilar the one printed on this cédula?

One interface, an HTTP client for the real service and a simulator. The simulator knows a
código dactilar for every valid cédula, derived deterministically
(:func:`simulated_codigo_dactilar`), so the demo members and tests can sign; a map of known
codes can override it, and latency and failures are configurable.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from stdnum.ec import ci

NOT_FOUND = "CEDULA_NO_ENCONTRADA"
MISMATCH = "CODIGO_DACTILAR_NO_COINCIDE"


class RegistroCivilUnavailable(Exception):
    """The service did not answer; the caller retries later."""


@dataclass(frozen=True)
class IdentityCheck:
    """The answer: ``valid``, or why not (:data:`NOT_FOUND`, :data:`MISMATCH`)."""

    valid: bool
    reason: str | None = None


class RegistroCivil(Protocol):
    """Checks a cédula against its código dactilar."""

    def verify(self, cedula: str, codigo_dactilar: str) -> IdentityCheck:
        """Check the pair; raise :class:`RegistroCivilUnavailable` when the service is down."""
        ...


def simulated_codigo_dactilar(cedula: str) -> str:
    """The simulator's código dactilar of ``cedula``: a letter, 4 digits, a letter, 4 digits."""
    digest = hashlib.sha256(f"registro-civil-simulado:{cedula}".encode()).digest()
    letters = "ABCDEV"
    digits = "".join(str(b % 10) for b in digest[2:10])
    return f"{letters[digest[0] % 6]}{digits[:4]}{letters[digest[1] % 6]}{digits[4:]}"


class SimulatedRegistroCivil:
    """A stand-in for the Registro Civil with configurable latency and failure rate."""

    def __init__(
        self,
        *,
        known: Mapping[str, str] | None = None,
        latency: float = 0.0,
        failure_rate: float = 0.0,
        rng: random.Random | None = None,
    ) -> None:
        """``known`` maps cédulas to their código dactilar (others are derived)."""
        self.known = dict(known or {})
        self.latency = latency
        self.failure_rate = failure_rate
        self.rng = rng or random.Random()

    def verify(self, cedula: str, codigo_dactilar: str) -> IdentityCheck:
        """Check the pair against the simulated registry."""
        if self.latency:
            time.sleep(self.latency)
        if self.failure_rate and self.rng.random() < self.failure_rate:
            raise RegistroCivilUnavailable("simulated outage")
        if not ci.is_valid(cedula):
            return IdentityCheck(False, NOT_FOUND)
        expected = self.known.get(cedula) or simulated_codigo_dactilar(cedula)
        if codigo_dactilar.strip().upper() != expected:
            return IdentityCheck(False, MISMATCH)
        return IdentityCheck(True)


class HttpRegistroCivil:
    """Client of a JSON gateway to the Registro Civil (``POST {cedula, codigo_dactilar}``)."""

    def __init__(self, url: str, *, api_key: str | None = None, timeout: float = 10.0) -> None:
        """Where the gateway is and how to authenticate."""
        self.url, self.api_key, self.timeout = url, api_key, timeout

    def verify(self, cedula: str, codigo_dactilar: str) -> IdentityCheck:
        """Ask the gateway; any transport error is :class:`RegistroCivilUnavailable`."""
        body = json.dumps({"cedula": cedula, "codigo_dactilar": codigo_dactilar}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise RegistroCivilUnavailable(str(exc)) from exc
        return IdentityCheck(bool(answer.get("valid")), answer.get("reason"))

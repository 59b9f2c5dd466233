"""What the service-payment browser tests ask the API directly: the figures a page must show,
and a bill paid beforehand (the history test's own data)."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page

from tests.web.api_client import API, ApiClient
from tests.web.stack import Stack

GABRIEL_MOBILE = "0998765432"
GABRIEL_SAVINGS = "410112060750"
GUAYAQUIL = ZoneInfo("America/Guayaquil")


def session_token(page: Page) -> str:
    """The bearer token of the member signed in on ``page``."""
    return str(page.evaluate("() => JSON.parse(sessionStorage.getItem('coop.sesion')).token"))


def call(
    stack: Stack,
    token: str,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """``method path`` under /api/v1 as the member: (status, parsed JSON or None)."""
    with ApiClient(stack.url(API), token) as client:
        return client.call(method, path, body, headers=headers)


def usd(amount: str) -> str:
    """The manual's way of writing an API amount: "1538.1" → "$1,538.10"."""
    return f"${Decimal(amount):,.2f}"


def local_date_time(iso: str) -> str:
    """An ISO timestamp as the page writes it: "05/02/2025 08:00" in America/Guayaquil."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(GUAYAQUIL)
    return moment.strftime("%d/%m/%Y %H:%M")


def pay_bill(stack: Stack, token: str, company: str, supply: str) -> dict[str, Any]:
    """Pay every pending receipt of ``supply`` through the API; its Historial de Pagos line."""
    status, found = call(
        stack, token, "POST", "/services/lookup", {"empresa": company, "suministro": supply}
    )
    assert status == 200, found
    receipts = [r["numero"] for r in found["recibos"]]
    key = uuid.uuid4().hex
    seen = stack.codes_so_far(GABRIEL_MOBILE)
    status, started = call(
        stack,
        token,
        "POST",
        "/services/payments",
        {
            "cuenta_origen": GABRIEL_SAVINGS,
            "empresa": company,
            "suministro": supply,
            "recibos": receipts,
        },
        headers={"Idempotency-Key": key},
    )
    assert status == 201, started
    code = stack.otp_after(GABRIEL_MOBILE, seen)
    status, confirmed = call(stack, token, "POST", f"/movements/{key}/confirm", {"codigo": code})
    assert status == 200, confirmed
    deadline = time.monotonic() + 30
    while confirmed["estado"] != "EXITOSA":
        assert confirmed["estado"] in ("PROCESANDO", "EN_PROCESO"), confirmed
        assert time.monotonic() < deadline, confirmed
        time.sleep(0.3)  # polling the API for the biller's answer, not the browser
        _, confirmed = call(stack, token, "GET", f"/movements/{key}")
    status, history = call(stack, token, "GET", "/payments/history")
    assert status == 200, history
    lines = [p for p in history["pagos"] if sorted(p["recibos"]) == sorted(receipts)]
    assert len(lines) == 1, history
    return dict(lines[0])

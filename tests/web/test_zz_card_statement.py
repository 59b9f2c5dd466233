"""The monthly close in the embedded run: an officer runs it (the same CardBillingWorkflow
its Schedule starts), the member finds the estado de cuenta on the card, what is left to pay,
its PDF and the email. Named to run late: the close bills the demo card's deferrals."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from bank.demo.data import OFFICER_PASSWORD, OFFICER_USERNAME
from tests.web.api_client import API, ApiClient
from tests.web.browser import DESKTOP, PHONE, assert_accessible, fits_phone_width, shot
from tests.web.conftest import login
from tests.web.service_payments_support import call, session_token, usd
from tests.web.stack import Stack

CARD, EMAIL = "513744XXXXXX0395", "gabriel.silva@example.com"


def local_day(instant: str) -> str:
    """The ISO day in America/Guayaquil of an ISO instant."""
    return (
        datetime.fromisoformat(instant).astimezone(ZoneInfo("America/Guayaquil")).date().isoformat()
    )


def day(iso: str) -> str:
    year, month, dd = iso.split("-")
    return f"{dd}/{month}/{year}"


def test_officer_closes_the_cycle_and_the_member_reads_the_statement(
    page: Page, stack: Stack
) -> None:
    with ApiClient.login(stack.url(API), OFFICER_USERNAME, OFFICER_PASSWORD) as officer:
        status, closed = officer.call("POST", "/dev/card-billing/close")
    assert status == 200, closed
    assert closed["estados_cerrados"] >= 1, closed

    login(page, "gsilva", "Cooprogreso2025")
    token = session_token(page)
    status, position = call(stack, token, "GET", "/position")
    assert status == 200, position
    card = next(t for t in position["tarjetas"] if t["numero"] == CARD)
    status, listed = call(stack, token, "GET", f"/cards/{card['id']}/statements")
    assert status == 200, listed
    [statement] = listed["estados"]
    assert statement["corte"] == closed["corte"]
    # What is left: the total less what was paid since the close (earlier tests may pay).
    paid = Decimal(statement["total_a_pagar"]) - Decimal(statement["por_pagar"])
    assert paid >= 0
    assert Decimal(statement["minimo_por_pagar"]) == max(
        Decimal(0), Decimal(statement["pago_minimo"]) - paid
    )
    # The card's revolving balance is the statement's total plus what was bought since.
    status, bought = call(stack, token, "GET", f"/cards/{card['id']}/purchases")
    assert status == 200, bought
    since = sum(
        Decimal(p["monto"])
        for p in bought["consumos"]
        if local_day(p["fecha"]) > statement["corte"] and not p["diferido"]
    )
    assert Decimal(card["utilizado_rotativo"]) == Decimal(statement["total_a_pagar"]) + since
    assert card["pago_minimo"] == statement["pago_minimo"]
    assert card["fecha_max_pago"] == statement["pagar_hasta_el"]

    page.goto(f"/banca/productos/tarjetas/{card['id']}")
    summary = page.get_by_role("region", name=f"Mastercard Estandar {CARD}")
    pago = summary.locator(".resumen-fila").filter(has_text="Pago mínimo").locator("dd")
    expect(pago).to_have_text(usd(statement["pago_minimo"]))
    row = page.get_by_role("table", name="Estados de cuenta").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(
        [
            day(statement["corte"]),
            day(statement["pagar_hasta_el"]),
            usd(statement["total_a_pagar"]),
            usd(statement["pago_minimo"]),
            usd(statement["por_pagar"]),
            re.compile("Descargar PDF"),
        ]
    )
    with page.expect_download() as download_info:
        row.get_by_role("button", name=re.compile("^Descargar PDF")).click()
    download = download_info.value
    assert download.suggested_filename == f"estado-de-cuenta-{statement['corte']}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    assert_accessible(page)
    shot(page, "card-statement")
    page.set_viewport_size(PHONE)
    fits_phone_width(page)
    shot(page, "card-statement-phone")
    page.set_viewport_size(DESKTOP)

    subject = "Tu estado de cuenta de tarjeta de crédito está listo"
    stack.wait_message(lambda m: m.get("subject") == subject, to=EMAIL)
    ready = [m for m in stack.messages(EMAIL) if m.get("subject") == subject]
    assert len(ready) == 1, ready  # one email per statement
    assert usd(statement["total_a_pagar"]) in ready[0]["text"]
    assert not page.errors  # type: ignore[attr-defined]

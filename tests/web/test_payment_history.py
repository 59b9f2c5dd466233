"""Historial de Pagos in the browser: the filters, the 3-month note, the API's refusal of an
older range and a paid bill's receipt downloaded as a PDF."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from playwright.sync_api import Page, expect

from bank.credit.amortization import add_months
from tests.web.browser import PHONE, assert_accessible, fits_phone_width, shot
from tests.web.conftest import login
from tests.web.service_payments_support import GUAYAQUIL, call, pay_bill, session_token, usd
from tests.web.stack import Stack

SUPPLY = "4455661"
"""This test's own EEQ supply (one receipt, paid here through the API)."""


def test_history_filters_refuses_an_old_range_and_downloads_the_receipt(
    page: Page, stack: Stack
) -> None:
    login(page, "gsilva", "Cooprogreso2025")
    token = session_token(page)
    paid = pay_bill(stack, token, "EEQ", SUPPLY)

    page.goto("/banca/servicios/historial")
    expect(page.get_by_role("heading", name="Historial de Pagos", level=1)).to_be_visible()
    expect(
        page.get_by_text(
            "*Puedes consultar por rango de fechas hasta 3 meses de antigüedad de la fecha actual"
        )
    ).to_be_visible()
    expect(page.get_by_text("*Los campos no son obligatorios")).to_be_visible()
    expect(page.get_by_label("Categoría")).to_have_value("")
    expect(page.get_by_label("Categoría").locator("option").first).to_have_text(
        "Todas las Categorías"
    )
    expect(page.get_by_label("Servicio").locator("option").first).to_have_text(
        "Todos los Servicios"
    )
    assert_accessible(page)

    # No filter: the last 3 months, the payment with its figures as the API gives them.
    page.get_by_role("button", name="Consultar").click()
    row = page.get_by_role("row").filter(has_text=paid["codigo"])
    expect(row).to_have_count(1)
    for text in (
        usd(paid["monto"]),
        usd(paid["comision"]),
        usd(paid["total"]),
        "Manual",
        "Pagado",
        "EMPRESA ELECTRICA QUITO",
    ):
        expect(row).to_contain_text(text)
    shot(page, "history-results")
    assert_accessible(page)

    # Category and service filters.
    page.get_by_label("Categoría").select_option(label="Agua Potable")
    page.get_by_role("button", name="Consultar").click()
    expect(page.get_by_role("heading", name="Pagos del")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=paid["codigo"])).to_have_count(0)
    page.get_by_label("Categoría").select_option(label="Energía Eléctrica")
    page.get_by_label("Servicio").select_option(label="EMPRESA ELECTRICA QUITO")
    page.get_by_label("Código").fill(paid["codigo"])
    page.get_by_role("button", name="Consultar").click()
    rows = page.get_by_role("table", name="Historial de Pagos").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(paid["codigo"])

    # The receipt is a PDF.
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Descargar comprobante {paid['codigo']}").click()
    saved = Path(download.value.path())
    assert saved.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == f"comprobante-{paid['codigo']}.pdf"

    # A range older than 3 months: the API's own Spanish refusal.
    today = datetime.now(GUAYAQUIL).date()
    old = add_months(today, -4).isoformat()
    status, refusal = call(stack, token, "GET", f"/payments/history?desde={old}")
    assert status == 422 and refusal["code"] == "RANGO_FECHAS_INVALIDO"
    page.get_by_label("Código").fill("")
    page.get_by_label("Fecha desde").fill(old)
    page.get_by_role("button", name="Consultar").click()
    expect(page.get_by_role("alert")).to_contain_text(refusal["message"])
    expect(page.get_by_role("table", name="Historial de Pagos")).to_have_count(0)
    shot(page, "history-old-range")
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    page.get_by_label("Fecha desde").fill("")
    page.get_by_role("button", name="Consultar").click()
    expect(page.get_by_role("table", name="Historial de Pagos")).to_be_visible()
    fits_phone_width(page)
    shot(page, "history-phone")
    assert not page.errors  # type: ignore[attr-defined]

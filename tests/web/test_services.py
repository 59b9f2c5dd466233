"""Pago de Servicios in the browser: register a service, pay its bill (look-up with
commission and "Valores a pagar" to the cent, SMS code, receipt), find the payment in
Historial de Pagos, remove the service; a typed supply the biller does not know."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.browser import PHONE, assert_accessible, fits_phone_width, shot
from tests.web.conftest import login
from tests.web.service_payments_support import GABRIEL_MOBILE, call, session_token, usd
from tests.web.stack import Stack

SUPPLY = "5512341"
"""This test's own CNEL supply number (one receipt; nobody else pays it)."""
ALIAS = "Luz de la oficina"


def test_register_pay_find_in_history_and_remove_a_service(page: Page, stack: Stack) -> None:
    login(page, "gsilva", "Cooprogreso2025")
    page.get_by_role("link", name="Registro de Servicios").click()
    expect(page.get_by_role("heading", name="Registro de Servicios")).to_be_visible()
    listed = page.get_by_role("table", name="Servicios registrados")
    expect(listed).to_contain_text("Luz de la casa")
    expect(listed).to_contain_text("Agua de la casa")
    assert_accessible(page)

    # Register: the reference field is named as the company names it.
    page.get_by_role("button", name="Registrar servicio").click()
    expect(page.get_by_label("Cuenta de la que se generarán los débitos")).to_have_value(
        "410112060750"
    )
    page.get_by_label("Categoría").select_option(label="Energía Eléctrica")
    page.get_by_label("Empresa").select_option(label="CNEL EP")
    page.get_by_label("Número de suministro").fill(SUPPLY)
    page.get_by_label("Alias (opcional)").fill(ALIAS)
    assert_accessible(page)
    page.get_by_role("button", name="Registrar", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Registraste el servicio")).to_contain_text(
        SUPPLY
    )
    row = listed.get_by_role("row").filter(has_text=SUPPLY)
    expect(row).to_contain_text(ALIAS)
    expect(row).to_contain_text("CNEL EP")

    # Nuevo Pago of the registered service: the biller's receipts and the API's totals.
    row.get_by_role("button", name=re.compile("^Pagar")).click()
    expect(page.get_by_label("Servicio a pagar")).to_contain_text(ALIAS)
    page.get_by_role("button", name="Consultar").click()
    status, found = call(
        stack,
        session_token(page),
        "POST",
        "/services/lookup",
        {"empresa": "CNEL", "suministro": SUPPLY},
    )
    assert status == 200 and len(found["recibos"]) == 1, found
    receipt, totals = found["recibos"][0], found["valores_a_pagar"]
    line = page.get_by_role("table", name="Recibos pendientes de pago").get_by_role("row")
    line = line.filter(has_text=receipt["numero"])
    for amount in (receipt["monto"], receipt["comision"], receipt["iva"], receipt["total"]):
        expect(line).to_contain_text(usd(amount))
    expect(
        line.get_by_role("checkbox", name=f"Seleccionar pago del recibo {receipt['numero']}")
    ).to_be_checked()
    box = page.get_by_role("region", name="Valores a pagar")
    expect(box.get_by_role("term")).to_have_text(["Monto", "Comisión", "IVA", "Total a Pagar"])
    expect(box.get_by_role("definition")).to_have_text(
        [usd(totals[k]) for k in ("monto", "comision", "iva", "total")]
    )
    shot(page, "services-lookup")
    assert_accessible(page)

    # Unticking the only receipt leaves nothing to pay; ticking it again brings the totals back.
    checkbox = line.get_by_role("checkbox")
    checkbox.uncheck()
    expect(box).to_contain_text("Selecciona al menos un recibo")
    expect(page.get_by_role("button", name="Continuar")).to_be_disabled()
    checkbox.check()
    expect(box.get_by_role("definition").last).to_have_text(usd(totals["total"]))

    seen = stack.codes_so_far(GABRIEL_MOBILE)
    page.get_by_role("button", name="Continuar").click()
    expect(page).to_have_url(re.compile(r"/banca/operaciones/[A-Za-z0-9_-]+$"))
    code_field = page.get_by_label("Código de seguridad (6 dígitos)")
    expect(code_field).to_be_visible()
    authorised = page.get_by_role("region", name="Lo que estás autorizando")
    expect(authorised).to_contain_text(usd(totals["total"]))
    code_field.fill(stack.otp_after(GABRIEL_MOBILE, seen))
    shot(page, "services-otp")
    assert_accessible(page)
    page.locator("form.otp button[type=submit]").click()
    expect(page.get_by_text(re.compile("Tu operación se realizó con éxito"))).to_be_visible(
        timeout=40_000
    )
    expect(page.locator("main")).to_contain_text(usd(totals["total"]))
    shot(page, "services-receipt")
    assert_accessible(page)

    # The payment is in Historial de Pagos.
    page.get_by_role("link", name="Historial de Pagos").click()
    page.get_by_role("button", name="Consultar").click()
    paid = page.get_by_role("table", name="Historial de Pagos").get_by_role("row")
    paid = paid.filter(has_text=receipt["numero"])
    expect(paid).to_have_count(1)
    expect(paid).to_contain_text("CNEL EP")
    expect(paid).to_contain_text(usd(totals["total"]))
    expect(paid).to_contain_text("Manual")

    # Remove the registration (confirmation dialog), at a phone's width.
    page.set_viewport_size(PHONE)
    page.goto("/banca/servicios")
    row = page.get_by_role("table", name="Servicios registrados").get_by_role("row")
    row = row.filter(has_text=SUPPLY)
    expect(row).to_have_count(1)
    fits_phone_width(page)
    shot(page, "services-phone")
    row.get_by_role("button", name=re.compile("^Eliminar")).click()
    dialog = page.get_by_role("dialog", name="Eliminar servicio")
    expect(dialog).to_contain_text(ALIAS)
    assert_accessible(page)
    dialog.get_by_role("button", name="Eliminar", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Eliminaste el servicio")).to_be_visible()
    expect(page.get_by_role("table", name="Servicios registrados")).not_to_contain_text(SUPPLY)
    assert not page.errors  # type: ignore[attr-defined]


def test_a_supply_the_company_does_not_know_shows_the_apis_message(
    page: Page, stack: Stack
) -> None:
    login(page, "gsilva", "Cooprogreso2025")
    page.goto("/banca/servicios")
    page.get_by_role("button", name="Nuevo Pago").click()
    page.get_by_label("Servicio a pagar").select_option(label="Otro servicio (ingresar los datos)")
    page.get_by_label("Categoría").select_option(label="Energía Eléctrica")
    page.get_by_label("Empresa").select_option(label="EMPRESA ELECTRICA QUITO")
    page.get_by_label("Número de suministro").fill("1234000")
    page.get_by_role("button", name="Consultar").click()
    expect(page.get_by_role("alert")).to_have_text(
        "El número de suministro ingresado no está registrado en EMPRESA ELECTRICA QUITO."
    )
    assert_accessible(page)
    assert not page.errors  # type: ignore[attr-defined]

"""Pagos Programados in the browser: authorise with the terms and the SMS code, see it in
"Consultar Pagos Programados" with its next run, pause, resume, a new "Monto máximo" with
its own code, and cancel."""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from tests.web.browser import PHONE, assert_accessible, fits_phone_width, shot
from tests.web.conftest import login
from tests.web.service_payments_support import (
    GABRIEL_MOBILE,
    GUAYAQUIL,
    call,
    local_date_time,
    session_token,
)
from tests.web.stack import Stack

SUPPLY = "3216549"
"""This test's own EPMAPS account number (nobody else schedules it)."""
NOTE = (
    "Recuerda que si la factura es mayor al valor establecido en el campo Monto máximo el pago "
    "no se realizará y te lo notificaremos por Mail."
)


def test_authorise_pause_resume_change_maximum_and_cancel(page: Page, stack: Stack) -> None:
    login(page, "gsilva", "Cooprogreso2025")
    page.get_by_role("link", name="Pagos Programados", exact=True).click()
    expect(page.get_by_role("heading", name="Pagos Programados", level=1)).to_be_visible()
    expect(page.get_by_text(NOTE)).to_be_visible()

    today = datetime.now(GUAYAQUIL).date()
    until = today + timedelta(days=365)
    expect(
        page.get_by_label("Cuenta de la que se generarán los débitos automáticos")
    ).to_have_value("410112060750")
    page.get_by_label("Categoría").select_option(label="Agua Potable")
    page.get_by_label("Entidad").select_option(label="EPMAPS AGUA DE QUITO")
    page.get_by_label("Número de cuenta").fill(SUPPLY)
    page.get_by_label("Monto máximo").fill("45.50")
    page.get_by_label("Frecuencia de pago").select_option("MENSUAL")
    page.get_by_label("Día del mes").select_option("15")
    expect(page.get_by_label("Fecha desde")).to_have_value(today.isoformat())
    page.get_by_label("Fecha hasta").fill(until.isoformat())
    shot(page, "scheduled-new")
    assert_accessible(page)

    page.get_by_role("button", name="Programar Pago").click()
    terms = page.get_by_role("dialog", name="Términos y condiciones")
    expect(terms).to_be_visible()
    accept = terms.get_by_role("button", name="Programar Pago")
    expect(accept).to_be_disabled()
    terms.get_by_label("He leído y acepto los términos y condiciones").check()
    expect(accept).to_be_enabled()
    shot(page, "scheduled-terms")
    assert_accessible(page)

    seen = stack.codes_so_far(GABRIEL_MOBILE)
    accept.click()
    authorised = page.get_by_role("region", name="Lo que estás autorizando")
    for text in (
        "EPMAPS AGUA DE QUITO",
        SUPPLY,
        "410112060750",
        "$45.50",
        "Mensual, el día 15 de cada mes",
        today.strftime("%d/%m/%Y"),
        until.strftime("%d/%m/%Y"),
    ):
        expect(authorised).to_contain_text(text)
    shot(page, "scheduled-otp")
    assert_accessible(page)
    page.get_by_label("Código de seguridad (6 dígitos)").fill(stack.otp_after(GABRIEL_MOBILE, seen))
    page.locator("form.otp").get_by_role("button", name="Programar Pago").click()
    expect(page.get_by_role("heading", name="Pago programado", exact=True)).to_be_visible()

    status, listed = call(stack, session_token(page), "GET", "/scheduled-payments")
    assert status == 200, listed
    mine = [p for p in listed if p["suministro"] == SUPPLY]
    assert len(mine) == 1 and mine[0]["proxima_ejecucion"], listed
    next_run = local_date_time(mine[0]["proxima_ejecucion"])
    assert next_run.startswith("15/") and next_run.endswith("08:00")
    expect(page.get_by_role("status").filter(has_text="Próxima ejecución")).to_contain_text(
        next_run
    )

    page.get_by_role("link", name="Consultar Pagos Programados").first.click()
    expect(page.get_by_role("heading", name="Consultar Pagos Programados", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=SUPPLY)
    expect(row).to_have_count(1)
    for text in ("EPMAPS AGUA DE QUITO", "XXXXXXXX0750", "$45.50", "Mensual", next_run, "Activo"):
        expect(row).to_contain_text(text)
    expect(row).to_contain_text("Aún no se ha ejecutado")
    shot(page, "scheduled-list")
    assert_accessible(page)

    label = f"EPMAPS AGUA DE QUITO {SUPPLY}"
    row.get_by_role("button", name=f"Pausar {label}").click()
    expect(page.get_by_role("status").filter(has_text="Pausaste")).to_be_visible()
    expect(row).to_contain_text("Pausado")
    expect(row).to_contain_text("En pausa")
    row.get_by_role("button", name=f"Reanudar {label}").click()
    expect(page.get_by_role("status").filter(has_text="Reanudaste")).to_be_visible()
    expect(row).to_contain_text("Activo")
    expect(row).to_contain_text(next_run)

    # A new maximum: its own code, showing the current and the new amount.
    row.get_by_role("button", name=f"Cambiar monto máximo {label}").click()
    page.get_by_label("Nuevo monto máximo").fill("60")
    seen = stack.codes_so_far(GABRIEL_MOBILE)
    page.get_by_role("button", name="Continuar").click()
    authorised = page.get_by_role("region", name="Lo que estás autorizando")
    expect(authorised).to_contain_text("$45.50")
    expect(authorised).to_contain_text("$60.00")
    page.get_by_label("Código de seguridad (6 dígitos)").fill(stack.otp_after(GABRIEL_MOBILE, seen))
    page.locator("form.otp").get_by_role("button", name="Cambiar monto máximo").click()
    expect(page.get_by_role("status").filter(has_text="ahora es $60.00")).to_be_visible()
    expect(row).to_contain_text("$60.00")

    page.set_viewport_size(PHONE)
    fits_phone_width(page)
    shot(page, "scheduled-list-phone")

    row.get_by_role("button", name=f"Cancelar {label}").click()
    dialog = page.get_by_role("dialog", name="Cancelar pago programado")
    expect(dialog).to_contain_text(SUPPLY)
    assert_accessible(page)
    dialog.get_by_role("button", name="Cancelar pago programado").click()
    expect(page.get_by_role("status").filter(has_text="Cancelaste")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=SUPPLY)).to_have_count(0)
    _, listed = call(stack, session_token(page), "GET", "/scheduled-payments")
    assert all(p["suministro"] != SUPPLY for p in listed)
    assert not page.errors  # type: ignore[attr-defined]

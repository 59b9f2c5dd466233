"""Cambiar clave and Recuperar clave of the demo member's debit and credit cards, in Chromium.

Gabriel recovers his debit card's PIN (the temporary PIN read from the email the dev
mailbox received), is told the rules when his new PIN breaks one, changes it with the SMS
code; then changes his credit card's PIN after a wrong previous one, and recovers it too.
The PINs end active, as the later product tests expect. Afterwards the run's logs are
searched for every PIN and code.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.browser import PHONE, assert_accessible, fits_phone_width, shot
from tests.web.conftest import login
from tests.web.stack import Stack

USER, PASSWORD = "gsilva", "Cooprogreso2025"
EMAIL, MOBILE = "gabriel.silva@example.com", "0998765432"
SAVINGS = "410112060750"
DEBIT, CREDIT = "550975XXXXXX7023", "513744XXXXXX0395"
CREDIT_PIN = "7394"


def fill_pins(page: Page, previous: str, new: str, again: str | None = None) -> None:
    form = page.locator("form.form-clave")
    form.get_by_label("Clave anterior").fill(previous)
    form.get_by_label("Nueva clave", exact=True).fill(new)
    form.get_by_label("Confirma la nueva clave").fill(again or new)
    form.get_by_role("button", name="Continuar").click()


def confirm_code(page: Page, stack: Stack, seen: set[str]) -> str:
    code = stack.otp_after(MOBILE, seen)
    page.get_by_label("Código de seguridad (6 dígitos)").fill(code)
    page.locator("form.otp").get_by_role("button", name="Continuar").click()
    return code


def test_member_recovers_then_changes_the_debit_card_pin(page: Page, stack: Stack) -> None:
    login(page, USER, PASSWORD)
    page.goto(f"/banca/productos/cuentas/{SAVINGS}")
    page.get_by_role("tab", name="Tarjeta débito").click()
    panel = page.get_by_role("tabpanel", name="Tarjeta débito")
    panel.get_by_role("table", name="Tarjetas").get_by_role("button", name=DEBIT).click()
    expect(panel.get_by_text("Tu tarjeta tiene una clave activa.")).to_be_visible()

    # Recuperar clave → Aceptar → the temporary PIN arrives by email.
    before = {m["source"] for m in stack.messages(EMAIL)}
    panel.get_by_role("button", name="Recuperar clave").click()
    dialog = page.get_by_role("dialog", name="Recuperar clave")
    expect(dialog).to_contain_text("Automáticamente se enviará la clave temporal")
    dialog.get_by_role("button", name="Aceptar").click()
    sent = page.get_by_role("alertdialog", name="Recuperar clave")
    expect(sent).to_contain_text(
        "Estimado usuario hemos enviado una clave temporal a su correo electrónico registrado."
    )
    shot(page, "card-pin-recovered")
    letter = stack.wait_message(
        lambda m: m["source"] not in before and "GENERACION DE CLAVE" in (m.get("subject") or ""),
        to=EMAIL,
    )
    text = letter["text"]
    assert "Estimado(a): SILVA/GABRIEL" in text
    assert f"NÚMERO TARJETA: {DEBIT}" in text and "TIPO DE TARJETA: DEBITO" in text
    found = re.search(r"CLAVE TEMPORAL: (\d{4})", text)
    assert found is not None
    temporary = found.group(1)
    sent.get_by_role("button", name="Aceptar").click()
    expect(panel.get_by_text("Tu tarjeta tiene una clave temporal")).to_be_visible()

    # Cambiar clave: a PIN against the advice is refused with the manual's words.
    panel.get_by_role("button", name="Cambiar clave").click()
    expect(page.get_by_role("region", name="Consejos de seguridad")).to_contain_text(
        "Evita utilizar dígitos consecutivos"
    )
    assert_accessible(page)
    shot(page, "card-pin-change-form")
    fill_pins(page, temporary, "1234")
    expect(page.get_by_role("alert")).to_contain_text(
        "Evita utilizar dígitos consecutivos (por ejemplo 1234 o 9876)."
    )
    seen = stack.codes_so_far(MOBILE)
    fill_pins(page, temporary, "2649")
    otp = page.locator("form.otp")
    expect(otp).to_contain_text("Cambio de clave")
    expect(otp).to_contain_text(DEBIT)
    shot(page, "card-pin-otp")
    code = confirm_code(page, stack, seen)
    sms = next(m for m in stack.messages(MOBILE) if m.get("otp_code") == code)
    assert "es tu código para cambiar la clave de tu tarjeta XXXX7023" in sms["text"]
    expect(page.get_by_role("status").filter(has_text="se cambió con éxito")).to_be_visible()
    page.get_by_role("button", name="Aceptar").click()
    expect(panel.get_by_text("Tu tarjeta tiene una clave activa.")).to_be_visible()

    for name in ("api", "worker", "temporal"):
        log = stack.log(name)
        for secret in (temporary, "2649", code):
            assert not re.search(rf"(?<![\d.:-]){secret}(?![\d:-])", log), f"{secret} in {name}.log"


def test_member_changes_then_recovers_the_credit_card_pin_at_a_phones_width(
    page: Page, stack: Stack
) -> None:
    page.set_viewport_size(PHONE)
    login(page, USER, PASSWORD)
    page.get_by_role("table", name="Tarjetas").get_by_role("link", name=CREDIT).click()
    expect(page).to_have_url(re.compile(r"/banca/productos/tarjetas/\d+$"))
    page.get_by_role("button", name="Cambiar clave").click()
    fill_pins(page, "1357", "5830")
    expect(page.get_by_role("alert")).to_contain_text(
        "La clave anterior es incorrecta. Te quedan 2 intentos."
    )
    seen = stack.codes_so_far(MOBILE)
    fill_pins(page, CREDIT_PIN, "5830")
    expect(page.locator("form.otp")).to_contain_text(CREDIT)
    fits_phone_width(page)
    confirm_code(page, stack, seen)
    expect(page.get_by_role("status").filter(has_text="se cambió con éxito")).to_be_visible()
    page.get_by_role("button", name="Aceptar").click()

    # Recuperar clave of the credit card: the letter says CRÉDITO; the temporary PIN works.
    before = {m["source"] for m in stack.messages(EMAIL)}
    page.get_by_role("button", name="Recuperar clave").click()
    page.get_by_role("dialog", name="Recuperar clave").get_by_role("button", name="Aceptar").click()
    sent = page.get_by_role("alertdialog", name="Recuperar clave")
    expect(sent).to_contain_text("hemos enviado una clave temporal")
    letter = stack.wait_message(
        lambda m: m["source"] not in before and "GENERACION DE CLAVE" in (m.get("subject") or ""),
        to=EMAIL,
    )
    assert f"NÚMERO TARJETA: {CREDIT}" in letter["text"]
    assert "TIPO DE TARJETA: CRÉDITO" in letter["text"]
    found = re.search(r"CLAVE TEMPORAL: (\d{4})", letter["text"])
    assert found is not None
    sent.get_by_role("button", name="Aceptar").click()
    page.get_by_role("button", name="Cambiar clave").click()
    expect(page.get_by_text("Tu tarjeta tiene una clave temporal")).to_be_visible()
    seen = stack.codes_so_far(MOBILE)
    fill_pins(page, found.group(1), "5830" if found.group(1) != "5830" else "6937")
    confirm_code(page, stack, seen)
    expect(page.get_by_role("status").filter(has_text="se cambió con éxito")).to_be_visible()
    fits_phone_width(page)
    assert_accessible(page)
    shot(page, "card-pin-changed-phone")

"""Contacto, Ayuda, Solicita tus productos, the open Diferido de tarjetas; the officer attends
a request."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.web.browser import DESKTOP, PHONE, assert_accessible, fits_phone_width, shot
from tests.web.conftest import login, officer_login
from tests.web.stack import Stack

MEMBER, PASSWORD = "gsilva", "Cooprogreso2025"


def at_phone_width(page: Page, name: str) -> None:
    page.set_viewport_size(PHONE)
    fits_phone_width(page)
    shot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_contact_help_and_deferrals(page: Page, stack: Stack) -> None:
    login(page, MEMBER, PASSWORD)

    page.get_by_role("navigation", name="Menú de opciones").get_by_role(
        "link", name="Contacto"
    ).click()
    expect(page.get_by_role("heading", name="Contacto", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Canales de atención")).to_be_visible()
    call_center = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Call Center")
    )
    expect(call_center.get_by_role("link")).to_have_attribute("href", re.compile(r"^tel:"))
    whatsapp = page.get_by_role("link", name=re.compile("099 826 6776"))
    expect(whatsapp).to_have_attribute("target", "_blank")
    expect(page.get_by_role("heading", name="Matriz")).to_be_visible()
    expect(page.get_by_text("Av. 10 de Agosto N37-232 y Villalengua")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Facebook"))).to_be_visible()
    expect(page.get_by_text("nunca te pedirá tu contraseña")).to_be_visible()
    assert_accessible(page)
    shot(page, "info-contact")
    at_phone_width(page, "info-contact")

    page.goto("/banca/ayuda")
    expect(
        page.get_by_role("heading", name="Ayuda — Preguntas frecuentes", level=1)
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Primeros pasos")).to_be_visible()
    browsers = page.get_by_role("group").filter(has_text="¿Qué navegadores puedo usar?")
    answer = browsers.get_by_text("Google Chrome, Mozilla Firefox")
    expect(answer).to_be_hidden()
    browsers.get_by_text("¿Qué navegadores puedo usar?").click()
    expect(answer).to_be_visible()
    page.get_by_text("¿Hasta qué hora puedo firmar mi crédito?").click()
    expect(page.get_by_text("hasta las 23H59 del mismo día")).to_be_visible()  # the stack's cut-off
    assert_accessible(page)
    shot(page, "info-help")

    page.get_by_label("Busca tu pregunta").fill("contrasena")  # without the accent
    expect(page.get_by_role("status").filter(has_text="preguntas encontradas")).to_be_visible()
    expect(page.get_by_text("¿Cómo debe ser mi contraseña?")).to_be_visible()
    expect(page.get_by_text("¿Qué navegadores puedo usar?")).to_have_count(0)
    page.get_by_label("Busca tu pregunta").fill("zzzz")
    expect(page.get_by_text("No encontramos preguntas con «zzzz»")).to_be_visible()
    page.get_by_label("Busca tu pregunta").fill("")
    at_phone_width(page, "info-help")

    # Diferido de tarjetas is open now (its whole journey is test_deferrals.py's).
    menu = page.get_by_role("navigation", name="Menú de opciones")
    expect(menu.get_by_text("Próximamente")).to_have_count(0)
    menu.get_by_role("link", name="Diferido de tarjetas").click()
    expect(page.get_by_role("heading", name="Diferido de tarjetas", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Diferido Transacciones")).to_be_visible()
    expect(page.get_by_label("Tarjeta a la que aplicarás el diferido")).to_contain_text(
        "Mastercard Estandar 513744XXXXXX0395"
    )
    expect(page.get_by_role("table", name="Diferidos vigentes")).to_contain_text("ALMACENES JAPON")
    assert_accessible(page)
    shot(page, "info-deferrals")
    assert not page.errors  # type: ignore[attr-defined]


def test_member_requests_a_product_and_the_officer_attends_it(
    page: Page, context: BrowserContext, stack: Stack
) -> None:
    login(page, MEMBER, PASSWORD)
    page.get_by_role("link", name="Solicita tus productos").click()
    expect(page.get_by_role("heading", name="Solicita tus productos", level=1)).to_be_visible()
    expect(page.get_by_text("Aún no has enviado solicitudes.")).to_be_visible()
    send = page.get_by_role("button", name="Enviar solicitud")
    expect(send).to_be_disabled()

    page.get_by_role("radio", name=re.compile("^Crédito de consumo")).check()
    page.get_by_label("Monto que necesitas (opcional)").fill("2500.50")
    page.get_by_label("Comentario (opcional)").fill("Para los estudios de mi hija")
    page.get_by_role("radio", name=re.compile("^WhatsApp")).check()
    expect(page.get_by_role("radio", name=re.compile("^WhatsApp"))).to_have_accessible_name(
        re.compile(r"09\*+\d{2}")
    )
    send.click()

    expect(page.get_by_role("status").filter(has_text="¡Solicitud enviada!")).to_contain_text(
        "Recibimos tu solicitud de Crédito de consumo"
    )
    mine = page.get_by_role("table", name="Tus solicitudes de productos")
    first = mine.get_by_role("row").nth(1)
    expect(first).to_contain_text("Crédito de consumo")
    expect(first).to_contain_text("$2,500.50")
    expect(first).to_contain_text("WhatsApp")
    expect(first).to_contain_text("Recibida")
    assert_accessible(page)
    shot(page, "info-request")

    # A second open request of the same type: the API's Spanish refusal.
    page.get_by_role("radio", name=re.compile("^Crédito de consumo")).check()
    page.get_by_role("radio", name=re.compile("^Llamada a mi celular")).check()
    send.click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Ya tienes una solicitud de Crédito de consumo en atención"
    )
    at_phone_width(page, "info-request")

    officer = context.new_page()  # a tab of its own: its own session
    officer_errors: list[str] = []
    officer.on("pageerror", lambda exc: officer_errors.append(str(exc)))
    officer_login(officer)
    officer.get_by_role("link", name="Solicitudes de productos").click()
    officer.get_by_label("Tipo de producto").select_option(label="Crédito de consumo")
    listed = (
        officer.get_by_role("row")
        .filter(has_text="GABRIEL ANDRES SILVA PAREDES")
        .filter(has_text="Crédito de consumo")
    )
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("$2,500.50")
    expect(listed).to_contain_text("Para los estudios de mi hija")
    expect(listed).to_contain_text("1718452939")
    listed.get_by_role("button", name=re.compile("^Marcar como atendida")).click()
    dialog = officer.get_by_role("dialog", name="Marcar como atendida")
    dialog.get_by_label("Nota (opcional)").fill("Le escribí por WhatsApp")
    dialog.get_by_role("button", name="Confirmar").click()
    expect(
        officer.get_by_role("status").filter(has_text="fue marcada como atendida")
    ).to_be_visible()
    expect(listed).to_contain_text("Atendida")
    expect(listed).to_contain_text("Por oficial.credito")
    expect(listed.get_by_role("button")).to_have_count(0)
    assert_accessible(officer)
    shot(officer, "officer-requests")
    at_phone_width(officer, "officer-requests")

    page.reload()
    expect(
        page.get_by_role("table", name="Tus solicitudes de productos").get_by_role("row").nth(1)
    ).to_contain_text("Atendida")
    assert not page.errors  # type: ignore[attr-defined]
    assert not officer_errors

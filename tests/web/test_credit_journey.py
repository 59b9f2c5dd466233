"""Campañas de créditos preaprobados (manual §8) in the browser: the notification after
login, Simulación, Resumen with its rubros, Cargar documentos (files and the camera),
closing the tab and coming back to the same step, Finalizar and the signing email; the X
and "No mostrar nuevamente"; a member the requirements stop; a married member's spouse.

Every campaign here is this file's own (``WEBCREDITO``) and loaded through the officer
API; the applicants are this file's own members, except LUIS CHILUISA and MARIA JOSE
ANDRANGO of the demo, whose offers end declined (no notice is left for other tests)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, expect

from tests.web.browser import DESKTOP, PHONE, assert_accessible, fits_phone_width, launch_args, shot
from tests.web.conftest import login
from tests.web.credit_support import (
    GUAYAQUIL,
    api_login,
    card_clip,
    document_files,
    journey,
    load_campaign,
    new_applicant,
    upload,
)
from tests.web.service_payments_support import call, session_token, usd
from tests.web.stack import Stack

CAMPAIGN = "WEBCREDITO"
NOTICE = "¿Deseas un crédito preaprobado?"
LUIS = ("lchiluisa", "Cooprogreso2025", "1724119076")
MARIA_JOSE = ("mandrango", "Cooprogreso2025", "1709623852")
KYC = 90_000  # ms: document checks run on the engine's KYC worker
ROWS = "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return document_files(tmp_path_factory.mktemp("credito-documentos"))


@pytest.fixture(scope="module")
def camera_browser(
    playwright_session: Playwright, chromium: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """Chromium whose fake camera films the back of an ID card."""
    clip = card_clip(tmp_path_factory.mktemp("camara-credito"))
    browser = playwright_session.chromium.launch(executable_path=chromium, args=launch_args(clip))
    yield browser
    browser.close()


def open_tab(browser: Browser, stack: Stack) -> tuple[BrowserContext, Page]:
    context = browser.new_context(
        base_url=stack.base_url, viewport=DESKTOP, locale="es-EC", permissions=["camera"]
    )
    return context, context.new_page()


def today() -> str:
    return datetime.now(GUAYAQUIL).date().isoformat()


def dmy(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def document(page: Page, label: str) -> Locator:
    return page.get_by_role("article", name=label)


def test_notice_to_finalizar_resuming_after_the_tab_is_closed(
    camera_browser: Browser, stack: Stack, files: dict[str, Path]
) -> None:
    who = new_applicant(stack, "credito.web", "MARCO ANTONIO/VILLACIS PROANO")
    load_campaign(stack, CAMPAIGN, who.identification)
    context, page = open_tab(camera_browser, stack)
    try:
        login(page, who.username, who.password)
        notice = page.get_by_role("dialog", name=NOTICE)
        expect(notice).to_be_visible()
        expect(notice).to_contain_text(CAMPAIGN)
        assert_accessible(page)
        shot(page, "credit-notice")
        notice.get_by_role("button", name="Aceptar y continuar").click()
        expect(page).to_have_url(re.compile(f"/banca/campanas/{CAMPAIGN}$"))
        expect(page.get_by_text("Monto máximo calificado: $6,000.00")).to_be_visible()
        token = session_token(page)
        simulate_and_choose(page, stack, token)
        review_summary(page, stack, token)
        upload_documents(page, stack, token, files)
    finally:
        context.close()  # the member closes the tab before "Finalizar"

    context, page = open_tab(camera_browser, stack)
    try:
        login(page, who.username, who.password)
        page.get_by_role("link", name="Campañas de créditos preaprobados").click()
        expect(page.get_by_role("dialog", name=NOTICE)).to_have_count(0)  # not offered any more
        page.get_by_role("link", name=f"Continuar con la campaña {CAMPAIGN}").click()
        expect(page.get_by_role("heading", name="Cargando documentos")).to_be_visible()
        expect(page.locator("[aria-current=step]")).to_contain_text("Cargar documentos")
        for label, name in [
            ("Cédula de identidad (anverso)", "cedula-anverso.jpg"),
            ("Cédula de identidad (reverso)", "foto-id_back.jpg"),
            ("Planilla de servicio básico", "planilla-luz.pdf"),
        ]:
            expect(document(page, label)).to_contain_text(f"cargado correctamente: {name}")
        finalize(page, stack, who.email)
    finally:
        context.close()


def simulate_and_choose(page: Page, stack: Stack, token: str) -> None:
    expect(page.get_by_role("heading", name="Simulación")).to_be_visible()
    page.get_by_label("Monto del crédito").fill("6000.01")
    page.get_by_label("Plazo").select_option("24")
    page.get_by_role("button", name="Simular").click()
    expect(page.get_by_role("alert")).to_contain_text("monto máximo calificado")

    page.get_by_label("Monto del crédito").fill("4500")
    page.get_by_role("button", name="Simular").click()
    result = page.get_by_role("region", name="Tu simulación")
    expect(result).to_be_visible()
    status, sim = call(
        stack, token, "POST", f"/credit/offers/{CAMPAIGN}/simulate", {"monto": "4500", "plazo": 24}
    )
    assert status == 200, sim
    for label, key in [("Cuota estimada", "cuota"), ("Total a pagar", "total_a_pagar")]:
        expect(result.locator(".resumen-fila", has_text=label)).to_contain_text(usd(sim[key]))
    table = page.get_by_role("table", name="Tabla de amortización estimada")
    shown = table.locator("tbody tr").evaluate_all(ROWS)
    assert shown == [
        [str(r["numero"]), dmy(r["fecha"])]
        + [usd(r[k]) for k in ("cuota", "capital", "interes", "seguro", "rubros", "saldo")]
        for r in sim["tabla"]
    ]
    assert len(shown) == 24 and shown[-1][-1] == "$0.00"
    assert_accessible(page)
    shot(page, "credit-simulation")
    page.set_viewport_size(PHONE)
    fits_phone_width(page)
    shot(page, "credit-simulation-phone")
    page.set_viewport_size(DESKTOP)

    result.get_by_role("button", name="Cancelar").click()  # Paso 3 "NO": back to Paso 2
    expect(result).to_be_hidden()
    expect(page.get_by_label("Monto del crédito")).to_have_value("4500")
    page.get_by_role("button", name="Simular").click()
    page.get_by_role("region", name="Tu simulación").get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", name="Resumen", exact=True)).to_be_visible()


def review_summary(page: Page, stack: Stack, token: str) -> None:
    state = journey(stack, token, CAMPAIGN)
    assert state["estado"] == "SUMMARY"
    r = state["resumen"]
    # SOLCA 0.5% of $4,500.00 = $22.50; COMISIÓN $10.00 + 15% IVA $1.50.
    assert (r["monto"], r["total_descuentos"], r["monto_a_recibir"]) == (
        "4500.00",
        "34.00",
        "4466.00",
    )
    summary = page.get_by_role("region", name="Resumen de tu operación crediticia")
    expect(summary.locator(".resumen-fila", has_text="Cuota mensual")).to_contain_text(
        usd(r["cuota"])
    )
    expect(summary.locator(".cred-recibir-valor")).to_have_text("$4,466.00")
    info = summary.get_by_role("button", name="Rubros del monto a recibir")
    rubros = page.get_by_role("table", name="Rubros que forman parte de tu crédito")
    expect(info).to_have_attribute("aria-expanded", "false")
    expect(rubros).to_be_hidden()
    info.click()
    expect(info).to_have_attribute("aria-expanded", "true")
    assert rubros.locator("tbody tr").evaluate_all(ROWS) == [
        ["CONTRIBUCIÓN SOLCA", "Se descuenta del desembolso", "$22.50", "$0.00"],
        ["COMISIÓN POR APERTURA", "Se descuenta del desembolso", "$10.00", "$1.50"],
    ]
    assert_accessible(page)
    shot(page, "credit-summary")


def upload_documents(page: Page, stack: Stack, token: str, files: dict[str, Path]) -> None:
    wanted = journey(stack, token, CAMPAIGN)["requisitos"]["documentos_requeridos"]
    assert wanted == ["ID_FRONT", "ID_BACK", "UTILITY_BILL"]  # no data update within 12 months
    front, back = document(page, "Cédula de identidad (anverso)"), document(page, "(reverso)")
    bill = document(page, "Planilla de servicio básico")
    page.get_by_label("Subir archivo: Cédula de identidad (anverso)").set_input_files(
        files["ID_FRONT"]
    )
    expect(front).to_contain_text("cargado correctamente: cedula-anverso.jpg", timeout=KYC)
    expect(page.get_by_role("heading", name="Cargando documentos")).to_be_visible()
    page.get_by_role("button", name="Cancelar", exact=True).click()  # back to the simulation
    expect(page.get_by_role("heading", name="Simulación")).to_be_visible()
    page.get_by_label("Monto del crédito").fill("4500")
    page.get_by_label("Plazo").select_option("24")
    page.get_by_role("button", name="Simular").click()
    page.get_by_role("region", name="Tu simulación").get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", name="Resumen", exact=True)).to_be_visible()
    expect(front).to_contain_text("cargado correctamente: cedula-anverso.jpg")  # uploads kept

    page.get_by_label("Subir archivo: Cédula de identidad (reverso)").set_input_files(
        files["BLURRED"]
    )
    expect(back).to_contain_text("No pudimos aceptar cedula-reverso-borrosa.jpg", timeout=KYC)
    refused = next(
        d for d in journey(stack, token, CAMPAIGN)["documentos"] if d["tipo"] == "ID_BACK"
    )
    assert not refused["aceptado"]
    expect(back).to_contain_text(refused["motivos"][0]["mensaje"])  # "La imagen está borrosa…"
    back.get_by_role("button", name="Modificar").click()
    back.get_by_role("button", name="Tomar fotografía").click()
    capture = back.get_by_role("button", name="Capturar")
    expect(capture).to_be_enabled()
    shot(page, "credit-camera")
    capture.click()  # one frame of the camera, as a JPEG named by the page
    expect(back).to_contain_text("cargado correctamente: foto-id_back.jpg", timeout=KYC)

    expect(bill).to_contain_text("Fecha de emisión no mayor a 2 meses.")
    page.get_by_label("Subir archivo: Planilla de servicio básico").set_input_files(
        files["UTILITY_BILL"]
    )
    expect(bill.get_by_role("alert")).to_contain_text("Indica la fecha de emisión de la planilla.")
    bill.get_by_label("Fecha de emisión de la planilla").fill(today())
    page.get_by_label("Subir archivo: Planilla de servicio básico").set_input_files(
        files["UTILITY_BILL"]
    )
    expect(bill).to_contain_text("cargado correctamente: planilla-luz.pdf", timeout=KYC)
    bill.get_by_role("button", name="Eliminar").click()
    expect(bill).not_to_contain_text("cargado correctamente")
    page.get_by_label("Subir archivo: Planilla de servicio básico").set_input_files(
        files["UTILITY_BILL"]
    )
    expect(bill).to_contain_text("cargado correctamente: planilla-luz.pdf", timeout=KYC)
    assert journey(stack, token, CAMPAIGN)["estado"] == "COLLECTING_DOCUMENTS"
    assert_accessible(page)
    shot(page, "credit-documents")
    page.set_viewport_size(PHONE)
    fits_phone_width(page)
    shot(page, "credit-documents-phone")
    page.set_viewport_size(DESKTOP)


def finalize(page: Page, stack: Stack, email: str) -> None:
    page.get_by_role("button", name="Finalizar").click()
    done = page.get_by_text("Tu solicitud de crédito fue enviada exitosamente")
    expect(done).to_be_visible(timeout=120_000)
    expect(page.get_by_text("hasta las 23H59 de hoy")).to_be_visible()  # this stack's cut-off
    expect(
        page.get_by_text(f"enviados a tu correo electrónico registrado ({email})")
    ).to_be_visible()
    expect(page.locator("[aria-current=step]")).to_contain_text("Finalizar")
    link = stack.link_in_email(email, re.escape(stack.base_url) + r"/firma/[A-Za-z0-9_-]{20,}")
    assert link.startswith(f"{stack.base_url}/firma/")
    assert_accessible(page)
    shot(page, "credit-sent")
    page.reload()  # drawn from the journey's state, not from the answer to "Finalizar"
    expect(done).to_be_visible()
    expect(page.get_by_text("el enlace para firmarlos hasta las 23H59")).to_be_visible()


def test_x_shows_it_again_and_no_mostrar_nuevamente_removes_it(
    browser: Browser, stack: Stack
) -> None:
    username, password, identification = LUIS
    load_campaign(stack, CAMPAIGN, identification)
    context, page = open_tab(browser, stack)
    login(page, username, password)
    notice = page.get_by_role("dialog", name=NOTICE)
    expect(notice).to_be_visible()
    notice.get_by_role("button", name="Cerrar").click()  # the X: later
    expect(notice).to_be_hidden()
    page.get_by_role("link", name="Campañas de créditos preaprobados").click()
    expect(page.get_by_role("heading", name=f"Campaña {CAMPAIGN}")).to_be_visible()
    expect(notice).to_have_count(0)
    assert_accessible(page)
    shot(page, "credit-campaigns")
    context.close()

    context, page = open_tab(browser, stack)
    login(page, username, password)
    notice = page.get_by_role("dialog", name=NOTICE)
    expect(notice).to_be_visible()  # the X only closed it for that visit
    notice.get_by_role("button", name="No mostrar nuevamente").click()
    gone = page.get_by_role("dialog", name="Eliminamos la oferta de crédito")
    expect(gone).to_contain_text("acercarte de manera presencial a tu agencia más cercana")
    gone.get_by_role("button", name="Entendido").click()
    expect(gone).to_be_hidden()
    context.close()

    context, page = open_tab(browser, stack)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/credit/offers")) as offers:
        login(page, username, password)
    answer: Any = offers.value.json()
    assert answer["mostrar_notificacion"] is False
    assert CAMPAIGN not in {o["campana"] for o in answer["ofertas"]}
    expect(page.get_by_role("dialog", name=NOTICE)).to_have_count(0)
    page.goto("/banca/campanas")
    expect(page.get_by_role("heading", name=f"Campaña {CAMPAIGN}")).to_have_count(0)
    context.close()


def test_requirements_stop_an_expired_id_card_and_the_offer_can_be_declined(
    page: Page, stack: Stack
) -> None:
    username, password, identification = MARIA_JOSE
    load_campaign(stack, CAMPAIGN, identification)
    login(page, username, password)
    page.get_by_role("dialog", name=NOTICE).get_by_role(
        "button", name="Aceptar y continuar"
    ).click()
    expect(
        page.get_by_role("heading", name="Debes actualizar tus datos en una agencia")
    ).to_be_visible()
    state = journey(stack, session_token(page), CAMPAIGN)
    assert state["estado"] == "BLOCKED_REQUIREMENTS"
    [reason] = state["requisitos"]["mensajes"]
    expect(page.get_by_role("status").filter(has_text=reason)).to_be_visible()
    assert "cédula de identidad está caducada" in reason
    page.get_by_role("button", name="Verificar nuevamente").click()  # accept checks again
    expect(page.get_by_text("Verificamos nuevamente tu información")).to_be_visible()
    assert_accessible(page)
    shot(page, "credit-blocked")

    page.get_by_role("button", name="No deseo este crédito").click()
    confirm = page.get_by_role("dialog", name="¿Deseas eliminar esta oferta de crédito?")
    confirm.get_by_role("button", name="Eliminar la oferta").click()
    expect(page.get_by_text("Eliminaste esta oferta de crédito.")).to_be_visible()
    expect(page.get_by_role("link", name="Campañas de créditos preaprobados")).to_have_count(0)


def test_married_member_sees_where_the_spouse_signing_link_goes(
    page: Page, stack: Stack, files: dict[str, Path]
) -> None:
    who = new_applicant(stack, "credito.casado", "JORGE LUIS/PAUCAR MENA", married=True)
    load_campaign(stack, CAMPAIGN, who.identification, maximum="3000.00")
    token = api_login(stack, who.username, who.password)
    url = f"/credit/offers/{CAMPAIGN}"
    assert call(stack, token, "POST", f"{url}/accept")[0] == 200
    status, chosen = call(stack, token, "POST", f"{url}/choose", {"monto": "3000", "plazo": 12})
    assert status == 200, chosen
    kinds = chosen["documentos_requeridos"]
    assert kinds == ["ID_FRONT", "ID_BACK", "UTILITY_BILL", "SPOUSE_ID_FRONT", "SPOUSE_ID_BACK"]
    for kind in kinds[:-1]:  # the member leaves the spouse's back for the browser
        assert upload(stack, token, CAMPAIGN, kind, files[kind])["aceptado"], kind

    login(page, who.username, who.password)
    page.goto(f"/banca/campanas/{CAMPAIGN}")
    expect(page.get_by_text("carga también la cédula de identidad de tu cónyuge")).to_be_visible()
    page.get_by_label("Subir archivo: Cédula cónyuge (reverso)").set_input_files(
        files["SPOUSE_ID_BACK"]
    )
    spouse_back = document(page, "Cédula cónyuge (reverso)")
    expect(spouse_back).to_contain_text("cargado correctamente", timeout=KYC)
    page.get_by_role("button", name="Finalizar").click()
    expect(page.get_by_text("Tu solicitud de crédito fue enviada exitosamente")).to_be_visible(
        timeout=120_000
    )
    spouse = page.get_by_role("region", name="Tu cónyuge también firma")
    assert who.spouse_email and who.spouse_mobile
    expect(spouse.locator(".resumen-fila", has_text="Correo electrónico")).to_contain_text(
        who.spouse_email
    )
    expect(spouse.locator(".resumen-fila", has_text="Número celular")).to_contain_text(
        who.spouse_mobile
    )
    link = stack.link_in_email(who.spouse_email, re.escape(stack.base_url) + r"/firma/[\w-]{20,}")
    assert link.startswith(f"{stack.base_url}/firma/")
    assert_accessible(page)
    shot(page, "credit-sent-married")
    page.set_viewport_size(PHONE)
    fits_phone_width(page)
    shot(page, "credit-sent-married-phone")

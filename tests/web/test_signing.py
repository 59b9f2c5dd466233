"""The signing page (/firma/<token>): a married member and her spouse sign with the camera.

Nancy's request is sent through the JSON API (the credit pages have their own test); each
signatory then opens the link of their email in Chromium whose fake camera plays a clip of
a fixture face that blinks (``tests.web.camera``): Nancy's camera shows the face of her ID
card, Christian's the face of his. Christian's camera on Nancy's link is the impostor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize, expect

from activities.credit import IDENTITY_MESSAGES
from bank.adapters.registro_civil import MISMATCH, simulated_codigo_dactilar
from bank.kyc import reasons
from tests.web import signing_support as sup
from tests.web.browser import (
    DESKTOP,
    PHONE,
    assert_accessible,
    fits_phone_width,
    launch_args,
    shot,
)
from tests.web.camera import face_clip, still_photos
from tests.web.conftest import login
from tests.web.service_payments_support import usd
from tests.web.stack import Stack

DOCUMENTS = ["Contrato de crédito", "Pagaré", "Tabla de amortización", "Autorización de débito"]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("camara")
    for name in ("obama", "biden"):
        face_clip(name, folder)
    return folder


def _camera(playwright: Playwright, chromium: str, clip: Path) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium, args=launch_args(clip))
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def nancy_camera(playwright_session: Playwright, chromium: str, clips: Path) -> Iterator[Browser]:
    """A Chromium whose camera shows the face on Nancy's ID card (and blinks)."""
    yield from _camera(playwright_session, chromium, clips / "obama-parpadeo.y4m")


@pytest.fixture(scope="module")
def christian_camera(
    playwright_session: Playwright, chromium: str, clips: Path
) -> Iterator[Browser]:
    """A Chromium whose camera shows the face on Christian's ID card (and blinks)."""
    yield from _camera(playwright_session, chromium, clips / "biden-parpadeo.y4m")


def _page(
    browser: Browser, stack: Stack, viewport: ViewportSize = DESKTOP
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=stack.base_url, viewport=viewport, locale="es-EC")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    return context, page


def _current_step(page: Page, name: str) -> None:
    steps = page.get_by_role("list", name="Pasos")
    expect(steps.locator("[aria-current='step']")).to_contain_text(name)


def identify(page: Page, link: str, who: dict[str, str]) -> None:
    """Paso 8 on a freshly opened link: one wrong código dactilar, then the right one."""
    page.goto(link)
    expect(
        page.get_by_role("heading", name="Firma electrónica de tu crédito", level=1)
    ).to_be_visible()
    expect(page.get_by_text(f"Firmante: {who['name']}")).to_be_visible()
    expect(page.get_by_role("heading", name="Verifica tu identidad", level=2)).to_be_visible()
    _current_step(page, "Identidad")
    page.get_by_label("Número de cédula").fill(who["cedula"])
    page.get_by_label("Código dactilar").fill("A0000A0000")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("alert")).to_contain_text(IDENTITY_MESSAGES[MISMATCH])
    expect(page.get_by_text("Intentos restantes: 4")).to_be_visible()
    assert_accessible(page)
    shot(page, f"firma-identidad-{who['cedula']}")
    page.get_by_label("Código dactilar").fill(simulated_codigo_dactilar(who["cedula"]))
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", name="Autenticación facial", level=2)).to_be_visible()
    consent = page.get_by_role("button", name="Autorizar y continuar")
    expect(consent).to_be_disabled()  # the camera opens only after the explicit consent
    expect(page.get_by_text("datos biométricos (imagen facial)")).to_be_visible()
    page.get_by_label("Autorizo el tratamiento de mi imagen facial").check()
    expect(consent).to_be_enabled()
    assert_accessible(page)
    shot(page, f"firma-consentimiento-{who['cedula']}")
    consent.click()
    expect(consent).to_have_count(0)


def capture(page: Page) -> None:
    """Paso 9: the camera is live, "Capturar" sends the burst."""
    button = page.get_by_role("button", name="Capturar")
    expect(button).to_be_enabled()
    expect(page.get_by_text("Evita contraluces o lugares con poca iluminación.")).to_be_visible()
    button.click()


def review_documents(page: Page, name: str) -> None:
    """Paso 10: the four documents; one opened in the viewer, one downloaded; the terms."""
    expect(page.get_by_role("heading", name="Revisa los documentos", level=2)).to_be_visible()
    items = page.get_by_role("list", name="Documentos de tu operación de crédito").get_by_role(
        "listitem"
    )
    for position, title in enumerate(DOCUMENTS):
        expect(items.nth(position)).to_contain_text(title)
    with page.expect_response(re.compile(r"/documents/contrato-credito$")) as answer:
        page.get_by_role("button", name="Ver Contrato de crédito").click()
    assert answer.value.headers["content-type"] == "application/pdf"
    frame = page.locator("iframe[title='Documento: Contrato de crédito']")
    expect(frame).to_have_attribute("src", re.compile(r"^blob:"))
    with page.expect_download() as shown:  # the viewer's own file: the PDF in the frame
        page.get_by_role("link", name="Descargar").click()
    assert shown.value.suggested_filename == "contrato-credito.pdf"
    assert shown.value.path().read_bytes().startswith(b"%PDF-")
    shot(page, f"firma-documentos-{name}")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Descargar Pagaré").click()
    saved = download.value.path()
    assert download.value.suggested_filename == "pagare.pdf"
    assert saved is not None and saved.read_bytes().startswith(b"%PDF-")
    page.get_by_role("button", name="Cerrar").click()
    accept = page.get_by_role("button", name="Aceptar y continuar")
    expect(accept).to_be_disabled()
    page.get_by_label("He revisado los documentos y acepto los términos y condiciones.").check()
    accept.click()


def sign_with_code(page: Page, stack: Stack, who: dict[str, str], seen: set[str]) -> None:
    """Paso 11: the OTP step shows what is signed; the SMS code signs."""
    expect(
        page.get_by_role("heading", name="Confirma con tu código de seguridad", level=2)
    ).to_be_visible()
    authorised = page.get_by_role("region", name="Lo que estás autorizando")
    expect(authorised).to_contain_text(who["name"])
    for title in DOCUMENTS:
        expect(authorised).to_contain_text(title)
    masked = f"{who['mobile'][:2]}XXXXX{who['mobile'][-3:]}"  # as the SMS gateway's answer
    expect(page.get_by_text(masked)).to_be_visible()
    assert_accessible(page)
    shot(page, f"firma-codigo-{who['cedula']}")
    page.get_by_label("Código de seguridad (6 dígitos)").fill(stack.otp_after(who["mobile"], seen))
    page.get_by_role("button", name="Firmar documentos").click()
    expect(page.get_by_role("heading", name="Procedimiento exitoso", level=2)).to_be_visible(
        timeout=90_000
    )
    expect(page.get_by_text("¡Tu firma electrónica fue registrada con éxito!")).to_be_visible()


def nancy_signs(stack: Stack, link: str, nancy_camera: Browser, christian_camera: Browser) -> None:
    context, page = _page(nancy_camera, stack)
    try:
        identify(page, link, sup.NANCY)
        assert_accessible(page)
        page.reload()  # reopening the link resumes at the face step
        expect(page.get_by_role("heading", name="Autenticación facial", level=2)).to_be_visible()
        _current_step(page, "Autenticación facial")
        impostor_is_refused(stack, link, christian_camera)
        expect(page.get_by_role("button", name="Capturar")).to_be_enabled()
        assert_accessible(page)
        shot(page, "firma-rostro")
        capture(page)
        seen = stack.codes_so_far(sup.NANCY["mobile"])  # before the terms send the code
        review_documents(page, "nancy")
        sign_with_code(page, stack, sup.NANCY, seen)
        expect(page.get_by_text("Cuando firmen todos los intervinientes")).to_be_visible()
        assert_accessible(page)
        shot(page, "firma-exito-nancy")
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        context.close()


def impostor_is_refused(stack: Stack, link: str, christian_camera: Browser) -> None:
    """Nancy's link before Christian's camera: refused with the API's message; she may retry."""
    context, page = _page(christian_camera, stack)
    try:
        page.goto(link)
        expect(page.get_by_role("heading", name="Autenticación facial", level=2)).to_be_visible()
        capture(page)
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(reasons.MESSAGES[reasons.ROSTRO_NO_COINCIDE], timeout=60_000)
        expect(page.get_by_text("Intentos restantes: 2")).to_be_visible()
        expect(page.get_by_role("button", name="Capturar")).to_be_enabled()  # try again
        assert_accessible(page)
        shot(page, "firma-rostro-rechazado")
    finally:
        context.close()


def christian_signs(
    stack: Stack, link: str, browser: Browser, christian_camera: Browser, photos: list[Path]
) -> None:
    """At phone width: without a camera "Subir fotos" sends photos (a still one is refused);
    the same link on the phone with a camera then passes and signs."""
    context, page = _page(browser, stack, PHONE)
    try:
        identify(page, link, sup.CHRISTIAN)
        expect(page.get_by_text("Subir fotos")).to_be_visible()  # no camera: the fallback
        expect(page.get_by_role("button", name="Capturar")).to_have_count(0)
        page.get_by_label("Subir fotos").set_input_files(photos)
        expect(page.get_by_role("alert")).to_contain_text(
            reasons.MESSAGES[reasons.IMAGEN_ESTATICA], timeout=60_000
        )
        assert_accessible(page)
        shot(page, "firma-subir-fotos-telefono")
    finally:
        context.close()
    context, page = _page(christian_camera, stack, PHONE)
    try:
        page.goto(link)
        expect(page.get_by_text(f"Firmante: {sup.CHRISTIAN['name']} (cónyuge)")).to_be_visible()
        expect(page.get_by_role("button", name="Capturar")).to_be_enabled()
        shot(page, "firma-rostro-telefono")
        capture(page)
        seen = stack.codes_so_far(sup.CHRISTIAN["mobile"])  # before the terms send the code
        review_documents(page, "christian")
        sign_with_code(page, stack, sup.CHRISTIAN, seen)
        expect(page.get_by_text("tu crédito fue desembolsado")).to_be_visible()
        fits_phone_width(page)
        assert_accessible(page)
        shot(page, "firma-exito-telefono")
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        context.close()


def test_married_member_and_spouse_sign_and_the_loan_is_credited(
    stack: Stack,
    browser: Browser,
    page: Page,
    nancy_camera: Browser,
    christian_camera: Browser,
    tmp_path: Path,
) -> None:
    today = datetime.now(ZoneInfo("America/Guayaquil")).date()
    sup.load_campaign(stack, today)
    sent = sup.send_request(stack, today)
    before = sup.savings_balance(stack)

    nancy_signs(stack, sent.nancy_link, nancy_camera, christian_camera)
    assert sup.journey(stack)["estado"] == "AWAITING_SIGNATURES"
    christian_signs(
        stack, sent.christian_link, browser, christian_camera, still_photos("biden", tmp_path)
    )

    credit = sup.journey(stack)
    assert credit["estado"] == "DISBURSED", credit
    assert Decimal(str(credit["monto_acreditado"])) == Decimal(sent.net_amount)
    balance = usd(str(before + Decimal(sent.net_amount)))
    login(page, sup.NANCY["username"], sup.NANCY["password"])
    accounts = page.get_by_role("table", name="Cuentas")
    expect(accounts.get_by_role("row").filter(has_text=sup.NANCY["savings"])).to_contain_text(
        balance
    )
    loans = page.get_by_role("table", name="Préstamos")
    expect(loans.get_by_role("row").filter(has_text=credit["numero_credito"])).to_contain_text(
        usd(sup.AMOUNT)
    )
    page.goto(f"/banca/productos/cuentas/{sup.NANCY['savings']}")
    movements = page.get_by_role("tabpanel", name="Últimos Movimientos").get_by_role(
        "table", name="Movimientos"
    )
    credited = movements.get_by_role("row").filter(has_text=usd(sent.net_amount))
    expect(credited.first).to_contain_text("DESEMBOLSO")
    expect(credited.first).to_contain_text(balance)

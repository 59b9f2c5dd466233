"""Transferencias in the browser (manual §2): between Gabriel's own accounts with a wrong code
first, to a registered Cooprogreso beneficiary, interbank to a bank without immediate credit,
resuming an operation after the tab was closed, and cancelling on the code step."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from bank.models import AccountStatus
from tests.web.browser import DESKTOP, PHONE, assert_accessible, fits_phone_width, shot
from tests.web.conftest import login
from tests.web.service_payments_support import (
    GABRIEL_MOBILE,
    GABRIEL_SAVINGS,
    call,
    session_token,
    usd,
)
from tests.web.stack import Stack
from tests.web.transfers_support import (
    MARIA_JOSE,
    balances,
    cooprogreso_payee,
    movement,
    open_second_savings,
    slow_bank_payee,
)

CODE_FIELD = "Código de seguridad (6 dígitos)"
OPERATION_URL = re.compile(r"/banca/operaciones/([A-Za-z0-9_-]+)$")


@pytest.fixture(scope="module")
def second_savings(stack: Stack) -> Iterator[str]:
    yield open_second_savings(stack)
    open_second_savings(stack, AccountStatus.INACTIVO)  # later files see one active account


@pytest.fixture
def gabriel(page: Page) -> Iterator[Page]:
    login(page, "gsilva", "Cooprogreso2025")
    yield page
    assert not page.errors  # type: ignore[attr-defined]


def operation_key(page: Page) -> str:
    expect(page).to_have_url(OPERATION_URL)
    found = OPERATION_URL.search(page.url)
    assert found
    return found.group(1)


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def pending_with(stack: Stack, token: str, reference: str, key: str) -> list[str]:
    """Keys of the pending operations with ``reference``, once ``key`` is among them."""
    deadline = time.monotonic() + 10
    while True:
        status, listed = call(stack, token, "GET", "/movements")
        assert status == 200, listed
        keys = [p["id"] for p in listed if p["resumen"]["referencia"] == reference]
        if key in keys or time.monotonic() > deadline:
            return keys
        time.sleep(0.2)  # Temporal visibility lags the workflow a little


def confirm(page: Page) -> None:
    page.get_by_role("button", name="Continuar").click()


def test_own_transfer_wrong_code_then_right_one_moves_both_balances(
    gabriel: Page, stack: Stack, second_savings: str
) -> None:
    page = gabriel
    token = session_token(page)
    before = balances(stack, token)
    page.goto("/banca/transferencias")
    expect(page.get_by_role("heading", name="Transferencias", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Transferencias a mis Cuentas")).first.click()
    expect(
        page.get_by_role("heading", name="Transfiere entre tus cuentas Cooprogreso")
    ).to_be_visible()
    page.get_by_label("Cuenta de origen").select_option(GABRIEL_SAVINGS)
    destination = page.get_by_label("Cuenta de destino")
    expect(destination).to_have_value(second_savings)  # the only other savings account
    page.get_by_label("Monto").fill("1.37")
    page.get_by_label("Referencia").fill("Ahorro propio transf-a")
    shot(page, "transfers-own-form")
    assert_accessible(page)

    seen = stack.codes_so_far(GABRIEL_MOBILE)
    page.get_by_role("button", name="Continuar").click()
    key = operation_key(page)
    code = stack.otp_after(GABRIEL_MOBILE, seen)
    authorised = page.get_by_role("region", name="Lo que estás autorizando")
    expect(authorised).to_contain_text("$1.37")
    expect(authorised).to_contain_text("CUENTA PROPIA")
    expect(authorised).to_contain_text(second_savings[-4:])

    page.get_by_label(CODE_FIELD).fill(other_code(code))
    confirm(page)
    expect(page.get_by_role("alert")).to_have_text(
        "El código ingresado es incorrecto. Te quedan 4 intentos."
    )
    expect(page.get_by_text("Intentos restantes: 4")).to_be_visible()
    shot(page, "transfers-own-wrong-code")
    assert_accessible(page)

    page.get_by_label(CODE_FIELD).fill(code)
    confirm(page)
    expect(page.get_by_text("Tu operación se realizó con éxito.")).to_be_visible()
    receipt = page.get_by_role("definition")
    expect(receipt.filter(has_text="$1.37").first).to_be_visible()
    expect(page.locator("main")).to_contain_text(key)
    shot(page, "transfers-own-receipt")
    assert_accessible(page)

    after = balances(stack, token)
    moved = Decimal("1.37")
    assert after[GABRIEL_SAVINGS][0] == before[GABRIEL_SAVINGS][0] - moved
    assert after[GABRIEL_SAVINGS][1] == before[GABRIEL_SAVINGS][1] - moved
    assert after[second_savings][0] == before[second_savings][0] + moved
    assert after[second_savings][1] == before[second_savings][1] + moved


def test_cooprogreso_transfer_to_a_registered_beneficiary(gabriel: Page, stack: Stack) -> None:
    page = gabriel
    token = session_token(page)
    payee = cooprogreso_payee(stack, token)
    page.goto("/banca/transferencias/cooprogreso")
    expect(page.get_by_role("link", name="Nuevo Beneficiario")).to_have_attribute(
        "href", "/banca/beneficiarios"
    )
    page.get_by_label("Cuenta de origen").select_option(GABRIEL_SAVINGS)
    page.get_by_label("Beneficiario").select_option(str(payee["id"]))
    page.get_by_label("Monto").fill("2.19")
    page.get_by_label("Motivo").fill("Cuota del grupo transf-b")
    assert_accessible(page)
    seen = stack.codes_so_far(GABRIEL_MOBILE)
    page.get_by_role("button", name="Continuar").click()
    key = operation_key(page)

    preview = movement(stack, token, key)["resumen"]
    code_step = page.locator("form.otp")
    expect(code_step.get_by_label(CODE_FIELD)).to_be_visible()
    authorised = code_step.get_by_role("region", name="Lo que estás autorizando")
    for shown in (
        preview["destino"]["nombre"],
        preview["destino"]["cuenta"],
        usd(preview["monto"]),
        usd(preview["comision"]),
        usd(preview["total"]),
        "Cuota del grupo transf-b",
    ):
        expect(authorised).to_contain_text(shown)
    assert preview["monto"] == "2.19"
    shot(page, "transfers-cooprogreso-otp")
    assert_accessible(page)

    code_step.get_by_label(CODE_FIELD).fill(stack.otp_after(GABRIEL_MOBILE, seen))
    confirm(page)
    expect(page.get_by_text("Tu operación se realizó con éxito.")).to_be_visible()
    expect(page.locator("main")).to_contain_text(usd(preview["total"]))


def test_interbank_to_a_bank_without_immediate_credit_ends_in_process(
    gabriel: Page, stack: Stack
) -> None:
    page = gabriel
    token = session_token(page)
    payee = slow_bank_payee(stack, token)
    page.goto("/banca/transferencias/interbancarias")
    note = page.get_by_text(re.compile("El tiempo de acreditación varía según el monto"))
    expect(note).to_contain_text("las demás procesarán hasta en 24 horas laborables")
    page.get_by_text("Instituciones con acreditación inmediata", exact=True).click()
    immediate = page.locator(".transf-instituciones li")
    expect(immediate.filter(has_text="BANCO PICHINCHA")).to_be_visible()
    expect(immediate.filter(has_text="BANCO BOLIVARIANO")).to_have_count(0)

    page.get_by_label("Cuenta de origen").select_option(GABRIEL_SAVINGS)
    page.get_by_label("Beneficiario").select_option(str(payee["id"]))
    expect(page.get_by_text("Acreditación en BANCO BOLIVARIANO")).to_contain_text(
        "hasta 24 horas laborables"
    )
    page.get_by_label("Monto").fill("3.05")
    page.get_by_label("Motivo").fill("Pago proveedor transf-c")
    shot(page, "transfers-interbank-form")
    assert_accessible(page)
    seen = stack.codes_so_far(GABRIEL_MOBILE)
    page.get_by_role("button", name="Continuar").click()
    operation_key(page)
    authorised = page.get_by_role("region", name="Lo que estás autorizando")
    expect(authorised).to_contain_text("BANCO BOLIVARIANO")
    expect(authorised).to_contain_text("Hasta 24 horas laborables")
    page.get_by_label(CODE_FIELD).fill(stack.otp_after(GABRIEL_MOBILE, seen))
    confirm(page)
    expect(
        page.get_by_text("Tu operación fue debitada y está en proceso de acreditación.")
    ).to_be_visible()
    expect(page.get_by_text("Acreditación estimada")).to_be_visible()
    expect(page.get_by_role("button", name="Actualizar estado")).to_be_visible()
    shot(page, "transfers-interbank-in-process")
    assert_accessible(page)


def test_closing_the_tab_and_signing_in_again_resumes_the_code_step(
    browser: Browser, stack: Stack
) -> None:
    first = browser.new_context(base_url=stack.base_url, viewport=DESKTOP, locale="es-EC")
    page = first.new_page()
    login(page, "gsilva", "Cooprogreso2025")
    payee = cooprogreso_payee(stack, session_token(page))
    page.goto("/banca/transferencias/cooprogreso")
    page.get_by_label("Cuenta de origen").select_option(GABRIEL_SAVINGS)
    page.get_by_label("Beneficiario").select_option(str(payee["id"]))
    page.get_by_label("Monto").fill("1.11")
    page.get_by_label("Motivo").fill("Reanudar transf-d")
    seen = stack.codes_so_far(GABRIEL_MOBILE)
    page.get_by_role("button", name="Continuar").click()
    key = operation_key(page)
    expect(page.get_by_label(CODE_FIELD)).to_be_visible()
    first.close()  # the tab is gone before the code was typed

    second = browser.new_context(base_url=stack.base_url, viewport=PHONE, locale="es-EC")
    try:
        page = second.new_page()
        login(page, "gsilva", "Cooprogreso2025")
        page.goto("/banca/transferencias")
        pending = page.get_by_role("region", name="Operaciones pendientes de confirmar")
        row = pending.get_by_role("listitem").filter(has_text="Reanudar transf-d")
        expect(row).to_have_count(1)
        # $1.11 + $0.36 commission + $0.05 IVA
        expect(row.get_by_role("heading")).to_have_text("Transferencia Cooprogreso de $1.52")
        expect(row).to_contain_text(MARIA_JOSE.savings_number[-4:])
        fits_phone_width(page)
        shot(page, "transfers-pending-phone")
        assert_accessible(page)

        row.get_by_role("link", name=re.compile("^Continuar")).click()
        expect(page).to_have_url(re.compile(rf"/banca/operaciones/{key}$"))
        authorised = page.get_by_role("region", name="Lo que estás autorizando")
        expect(authorised).to_contain_text("$1.11")
        page.get_by_label(CODE_FIELD).fill(stack.otp_after(GABRIEL_MOBILE, seen))
        confirm(page)
        expect(page.get_by_text("Tu operación se realizó con éxito.")).to_be_visible()
        fits_phone_width(page)

        status, still = call(stack, session_token(page), "GET", "/movements")
        assert status == 200 and key not in [p["id"] for p in still], still

        page.goto("/banca/transferencias/interbancarias")
        expect(page.get_by_label("Beneficiario")).to_be_visible()
        page.get_by_text("Instituciones con acreditación inmediata", exact=True).click()
        fits_phone_width(page)
        shot(page, "transfers-interbank-phone")
    finally:
        second.close()


def test_cancelling_on_the_code_step_moves_nothing(
    gabriel: Page, stack: Stack, second_savings: str
) -> None:
    page = gabriel
    token = session_token(page)
    before = balances(stack, token)
    page.goto("/banca/transferencias/mis-cuentas")
    page.get_by_label("Cuenta de origen").select_option(GABRIEL_SAVINGS)
    page.get_by_label("Monto").fill("4.44")
    page.get_by_label("Referencia").fill("Me arrepentí transf-e")
    page.get_by_role("button", name="Continuar").dblclick()  # one form, one key: one operation
    key = operation_key(page)
    expect(page.get_by_label(CODE_FIELD)).to_be_visible()
    mine = pending_with(stack, token, "Me arrepentí transf-e", key)
    assert mine == [key], mine
    page.get_by_role("button", name="Cancelar").click()
    expect(
        page.get_by_text("Cancelaste la operación. No se realizó ningún débito.")
    ).to_be_visible()
    shot(page, "transfers-cancelled")
    assert_accessible(page)
    assert balances(stack, token) == before

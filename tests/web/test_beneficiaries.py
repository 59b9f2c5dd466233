"""Administración de Beneficiarios in the browser: Gabriel registers a Cooprogreso and an
interbank beneficiary, finds them by service and by name (and with the table's "Buscar:"),
edits one in its dialog and deletes both at once with the checkboxes; every change is still
there after a reload (read again from the API)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from bank.core.db import make_engine, session_factory
from tests import factories as f
from tests.web.browser import PHONE, assert_accessible, fits_phone_width, shot
from tests.web.conftest import login
from tests.web.service_payments_support import call, session_token
from tests.web.stack import Stack

INTERBANK_NAME = "FERNANDO VILLACIS"
INTERBANK_EDITED = "FERNANDO JAVIER VILLACIS"
INTERBANK_ID = f.cedula(2_402_117)
INTERBANK_ACCOUNT = "3300718204"
"""This test's own payees (the seeded NANCY ORTIZ and JORGE PAREDES belong to the demo)."""


@dataclass(frozen=True)
class Payee:
    name: str
    identification: str
    account: str


@pytest.fixture(scope="module")
def payee(stack: Stack) -> Iterator[Payee]:
    """Another Cooprogreso member with an active savings account: a Cooprogreso beneficiary."""
    engine = make_engine(stack.database_url)
    with session_factory(engine)() as session, session.begin():
        member = f.make_member(session, first_names="ROSARIO ELENA", last_names="QUILUMBA PILCO")
        account = f.make_account(session, member)
        found = Payee("ROSARIO QUILUMBA", member.identification, account.number)
    engine.dispose()
    yield found


def rows(page: Page) -> Locator:
    return page.get_by_role("table", name="Beneficiarios").locator("tbody tr")


def search(page: Page, service: str, name: str = "") -> None:
    page.get_by_label("Servicio:").select_option(label=service)
    page.get_by_label("Nombre:").fill(name)
    page.get_by_role("button", name="Buscar", exact=True).click()


def test_search_create_edit_and_delete_beneficiaries(
    page: Page, stack: Stack, payee: Payee
) -> None:
    login(page, "gsilva", "Cooprogreso2025")
    page.get_by_role("link", name="Administración de Beneficiarios").click()
    expect(
        page.get_by_role("heading", name="Administración de Beneficiarios", level=1)
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"^\* Recuerda que para crear un Nuevo Beneficiario"))
    ).to_be_visible()
    expect(rows(page).filter(has_text="NANCY PATRICIA ORTIZ JARAMILLO")).to_have_count(1)
    assert_accessible(page)

    # "Nuevo Beneficiario +" needs a service first.
    page.get_by_role("button", name="Nuevo Beneficiario +").click()
    expect(
        page.get_by_text("Selecciona un servicio para crear un Nuevo Beneficiario.")
    ).to_be_visible()
    expect(page.get_by_label("Servicio:")).to_be_focused()

    # A Cooprogreso beneficiary: the API refuses Gabriel's own account, then takes Rosario's.
    page.get_by_label("Servicio:").select_option(label="Transferencias Cooprogreso")
    page.get_by_role("button", name="Nuevo Beneficiario +").click()
    dialog = page.get_by_role("dialog", name="Nuevo Beneficiario")
    expect(dialog).to_contain_text("Transferencias Cooprogreso")
    expect(dialog.get_by_label("Institución financiera")).to_have_count(0)
    dialog.get_by_label("Beneficiario").fill(payee.name)
    dialog.get_by_label("Tipo de identificación").select_option(label="Cédula")
    dialog.get_by_label("Identificación", exact=True).fill(payee.identification)
    dialog.get_by_label("Número de cuenta Cooprogreso").fill("410112060750")
    dialog.get_by_role("button", name="Registrar beneficiario").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "Esta cuenta es tuya: usa Transferencias a mis Cuentas."
    )
    dialog.get_by_label("Número de cuenta Cooprogreso").fill(payee.account)
    shot(page, "beneficiaries-new-cooprogreso")
    assert_accessible(page)
    dialog.get_by_role("button", name="Registrar beneficiario").click()
    expect(dialog).to_have_count(0)
    expect(
        page.get_by_role("status").filter(has_text=f"Registraste a {payee.name}")
    ).to_be_visible()

    # An interbank beneficiary: institution and account type from the API's list.
    page.get_by_label("Servicio:").select_option(label="Transferencias Interbancarias")
    page.get_by_role("button", name="Nuevo Beneficiario +").click()
    dialog = page.get_by_role("dialog", name="Nuevo Beneficiario")
    dialog.get_by_label("Beneficiario").fill(INTERBANK_NAME)
    dialog.get_by_label("Identificación", exact=True).fill(INTERBANK_ID)
    dialog.get_by_label("Institución financiera").select_option(label="BANCO GUAYAQUIL")
    dialog.get_by_label("Tipo de cuenta").select_option(label="Corriente")
    dialog.get_by_label("Número de cuenta").fill(INTERBANK_ACCOUNT)
    dialog.get_by_label("Correo electrónico (opcional)").fill("fernando.villacis@example.com")
    assert_accessible(page)
    dialog.get_by_role("button", name="Registrar beneficiario").click()
    expect(dialog).to_have_count(0)
    expect(
        page.get_by_role("status").filter(has_text=f"Registraste a {INTERBANK_NAME}")
    ).to_be_visible()

    # Buscar by service: only the interbank ones.
    search(page, "Transferencias Interbancarias")
    interbank = rows(page).filter(has_text=INTERBANK_NAME)
    expect(interbank).to_contain_text("Transferencias Interbancarias")
    expect(interbank).to_contain_text(f"BANCO GUAYAQUIL · Corriente {INTERBANK_ACCOUNT}")
    expect(rows(page).filter(has_text="JORGE PAREDES")).to_have_count(1)
    expect(rows(page).filter(has_text=payee.name)).to_have_count(0)
    expect(rows(page).filter(has_text="NANCY")).to_have_count(0)
    shot(page, "beneficiaries-search")
    # Buscar by name, any service, case and accents ignored.
    search(page, "TODOS LOS SERVICIOS", "quilumbá")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(payee.name)
    expect(rows(page).first).to_contain_text("Transferencias Cooprogreso")
    expect(rows(page).first).to_contain_text("Cédula")
    expect(rows(page).first).to_contain_text(payee.identification)
    # The table's own "Buscar:" box narrows what the search found.
    search(page, "TODOS LOS SERVICIOS")
    page.get_by_label("Buscar:").fill("villacis")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(INTERBANK_NAME)
    page.get_by_label("Buscar:").fill("")
    expect(rows(page).filter(has_text="JORGE PAREDES")).to_have_count(1)

    # Editar (the pencil): a new name, institution and account type.
    page.get_by_role("button", name=f"Editar a {INTERBANK_NAME}").click()
    dialog = page.get_by_role("dialog", name="Editar beneficiario")
    expect(dialog.get_by_label("Beneficiario")).to_have_value(INTERBANK_NAME)
    expect(dialog.get_by_label("Identificación", exact=True)).to_have_value(INTERBANK_ID)
    expect(dialog.get_by_label("Tipo de cuenta")).to_have_value("CORRIENTE")
    dialog.get_by_label("Beneficiario").fill(INTERBANK_EDITED)
    dialog.get_by_label("Institución financiera").select_option(label="PRODUBANCO")
    dialog.get_by_label("Tipo de cuenta").select_option(label="Ahorros")
    shot(page, "beneficiaries-edit")
    assert_accessible(page)
    dialog.get_by_role("button", name="Guardar cambios").click()
    expect(dialog).to_have_count(0)
    expect(
        page.get_by_role("status").filter(has_text=f"Actualizaste los datos de {INTERBANK_EDITED}")
    ).to_be_visible()

    # After a reload the edit is there (the page asks the API again).
    page.reload()
    edited = rows(page).filter(has_text=INTERBANK_EDITED)
    expect(edited).to_have_count(1)
    expect(edited).to_contain_text(f"PRODUBANCO · Ahorros {INTERBANK_ACCOUNT}")
    mine = {payee.account, INTERBANK_ACCOUNT}
    token = session_token(page)
    status, saved = call(stack, token, "GET", "/beneficiaries")
    assert status == 200, saved
    by_account = {b["cuenta"]: b for b in saved if b["cuenta"] in mine}
    assert by_account[INTERBANK_ACCOUNT]["nombre"] == INTERBANK_EDITED
    assert by_account[INTERBANK_ACCOUNT]["institucion_nombre"] == "PRODUBANCO"
    assert by_account[INTERBANK_ACCOUNT]["tipo_cuenta"] == "AHORROS"
    assert by_account[payee.account]["servicio"] == "COOPROGRESO"

    # At a phone's width the screen fits (the table scrolls in its own region).
    page.set_viewport_size(PHONE)
    fits_phone_width(page)
    shot(page, "beneficiaries-phone")

    # Eliminar both at once with the checkboxes, after a confirmation.
    delete = page.get_by_role("button", name="Eliminar", exact=True)
    expect(delete).to_be_disabled()
    page.get_by_role("checkbox", name=f"Seleccionar a {payee.name}").check()
    page.get_by_role("checkbox", name=f"Seleccionar a {INTERBANK_EDITED}").check()
    expect(page.get_by_text("2 seleccionados")).to_be_visible()
    delete.click()
    dialog = page.get_by_role("dialog", name="Eliminar beneficiarios")
    expect(dialog.get_by_role("listitem")).to_have_count(2)
    expect(dialog).to_contain_text(payee.name)
    expect(dialog).to_contain_text(INTERBANK_EDITED)
    assert_accessible(page)
    dialog.get_by_role("button", name="Eliminar", exact=True).click()
    expect(
        page.get_by_role("status").filter(has_text="Eliminaste 2 beneficiarios.")
    ).to_be_visible()
    expect(rows(page).filter(has_text=payee.name)).to_have_count(0)
    expect(rows(page).filter(has_text=INTERBANK_EDITED)).to_have_count(0)
    expect(rows(page).filter(has_text="JORGE PAREDES")).to_have_count(1)

    page.reload()
    expect(rows(page).filter(has_text="JORGE PAREDES")).to_have_count(1)
    expect(rows(page).filter(has_text=payee.name)).to_have_count(0)
    expect(rows(page).filter(has_text=INTERBANK_EDITED)).to_have_count(0)
    status, saved = call(stack, token, "GET", "/beneficiaries")
    assert status == 200 and not [b for b in saved if b["cuenta"] in mine], saved
    assert not page.errors  # type: ignore[attr-defined]

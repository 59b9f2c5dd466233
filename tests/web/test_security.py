"""A locked member recovers the password (identification → SMS code → a new temporary password
by email → forced change under the rules), then sees the open sessions and closes the others.
Afterwards the run's logs are searched for every password and code the member typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from bank.core.db import make_engine, session_factory
from tests import factories as f
from tests.web.api_client import API, ApiClient
from tests.web.browser import assert_accessible, shot
from tests.web.conftest import login
from tests.web.stack import Stack

NEW_PASSWORD = "Recupere2026Yo"


@dataclass(frozen=True)
class Locked:
    username: str
    identification: str
    mobile: str
    email: str


@pytest.fixture(scope="module")
def member(stack: Stack) -> Iterator[Locked]:
    """A member with a web banking user (password ``factories.PASSWORD``) and a savings account."""
    engine = make_engine(stack.database_url)
    with session_factory(engine)() as session, session.begin():
        person = f.make_member(session, first_names="JORGE LUIS", last_names="PILLAJO CHICAIZA")
        f.make_user(session, person, username="jpillajo")
        f.deposit(session, f.make_account(session, person), 12_000)
        assert person.mobile and person.email
        found = Locked("jpillajo", person.identification, person.mobile, person.email)
    engine.dispose()
    yield found


def test_a_locked_member_recovers_the_password_and_closes_the_other_sessions(
    page: Page, stack: Stack, member: Locked
) -> None:
    page.goto("/banca/ingreso")
    for _ in range(5):
        page.get_by_label("Usuario").fill(member.username)
        page.get_by_label("Contraseña").fill("NoEsMiClave1")
        page.get_by_role("button", name="Ingresar").click()
        expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Tu usuario está bloqueado")

    page.get_by_role("link", name="Recuperar clave").click()
    expect(page).to_have_url(re.compile("/banca/recuperar-clave$"))
    expect(page.get_by_text("Para recuperar tu clave, valida tu identidad")).to_be_visible()
    page.get_by_label("Número de cédula").fill(member.identification)
    seen = stack.codes_so_far(member.mobile)
    page.get_by_role("button", name="Continuar").click()
    code = stack.otp_after(member.mobile, seen)
    expect(page.get_by_text("Recuperación de clave de Cooprogreso en Línea")).to_be_visible()
    sms = next(m for m in stack.messages(member.mobile) if m.get("otp_code") == code)
    assert "es tu código para recuperar tu clave de Cooprogreso en Línea" in sms["text"]
    page.get_by_label("Código de seguridad (6 dígitos)").fill(code)
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_text("una nueva contraseña temporal")).to_be_visible()
    shot(page, "password-recovery-done")

    letter = stack.wait_message(
        lambda m: "nueva contraseña temporal" in (m.get("subject") or ""), to=member.email
    )
    assert "tu usuario quedó desbloqueado" in letter["text"]
    found = re.search(r"CONTRASEÑA TEMPORAL\W+(\S+)", letter["text"])
    assert found, letter["text"]
    temporary = found.group(1)

    login(page, member.username, temporary)
    expect(page).to_have_url(re.compile("/banca/cambiar-clave"))
    page.get_by_label("Contraseña actual").fill(temporary)
    page.get_by_label("Nueva contraseña", exact=True).fill("jpillajo2026X")
    page.get_by_label("Confirma la nueva contraseña").fill("jpillajo2026X")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("alert")).to_contain_text("No puede contener tu usuario.")
    page.get_by_label("Nueva contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirma la nueva contraseña").fill(NEW_PASSWORD)
    expect(page.get_by_label("Cerrar sesión en todos los demás dispositivos")).to_be_checked()
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_text("Tu contraseña fue actualizada correctamente.")).to_be_visible()
    page.get_by_role("link", name="Ir a mis productos").click()

    # Another session, opened elsewhere (a program): the member sees it and closes it.
    elsewhere = ApiClient.login(stack.url(API), member.username, NEW_PASSWORD)
    assert elsewhere.call("GET", "/position")[0] == 200
    page.get_by_role("link", name="Seguridad").click()
    expect(page).to_have_url(re.compile("/banca/seguridad$"))
    table = page.get_by_role("table", name="Sesiones abiertas")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_contain_text("Chrome en Linux (esta sesión)")
    expect(table.locator("tbody tr").nth(1)).to_contain_text("Aplicación o programa")
    assert_accessible(page)
    shot(page, "security-sessions")
    page.get_by_role("button", name="Cerrar sesión en todos los demás dispositivos").click()
    dialog = page.get_by_role("dialog", name="Cerrar las demás sesiones")
    expect(dialog).to_contain_text("Se cerrará 1 sesión en otros dispositivos.")
    dialog.get_by_role("button", name="Cerrar sesiones").click()
    expect(
        page.get_by_role("status").filter(has_text="Cerramos 1 sesión en otro dispositivo.")
    ).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(1)
    assert elsewhere.call("GET", "/position")[0] == 401
    elsewhere.close()

    for name in ("api", "worker", "temporal"):
        log = stack.log(name)
        for secret in (temporary, NEW_PASSWORD, "NoEsMiClave1"):
            assert secret not in log, f"a password in {name}.log"
        assert not re.search(rf"(?<![\d.:-]){code}(?![\d:-])", log), f"the code in {name}.log"

"""A new member's first visit: "Regístrate aquí", the temporary password, personalising it,
the consolidated position — and the session that ends after five idle minutes, with warning."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from bank.core.db import make_engine, session_factory
from tests import factories as f
from tests.web.browser import assert_accessible, shot
from tests.web.conftest import login
from tests.web.stack import Stack


@dataclass(frozen=True)
class NewMember:
    identification: str
    mobile: str
    email: str
    account: str


@pytest.fixture(scope="module")
def new_member(stack: Stack) -> Iterator[NewMember]:
    """A member of the cooperative with a savings account and no web banking user yet."""
    engine = make_engine(stack.database_url)
    with session_factory(engine)() as session, session.begin():
        member = f.make_member(session, first_names="ROSA ELENA", last_names="QUISHPE TOAPANTA")
        account = f.make_account(session, member)
        f.make_account(session, member, f.ProductType.CERTIFICATES)
        f.deposit(session, account, 25_000)
        assert member.mobile and member.email
        found = NewMember(member.identification, member.mobile, member.email, account.number)
    engine.dispose()
    yield found


def _credentials(stack: Stack, email: str) -> tuple[str, str]:
    message = stack.wait_message(lambda m: "CONTRASEÑA TEMPORAL" in (m.get("text") or ""), to=email)
    user = re.search(r"USUARIO\W+(\S+)", message["text"])
    password = re.search(r"CONTRASEÑA TEMPORAL\W+(\S+)", message["text"])
    assert user and password, message["text"]
    return user.group(1), password.group(1)


def test_enrol_change_the_temporary_password_and_see_the_position(
    page: Page, stack: Stack, new_member: NewMember
) -> None:
    page.goto("/banca/ingreso")
    page.get_by_role("link", name="Regístrate aquí").click()
    expect(page.get_by_role("heading", name="Regístrate en Cooprogreso en Línea")).to_be_visible()
    page.get_by_label("Número de cédula").fill(new_member.identification)
    assert_accessible(page)
    shot(page, "enrollment-identity")
    page.get_by_role("button", name="Continuar").click()

    code = stack.otp_after(new_member.mobile)
    expect(page.get_by_text("Estás autorizando")).to_be_visible()
    expect(page.get_by_text("Registro en Cooprogreso en Línea")).to_be_visible()
    page.get_by_label("Código de seguridad (6 dígitos)").fill(code)
    shot(page, "enrollment-otp")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_text("tu usuario y contraseña temporal").first).to_be_visible()

    username, temporary = _credentials(stack, new_member.email)
    login(page, username, temporary)
    expect(page).to_have_url(re.compile("/banca/cambiar-clave"))
    expect(page.get_by_text("Estás usando una contraseña temporal")).to_be_visible()
    page.get_by_label("Contraseña actual").fill(temporary)
    page.get_by_label("Nueva contraseña", exact=True).fill("corto")
    page.get_by_label("Confirma la nueva contraseña").fill("corto")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_text("no cumple la política de claves")).to_be_visible()
    shot(page, "password-change-refused")

    page.get_by_label("Nueva contraseña", exact=True).fill("Quishpe2026x")
    page.get_by_label("Confirma la nueva contraseña").fill("Quishpe2026x")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_text("Tu contraseña fue actualizada correctamente.")).to_be_visible()
    page.get_by_role("link", name="Ir a mis productos").click()
    expect(page.get_by_role("heading", name="Resumen de Productos")).to_be_visible()
    expect(page.get_by_text("ROSA ELENA QUISHPE TOAPANTA")).to_be_visible()
    expect(page.get_by_role("link", name=new_member.account)).to_be_visible()
    expect(page.get_by_text("$250.00").first).to_be_visible()

    page.get_by_role("button", name="SALIR").click()
    expect(page.get_by_text("Cerraste tu sesión de forma segura.")).to_be_visible()
    login(page, username, "Quishpe2026x")  # the second login shows the first one
    expect(
        page.get_by_text(re.compile(r"Última conexión: \d\dH\d\d / \d\d\.\d\d\.\d{4}"))
    ).to_be_visible()
    assert not page.errors  # type: ignore[attr-defined]


def test_idle_session_warns_a_minute_before_and_ends_at_five_minutes(
    page: Page, stack: Stack
) -> None:
    page.clock.install()
    login(page, "lchiluisa", "Cooprogreso2025")
    expect(page.get_by_role("heading", name="Resumen de Productos")).to_be_visible()

    page.clock.fast_forward("04:05")
    warning = page.get_by_role("alertdialog", name="Tu sesión está por expirar")
    expect(warning).to_be_visible()
    expect(
        warning.get_by_text(re.compile(r"se cerrará por inactividad en \d+ segundos"))
    ).to_be_visible()
    assert_accessible(page)
    shot(page, "session-expiry-warning")
    warning.get_by_role("button", name="Continuar conectado").click()
    expect(warning).to_be_hidden()

    page.clock.fast_forward("04:05")
    expect(warning).to_be_visible()
    page.clock.fast_forward("01:00")
    expect(page).to_have_url(re.compile(r"/banca/ingreso\?motivo=inactividad"))
    expect(page.get_by_text("tu sesión se cerró por inactividad")).to_be_visible()
    page.goto("/banca/productos")
    expect(page).to_have_url(re.compile("/banca/ingreso"))  # the token is gone with the session

"""Pago de Tarjetas in the browser: a Cooprogreso credit card's pago mínimo paid with the SMS
code (the code step shows the amount and the card beside the field; the card's debt and the
account's balance move to the cent), and another bank's card registered and paid "otro
valor"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bank.core.db import make_engine, session_factory
from tests import factories as f
from tests.web.browser import PHONE, assert_accessible, fits_phone_width, shot
from tests.web.conftest import login
from tests.web.service_payments_support import call, session_token, usd
from tests.web.stack import Stack

CARD = "513744XXXXXX4826"
MINIMUM = "97.31"
DEBT = "843.27"
OTHER_CARD = "4012 8888 8888 1881"
OTHER_AMOUNT = "63.18"


@dataclass(frozen=True)
class Payer:
    username: str
    mobile: str
    account: str
    due: date


@pytest.fixture(scope="module")
def payer(stack: Stack) -> Iterator[Payer]:
    """This test's own member: $1,250.00 in savings and a Mastercard owing $843.27."""
    due = date.today() + timedelta(days=20)
    engine = make_engine(stack.database_url)
    with session_factory(engine)() as session, session.begin():
        member = f.make_member(session, first_names="TERESA LUCIA", last_names="MONCAYO ARIAS")
        user = f.make_user(session, member, username="tmoncayo.tarjetas")
        account = f.make_account(session, member)
        f.deposit(session, account, 125_000)
        f.make_card(
            session,
            member,
            f.CardKind.CREDIT,
            masked_number=CARD,
            limit_cents=300_000,
            revolving_cents=84_327,
            minimum_cents=9_731,
            due=due,
        )
        assert member.mobile
        found = Payer(user.username, member.mobile, account.number, due)
    engine.dispose()
    yield found


def balances(stack: Stack, token: str, account: str) -> tuple[Decimal, Decimal]:
    """(saldo contable, saldo disponible) of ``account``, from the position."""
    status, position = call(stack, token, "GET", "/position")
    assert status == 200, position
    (row,) = [c for c in position["cuentas"] if c["numero"] == account]
    return Decimal(row["saldo_contable"]), Decimal(row["saldo_disponible"])


def payable(stack: Stack, token: str, number: str) -> dict[str, Any]:
    status, cards = call(stack, token, "GET", "/cards/payable")
    assert status == 200, cards
    (card,) = [c for c in cards if c["numero"] == number]
    return dict(card)


def movement(stack: Stack, token: str, page: Page) -> dict[str, Any]:
    """The operation the page is confirming (its key is in the address)."""
    found = re.search(r"/banca/operaciones/([A-Za-z0-9_-]+)$", page.url)
    assert found, page.url
    status, answer = call(stack, token, "GET", f"/movements/{found.group(1)}")
    assert status == 200, answer
    return dict(answer)


def test_pay_the_minimum_of_a_cooprogreso_card(page: Page, stack: Stack, payer: Payer) -> None:
    login(page, payer.username, f.PASSWORD)
    page.get_by_role("link", name="Tarjetas Cooprogreso").click()
    expect(
        page.get_by_role("heading", name="Pago de Tarjetas Cooprogreso", level=1)
    ).to_be_visible()
    row = page.get_by_role("table", name="Tarjetas de Crédito Cooprogreso").locator("tbody tr")
    expect(row).to_have_count(1)
    for text in (CARD, usd(MINIMUM), usd(DEBT), payer.due.strftime("%d/%m/%Y")):
        expect(row).to_contain_text(text)
    token = session_token(page)
    before_debt = Decimal(payable(stack, token, CARD)["pago_total"])
    before_balance = balances(stack, token, payer.account)
    assert before_debt == Decimal(DEBT)

    # The only card is chosen; the only savings account too.
    expect(
        page.get_by_role("heading", name=f"Pagar tarjeta Mastercard Estandar {CARD}")
    ).to_be_visible()
    expect(page.get_by_label("Cuenta a debitar")).to_have_value(payer.account)
    values = page.get_by_role("group", name="Valor a pagar")
    expect(values.get_by_role("radio")).to_have_count(3)
    expect(values.get_by_role("radio", name=f"Pago total {usd(DEBT)}")).to_be_visible()
    values.get_by_role("radio", name=f"Pago mínimo {usd(MINIMUM)}").check()
    shot(page, "cards-cooprogreso")
    assert_accessible(page)

    seen = stack.codes_so_far(payer.mobile)
    page.get_by_role("button", name="Continuar").click()
    expect(page).to_have_url(re.compile(r"/banca/operaciones/[A-Za-z0-9_-]+$"))
    otp = page.locator("form.otp")
    code = otp.get_by_label("Código de seguridad (6 dígitos)")
    expect(code).to_be_visible()
    authorised = otp.get_by_role("region", name="Lo que estás autorizando")
    expect(authorised).to_contain_text(f"Mastercard Estandar {CARD}")
    expect(authorised).to_contain_text(usd(MINIMUM))
    preview = movement(stack, token, page)["resumen"]
    assert preview["monto"] == MINIMUM, preview
    expect(authorised).to_contain_text(usd(preview["total"]))
    code.fill(stack.otp_after(payer.mobile, seen))
    shot(page, "cards-cooprogreso-otp")
    assert_accessible(page)
    otp.get_by_role("button", name="Continuar").click()
    expect(page.get_by_text("Tu operación se realizó con éxito.")).to_be_visible(timeout=40_000)
    expect(page.locator("main")).to_contain_text(usd(MINIMUM))
    assert_accessible(page)

    # The card owes the minimum less; the account paid the total the code authorised.
    after_debt = Decimal(payable(stack, token, CARD)["pago_total"])
    after_balance = balances(stack, token, payer.account)
    assert before_debt - after_debt == Decimal(MINIMUM)
    total = Decimal(preview["total"])
    assert total == Decimal(MINIMUM) + Decimal(preview["comision"]) + Decimal(preview["iva"])
    assert [b - a for b, a in zip(before_balance, after_balance, strict=True)] == [total, total]
    # and the screen says so when the member comes back.
    page.goto("/banca/tarjetas/cooprogreso")
    expect(page.get_by_role("table", name="Tarjetas de Crédito Cooprogreso")).to_contain_text(
        usd(str(after_debt))
    )
    assert not page.errors  # type: ignore[attr-defined]


def test_register_another_banks_card_and_pay_another_amount(
    page: Page, stack: Stack, payer: Payer
) -> None:
    login(page, payer.username, f.PASSWORD)
    page.get_by_role("link", name="Otros Bancos").click()
    expect(
        page.get_by_role("heading", name="Pago de Tarjetas de Otros Bancos", level=1)
    ).to_be_visible()
    expect(page.get_by_text("Aún no tienes tarjetas de otros bancos registradas.")).to_be_visible()
    assert_accessible(page)

    # Registrar tarjeta: a number failing its check digit is refused with the API's message.
    page.get_by_role("button", name="Registrar tarjeta").click()
    page.get_by_label("Institución financiera").select_option(label="BANCO PICHINCHA")
    page.get_by_label("Número de tarjeta").fill("4012 8888 8888 1882")
    page.get_by_label("Titular de la tarjeta").fill("TERESA MONCAYO")
    page.get_by_role("button", name="Registrar", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("El número de tarjeta no es válido.")
    page.get_by_label("Número de tarjeta").fill(OTHER_CARD)
    assert_accessible(page)
    page.get_by_role("button", name="Registrar", exact=True).click()
    masked = "**** **** **** 1881"
    expect(page.get_by_role("status").filter(has_text="Registraste la tarjeta")).to_contain_text(
        f"VISA {masked} de BANCO PICHINCHA"
    )
    listed = page.get_by_role("table", name="Tarjetas de otros bancos registradas")
    expect(listed.locator("tbody tr")).to_have_count(1)
    expect(listed).to_contain_text("TERESA MONCAYO")
    expect(listed).not_to_contain_text(OTHER_CARD)

    # The new card's payment: the amount the member types ("otro valor").
    expect(page.get_by_role("heading", name=f"Pagar tarjeta VISA {masked}")).to_be_visible()
    token = session_token(page)
    before = balances(stack, token, payer.account)
    page.get_by_label("Monto a pagar").fill(OTHER_AMOUNT)
    page.set_viewport_size(PHONE)
    fits_phone_width(page)
    shot(page, "cards-other-phone")
    seen = stack.codes_so_far(payer.mobile)
    page.get_by_role("button", name="Continuar").click()
    otp = page.locator("form.otp")
    expect(otp.get_by_label("Código de seguridad (6 dígitos)")).to_be_visible()
    authorised = otp.get_by_role("region", name="Lo que estás autorizando")
    preview = movement(stack, token, page)["resumen"]
    assert preview["monto"] == OTHER_AMOUNT, preview
    for text in (masked, "BANCO PICHINCHA", "TERESA MONCAYO", usd(OTHER_AMOUNT)):
        expect(authorised).to_contain_text(text)
    expect(authorised).to_contain_text(usd(preview["comision"]))
    expect(authorised).to_contain_text(usd(preview["total"]))
    otp.get_by_label("Código de seguridad (6 dígitos)").fill(stack.otp_after(payer.mobile, seen))
    shot(page, "cards-other-otp")
    assert_accessible(page)
    otp.get_by_role("button", name="Continuar").click()
    expect(page.get_by_text("Operación realizada")).to_be_visible(timeout=40_000)
    after = balances(stack, token, payer.account)
    total = Decimal(preview["total"])
    assert [b - a for b, a in zip(before, after, strict=True)] == [total, total]

    # The registration stays: after signing in again the card is still listed.
    page.get_by_role("button", name="SALIR").click()
    login(page, payer.username, f.PASSWORD)
    page.goto("/banca/tarjetas/otros-bancos")
    listed = page.get_by_role("table", name="Tarjetas de otros bancos registradas")
    row = listed.locator("tbody tr").filter(has_text=masked)
    expect(row).to_have_count(1)
    for text in ("BANCO PICHINCHA", "VISA", "TERESA MONCAYO"):
        expect(row).to_contain_text(text)
    assert not page.errors  # type: ignore[attr-defined]

"""Diferido de tarjetas (manual §5) and the credit card's detail (§1), in Chromium, as Gabriel.

A new $150.00 purchase arrives from the card network (the dev simulator). Gabriel sees it
among his card's consumos, then defers $120.00 of it: he chooses the card and the purchase,
is refused more than the purchase, simulates 12 months (with interest) and 6 months
(interest-free, $20.00 a month), confirms with the SMS code after closing the tab and typing
a wrong code, finds it among the Diferidos vigentes, cannot defer it twice, precancels it and
pays the $150.00 from his savings with Pago de Tarjetas Cooprogreso. Each time the card is
looked at, revolving + deferred + available is its limit; the figures end as the demo's,
which test_products.py expects.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.web.browser import DESKTOP, PHONE, assert_accessible, fits_phone_width, shot
from tests.web.conftest import login
from tests.web.service_payments_support import call, local_date_time, session_token, usd
from tests.web.stack import Stack

USER, PASSWORD, MOBILE = "gsilva", "Cooprogreso2025", "0998765432"
SAVINGS, CARD = "410112060750", "513744XXXXXX0395"
CARD_NAME = f"Mastercard Estandar {CARD}"
LIMIT, REVOLVING, DEFERRED = Decimal("10000.00"), Decimal("1538.14"), Decimal("7597.38")
MERCHANT, PURCHASE, PART = "LIBRERIA STUDIUM QUICENTRO", Decimal("15.00"), Decimal("12.00")


def day(value: str) -> str:
    """ "2026-12-25" → "25/12/2026"."""
    return date.fromisoformat(value).strftime("%d/%m/%Y")


def at_phone_width(page: Page, name: str) -> None:
    page.set_viewport_size(PHONE)
    fits_phone_width(page)
    shot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def row_of(table: Locator, text: str) -> Locator:
    row = table.locator("tbody tr").filter(has_text=text)
    expect(row).to_have_count(1)
    return row


def figure(summary: Locator, label: str) -> Locator:
    return summary.locator(".resumen-fila").filter(has=summary.page.get_by_text(label, exact=True))


def amount(summary: Locator, label: str) -> Decimal:
    text = figure(summary, label).locator("dd").inner_text().strip()
    assert re.fullmatch(r"\$[\d,]+\.\d{2}", text), (label, text)
    return Decimal(text.removeprefix("$").replace(",", ""))


def expect_figures(summary: Locator, revolving: Decimal, deferred: Decimal, available: str) -> None:
    """The card's balances as expected, and revolving + deferred + available = the limit."""
    expect(figure(summary, "Utilizado rotativo").locator("dd")).to_have_text(usd(str(revolving)))
    expect(figure(summary, "Utilizado diferido").locator("dd")).to_have_text(usd(str(deferred)))
    total = amount(summary, "Cupo total")
    assert total == LIMIT
    assert revolving + deferred + amount(summary, available) == total


def look_at_card(page: Page, card_id: int, revolving: Decimal, deferred: Decimal) -> None:
    """The card's detail: its figures add up; consumo hasta la fecha is revolving + deferred."""
    page.goto(f"/banca/productos/tarjetas/{card_id}")
    summary = page.get_by_role("region", name=CARD_NAME)
    expect_figures(summary, revolving, deferred, "Disponibles")
    assert amount(summary, "Consumo hasta la fecha") == revolving + deferred


def confirm_code(page: Page, code: str) -> None:
    otp = page.locator("form.otp")
    otp.get_by_label("Código de seguridad (6 dígitos)").fill(code)
    otp.get_by_role("button", name=re.compile("^(Confirmar diferido|Continuar)$")).click()


def test_member_defers_part_of_a_purchase_precancels_it_and_pays_it(
    page: Page, stack: Stack
) -> None:
    login(page, USER, PASSWORD)
    token = session_token(page)
    status, position = call(stack, token, "GET", "/position")
    assert status == 200, position
    card_id = next(t["id"] for t in position["tarjetas"] if t["numero"] == CARD)

    # The card's detail: the demo figures, its consumos and its estados de cuenta.
    look_at_card(page, card_id, REVOLVING, DEFERRED)
    purchases = page.get_by_role("table", name="Consumos de la tarjeta")
    expect(row_of(purchases, "SUPERMAXI EL BOSQUE").locator("td").nth(2)).to_have_text("$245.67")
    expect(row_of(purchases, "SUPERMAXI EL BOSQUE").locator("td").nth(3)).to_have_text("No")
    expect(row_of(purchases, "ALMACENES JAPON").locator("td").nth(3)).to_have_text("Sí, a 24 meses")
    expect(row_of(purchases, "COMPUTRON").locator("td").nth(3)).to_have_text("Sí, a 12 meses")
    status, statements = call(stack, token, "GET", f"/cards/{card_id}/statements")
    assert status == 200, statements
    if statements["estados"]:
        latest = statements["estados"][0]
        listed = page.get_by_role("table", name="Estados de cuenta").locator("tbody tr").first
        for text in (usd(latest["total_a_pagar"]), usd(latest["pago_minimo"])):
            expect(listed).to_contain_text(text)
        with page.expect_download() as download_info:
            listed.get_by_role("button", name=re.compile("^Descargar PDF")).click()
        download = download_info.value
        assert download.suggested_filename == f"estado-de-cuenta-{latest['corte']}.pdf"
        assert Path(download.path()).read_bytes().startswith(b"%PDF")
    else:
        expect(page.get_by_text("Aún no tienes estados de cuenta de esta tarjeta.")).to_be_visible()
    assert_accessible(page)
    shot(page, "deferrals-card-detail")
    at_phone_width(page, "deferrals-card-detail")

    # A purchase from the card network: on the revolving balance, out of the available.
    status, bought = call(
        stack,
        token,
        "POST",
        f"/dev/cards/{card_id}/purchases",
        {"comercio": MERCHANT, "monto": str(PURCHASE)},
    )
    assert status == 201, bought
    look_at_card(page, card_id, REVOLVING + PURCHASE, DEFERRED)
    newest = page.get_by_role("table", name="Consumos de la tarjeta").locator("tbody tr").first
    expect(newest.locator("td")).to_have_text(
        [local_date_time(bought["fecha"])[:10], MERCHANT, usd(str(PURCHASE)), "No"]
    )

    # Diferir consumos → the card is chosen; the purchase offers "Diferir", the deferred don't.
    page.get_by_role("link", name="Diferir consumos").click()
    expect(page).to_have_url(re.compile(rf"/banca/diferidos\?tarjeta={card_id}$"))
    expect(page.get_by_role("heading", name="Diferido de tarjetas", level=1)).to_be_visible()
    expect(page.get_by_label("Tarjeta a la que aplicarás el diferido")).to_have_value(str(card_id))
    card_box = page.locator('dl[aria-label="Cupo de la tarjeta"]')
    expect_figures(card_box, REVOLVING + PURCHASE, DEFERRED, "Cupo disponible")
    to_defer = page.get_by_role("table", name="Consumos de la tarjeta")
    expect(row_of(to_defer, "ALMACENES JAPON").get_by_role("button")).to_have_count(0)
    expect(row_of(to_defer, "ALMACENES JAPON")).to_contain_text("Ya diferido")
    assert_accessible(page)
    shot(page, "deferrals-purchases")
    at_phone_width(page, "deferrals-purchases")
    row_of(to_defer, MERCHANT).get_by_role("button", name=re.compile("^Diferir")).click()

    # Simula: more than the purchase is refused with the API's words.
    simulation = page.get_by_role("region", name="Simula tu diferido")
    expect(simulation.get_by_label("Monto a diferir")).to_have_value(str(PURCHASE))
    simulation.get_by_label("Monto a diferir").fill("200.00")
    simulation.get_by_label("Plazo").select_option("6")
    simulation.get_by_role("button", name="Simular").click()
    status, refusal = call(
        stack,
        token,
        "POST",
        f"/cards/{card_id}/deferrals/simulate",
        {"consumo_id": bought["id"], "monto": "200.00", "plazo_meses": 6},
    )
    assert status == 422 and refusal["code"] == "MONTO_INVALIDO", refusal
    expect(simulation.get_by_role("alert")).to_contain_text(refusal["message"])

    # 12 months: with interest, each figure the API's.
    simulation.get_by_label("Monto a diferir").fill(str(PART))
    simulation.get_by_label("Plazo").select_option("12")
    simulation.get_by_role("button", name="Simular").click()
    status, twelve = call(
        stack,
        token,
        "POST",
        f"/cards/{card_id}/deferrals/simulate",
        {"consumo_id": bought["id"], "monto": str(PART), "plazo_meses": 12},
    )
    assert status == 200 and not twelve["sin_intereses"], twelve
    assert Decimal(twelve["total_intereses"]) > 0
    result = page.get_by_role("region", name="Tu simulación")
    for label, value in [
        ("Cuota mensual", usd(twelve["cuota"])),
        ("Tasa de interés", f"{twelve['tasa_anual']}% nominal anual"),
        ("Tasa efectiva anual", f"{twelve['tasa_efectiva']}%"),
        ("Total intereses", usd(twelve["total_intereses"])),
        ("Total a pagar", usd(twelve["total_a_pagar"])),
    ]:
        expect(figure(result, label).locator("dd")).to_have_text(value)
    installments = result.get_by_role("table", name="Cuotas del diferido")
    expect(installments.locator("tbody tr")).to_have_count(12)
    first = twelve["tabla"][0]
    expect(installments.locator("tbody tr").first.locator("td")).to_have_text(
        ["1", day(first["corte"])]
        + [usd(first[k]) for k in ("capital", "interes", "cuota", "saldo")]
    )
    shot(page, "deferrals-simulation-12")

    # 6 months interest-free: $2.00 each month; another term hides the last table first.
    simulation.get_by_label("Plazo").select_option("6")
    expect(result).to_have_count(0)
    simulation.get_by_role("button", name="Simular").click()
    expect(figure(result, "Tasa de interés").locator("dd")).to_have_text("Sin intereses")
    expect(figure(result, "Cuota mensual").locator("dd")).to_have_text("$2.00")
    expect(figure(result, "Total intereses").locator("dd")).to_have_text("$0.00")
    expect(figure(result, "Total a pagar").locator("dd")).to_have_text("$12.00")
    expect(installments.locator("tbody tr")).to_have_count(6)
    expect(installments.locator("tbody td[data-label='Cuota']")).to_have_text(["$2.00"] * 6)
    assert_accessible(page)
    shot(page, "deferrals-simulation-6")
    at_phone_width(page, "deferrals-simulation-6")

    # The code: what it authorises beside it; the tab closed and opened finds the same step.
    seen = stack.codes_so_far(MOBILE)
    result.get_by_role("button", name="Continuar").click()
    authorised = page.locator("form.otp").get_by_role("region", name="Lo que estás autorizando")
    for text in (CARD, MERCHANT, "$12.00", "6 meses", "Sin intereses", "$2.00"):
        expect(authorised).to_contain_text(text)
    code = stack.otp_after(MOBILE, seen)
    page.reload()
    expect(authorised).to_contain_text(MERCHANT)
    assert_accessible(page)
    shot(page, "deferrals-otp")
    at_phone_width(page, "deferrals-otp")
    confirm_code(page, "000000" if code != "000000" else "111111")
    expect(page.get_by_role("alert")).to_have_text(
        "El código ingresado es incorrecto. Te quedan 4 intentos."
    )
    expect(page.get_by_text("Intentos restantes: 4")).to_be_visible()
    confirm_code(page, code)
    expect(page.get_by_role("heading", name="Diferido realizado")).to_be_focused()
    done = page.locator('dl[aria-label="Detalle del diferido"]')
    expect(figure(done, "Monto diferido").locator("dd")).to_have_text("$12.00")
    expect(figure(done, "Cuota mensual").locator("dd")).to_have_text("$2.00")
    expect(
        page.get_by_role("region", name="Diferido realizado").get_by_role("status")
    ).to_be_visible()
    shot(page, "deferrals-done")

    # Diferidos vigentes lists it; the purchase cannot be deferred again.
    active = page.get_by_role("table", name="Diferidos vigentes")
    mine = row_of(active, MERCHANT)
    for text in ("$12.00", "6 meses", "Sin intereses", "$2.00", "0 de 6"):
        expect(mine).to_contain_text(text)
    expect_figures(card_box, REVOLVING + PURCHASE - PART, DEFERRED + PART, "Cupo disponible")
    page.get_by_role("button", name="Aceptar").click()
    again = row_of(page.get_by_role("table", name="Consumos de la tarjeta"), MERCHANT)
    expect(again).to_contain_text("Sí, a 6 meses")
    expect(again.get_by_role("button")).to_have_count(0)
    status, refusal = call(
        stack,
        token,
        "POST",
        f"/cards/{card_id}/deferrals/simulate",
        {"consumo_id": bought["id"], "monto": "30.00", "plazo_meses": 3},
    )
    assert status == 422 and refusal["code"] == "CONSUMO_YA_DIFERIDO", refusal

    # Precancelar, after the dialog: the pending principal back on the revolving balance.
    mine.get_by_role("button", name=f"Precancelar el diferido de {MERCHANT}").click()
    dialog = page.get_by_role("dialog", name="Precancelar diferido")
    expect(dialog).to_contain_text("$12.00")
    expect(dialog).to_contain_text("sin intereses futuros")
    assert_accessible(page)
    shot(page, "deferrals-payoff-dialog")
    dialog.get_by_role("button", name="Precancelar").click()
    told = page.get_by_role("status").filter(has_text="Diferido precancelado")
    expect(told).to_contain_text("Capital trasladado a tu saldo rotativo: $12.00")
    expect(active.locator("tbody tr").filter(has_text=MERCHANT)).to_have_count(0)
    expect_figures(card_box, REVOLVING + PURCHASE, DEFERRED, "Cupo disponible")
    status, listed = call(stack, token, "GET", f"/cards/{card_id}/deferrals")
    assert status == 200, listed
    (paid_off,) = [d for d in listed["diferidos"] if d["consumo_id"] == bought["id"]]
    assert paid_off["estado"] == "PRECANCELADO", paid_off
    assert_accessible(page)
    shot(page, "deferrals-paid-off")
    at_phone_width(page, "deferrals-paid-off")
    look_at_card(page, card_id, REVOLVING + PURCHASE, DEFERRED)

    # Pago de Tarjetas Cooprogreso, "otro valor": the $150.00; the demo figures again.
    page.goto("/banca/tarjetas/cooprogreso")
    page.get_by_role("button", name=f"Pagar la tarjeta {CARD}").click()
    page.get_by_label("Cuenta a debitar").select_option(SAVINGS)
    page.get_by_role("group", name="Valor a pagar").get_by_role("radio", name="Otro valor").check()
    page.get_by_label("Otro valor a pagar").fill(str(PURCHASE))
    seen = stack.codes_so_far(MOBILE)
    page.get_by_role("button", name="Continuar").click()
    expect(page).to_have_url(re.compile(r"/banca/operaciones/[A-Za-z0-9_-]+$"))
    expect(page.locator("form.otp")).to_contain_text(usd(str(PURCHASE)))
    confirm_code(page, stack.otp_after(MOBILE, seen))
    expect(page.get_by_text("Tu operación se realizó con éxito.")).to_be_visible(timeout=40_000)
    look_at_card(page, card_id, REVOLVING, DEFERRED)
    shot(page, "deferrals-card-after")
    assert not page.errors  # type: ignore[attr-defined]

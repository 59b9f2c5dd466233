"""Productos (manual §1) in the browser: Resumen de Productos, Detalle de Movimientos, Detalle
de cuenta, Detalle de Préstamos, Inversiones and Tarjeta de Crédito, as Gabriel (gsilva).

Figures a member's own operations can move (savings balances, card figures, the next
installment) are read from the API through the same session; the ones nothing moves
(certificates, the loan's amount, the investment) are the demo data's, to the cent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from bank.core.db import make_engine, session_factory
from tests import factories as f
from tests.web.browser import PHONE, assert_accessible, fits_phone_width, shot
from tests.web.conftest import login
from tests.web.stack import Stack

USER, PASSWORD = "gsilva", "Cooprogreso2025"
SAVINGS, CERTIFICATES, LOAN = "410112060750", "410112060768", "0118958000"
NANCYS_SAVINGS = "410112087341"
NOT_FOUND = "No encontramos el producto solicitado."


def money(value: str | None) -> str:
    """The manual's way of writing money: "1538.14" → "$1,538.14", "-5.50" → "-$5.50"."""
    assert value is not None
    amount = Decimal(value)
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


def day(value: str) -> str:
    """ "2025-02-05" → "05/02/2025"."""
    return date.fromisoformat(value).strftime("%d/%m/%Y")


def today_in_ecuador() -> date:
    return datetime.now(ZoneInfo("America/Guayaquil")).date()


def api_json(page: Page, path: str) -> Any:
    """GET /api/v1<path> with the session the page holds (what the screen itself reads)."""
    token = page.evaluate("() => JSON.parse(sessionStorage.getItem('coop.sesion')).token")
    response = page.request.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    assert response.ok, response.text()
    return response.json()


def row_of(table: Locator, text: str) -> Locator:
    row = table.locator("tbody tr").filter(has_text=text)
    expect(row).to_have_count(1)
    return row


def expect_rows(table: Locator, rows: list[list[str]]) -> None:
    """The table's body, cell by cell."""
    expect(table.locator("tbody tr")).to_have_count(len(rows))
    for index, cells in enumerate(rows):
        expect(table.locator("tbody tr").nth(index).locator("td")).to_have_text(cells)


def movement_cells(movements: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [day(m["fecha"]), m["descripcion"], m["tipo"], money(m["monto"]), money(m["saldo"])]
        for m in movements
    ]


def no_errors(page: Page) -> None:
    assert not page.errors  # type: ignore[attr-defined]


def test_position_shows_the_four_tables_and_shares_an_account(page: Page, stack: Stack) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.base_url)
    login(page, USER, PASSWORD)
    expect(page.get_by_role("heading", name="Resumen de Productos", level=1)).to_be_visible()
    position = api_json(page, "/position")
    savings = next(c for c in position["cuentas"] if c["numero"] == SAVINGS)
    loan = next(p for p in position["prestamos"] if p["numero"] == LOAN)
    investment = next(i for i in position["inversiones"] if i["numero"] == "0010")
    credit = next(t for t in position["tarjetas"] if t["numero"] == "513744XXXXXX0395")

    accounts = page.get_by_role("table", name="Cuentas")
    expect(row_of(accounts, SAVINGS).locator("td")).to_have_text(
        [
            SAVINGS,
            "CUENTA DE AHORROS",
            "ACTIVO",
            money(savings["saldo_contable"]),
            money(savings["saldo_disponible"]),
            "Compartir",
        ]
    )
    expect(row_of(accounts, CERTIFICATES).locator("td")).to_have_text(
        [CERTIFICATES, "CERTIFICADOS DE APORTACION", "ACTIVO", "$432.90", "$0.00", "Compartir"]
    )
    expect(accounts.get_by_role("link", name=SAVINGS)).to_have_attribute(
        "href", f"/banca/productos/cuentas/{SAVINGS}"
    )

    loans = page.get_by_role("table", name="Préstamos")
    expect(loans.locator("thead th")).to_have_text(
        [
            "Número",
            "Descripción",
            "Monto",
            "Saldo de capital",
            "Valor a Pagar",
            "Próximo pago",
            "Fecha de emisión",
            "Status",
        ]
    )
    expect(row_of(loans, LOAN).locator("td")).to_have_text(
        [
            LOAN,
            "CONSUMO PRIORITARIO ROL DE PAGOS",
            "$13,750.00",
            "$13,750.00",
            money(loan["valor_a_pagar"]),
            day(loan["proximo_pago"]),
            day(loan["fecha_emision"]),
            "Vigente",
        ]
    )
    expect(loans.get_by_role("link", name=LOAN)).to_have_attribute(
        "href", f"/banca/productos/creditos/{LOAN}"
    )

    investments = page.get_by_role("table", name="Inversiones")
    expect(row_of(investments, "0010").locator("td")).to_have_text(
        [
            "0010",
            "$10,000.00",
            day(investment["fecha_emision"]),
            day(investment["fecha_vencimiento"]),
            "7.90%",
            "365",
            "$219.44",
            "$0.00",
        ]
    )

    cards = page.get_by_role("table", name="Tarjetas")
    expect(cards.locator("thead th")).to_have_text(
        [
            "Marca",
            "Número",
            "Utilizado rotativo",
            "Pago Mínimo",
            "Fecha Max. de pago",
            "Utilizado Diferido",
            "Cupo Disponible",
        ]
    )
    expect(row_of(cards, "513744XXXXXX0395").locator("td")).to_have_text(
        [
            "Mastercard Estandar",
            "513744XXXXXX0395",
            money(credit["utilizado_rotativo"]),
            money(credit["pago_minimo"]),
            day(credit["fecha_max_pago"]),
            money(credit["utilizado_diferido"]),
            money(credit["cupo_disponible"]),
        ]
    )
    expect(cards.get_by_role("link", name="513744XXXXXX0395")).to_have_attribute(
        "href", f"/banca/productos/tarjetas/{credit['id']}"
    )
    debit = row_of(cards, "550975XXXXXX7023").locator("td")
    expect(debit.nth(0)).to_have_text("MC Débito")
    expect(debit.nth(1)).to_have_text("550975XXXXXX7023")
    expect(debit.nth(2)).to_contain_text("No aplica")
    expect(cards.get_by_role("link", name="550975XXXXXX7023")).to_have_count(0)
    assert_accessible(page)
    shot(page, "products-position")

    share_button = page.get_by_role("button", name=f"Compartir cuenta {SAVINGS}")
    share_button.click()
    dialog = page.get_by_role("dialog", name="Compartir cuenta")
    expect(dialog).to_contain_text("GABRIEL ANDRES SILVA PAREDES")
    expect(dialog).to_contain_text("Cooprogreso Cooperativa de Ahorro y Crédito")
    expect(dialog).to_contain_text("CUENTA DE AHORROS")
    expect(dialog).to_contain_text(SAVINGS)
    expect(dialog).to_contain_text("XXXXXX2939")
    shared = api_json(page, f"/accounts/{SAVINGS}/share")
    expect(dialog.get_by_label("Texto para compartir")).to_have_value(shared["texto"])
    assert_accessible(page)
    dialog.get_by_role("button", name="Copiar").click()
    expect(dialog.get_by_text("¡Datos copiados!")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == shared["texto"]
    shot(page, "products-position-share")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(share_button).to_be_focused()
    no_errors(page)


def test_account_detail_last_movements_and_debit_card(page: Page) -> None:
    login(page, USER, PASSWORD)
    page.get_by_role("table", name="Cuentas").get_by_role("link", name=SAVINGS).click()
    expect(page).to_have_url(re.compile(rf"/banca/productos/cuentas/{SAVINGS}$"))
    expect(page.get_by_role("heading", name="Detalle de cuenta", level=1)).to_be_visible()
    expect(
        page.get_by_text(f"Cuenta: {SAVINGS} - CUENTA DE AHORROS - USD - COOPROGRESO")
    ).to_be_visible()
    detail = api_json(page, f"/accounts/{SAVINGS}")
    assert len(detail["ultimos_movimientos"]) == 10

    movements_tab = page.get_by_role("tab", name="Últimos Movimientos")
    cards_tab = page.get_by_role("tab", name="Tarjeta débito")
    expect(movements_tab).to_have_attribute("aria-selected", "true")
    table = page.get_by_role("tabpanel", name="Últimos Movimientos").get_by_role(
        "table", name="Movimientos"
    )
    expect(table.locator("thead th")).to_have_text(
        ["Fecha", "Descripción de la transacción", "Tipo de movimiento", "Monto", "Saldo"]
    )
    expect_rows(table, movement_cells(detail["ultimos_movimientos"]))
    assert_accessible(page)
    shot(page, "products-account")

    movements_tab.focus()
    page.keyboard.press("ArrowRight")
    expect(cards_tab).to_be_focused()
    expect(cards_tab).to_have_attribute("aria-selected", "true")
    panel = page.get_by_role("tabpanel", name="Tarjeta débito")
    cards = panel.get_by_role("table", name="Tarjetas")
    expect_rows(cards, [["MC Débito", "550975XXXXXX7023", "Activa"]])
    cards.get_by_role("button", name="550975XXXXXX7023").click()
    change = panel.get_by_role("button", name="Cambiar clave")
    recover = panel.get_by_role("button", name="Recuperar clave")
    expect(change).to_be_visible()
    expect(recover).to_be_visible()
    expect(panel.get_by_role("button", name="Cancelar")).to_be_visible()
    expect(panel.get_by_text("Tu tarjeta tiene una clave activa.")).to_be_visible()
    change.click()  # the whole change is driven in test_card_pins.py
    expect(panel.get_by_role("heading", name="Cambiar clave")).to_be_visible()
    panel.locator("form.form-clave").get_by_role("button", name="Cancelar").click()
    expect(change).to_be_visible()
    assert_accessible(page)
    shot(page, "products-account-debit-card")
    panel.get_by_role("button", name="Cancelar").click()
    expect(change).to_have_count(0)

    cards_tab.focus()
    page.keyboard.press("ArrowLeft")
    expect(movements_tab).to_have_attribute("aria-selected", "true")
    page.get_by_role("link", name="Ver detalle de movimientos").click()
    expect(page).to_have_url(re.compile(rf"/banca/productos/movimientos\?cuenta={SAVINGS}$"))
    expect(page.get_by_label("Cuenta", exact=True)).to_have_value(SAVINGS)
    no_errors(page)


def test_movements_pages_filters_and_refuses_more_than_twelve_months(page: Page) -> None:
    login(page, USER, PASSWORD)
    page.goto("/banca/productos/movimientos")
    expect(page.get_by_role("heading", name="Detalle de Movimientos", level=1)).to_be_visible()
    expect(page.get_by_label("Cuenta", exact=True)).to_have_value(SAVINGS)
    default = api_json(page, f"/accounts/{SAVINGS}/movements?page_size=20")
    expect(page.get_by_label("Desde")).to_have_value(default["desde"])
    expect(page.get_by_label("Hasta")).to_have_value(default["hasta"])
    table = page.get_by_role("table", name="Movimientos")
    expect_rows(table, movement_cells(default["movimientos"]))
    assert default["total"] > 20, "Gabriel's last 12 months fill more than one page"
    assert_accessible(page)
    shot(page, "products-movements")

    page.get_by_label("Movimientos por página").select_option("10")
    pages = -(-default["total"] // 10)
    expect(page.get_by_text(f"Página 1 de {pages}")).to_be_visible()
    expect(page.get_by_role("button", name="Anterior")).to_be_disabled()
    page.get_by_role("button", name="Siguiente").click()
    expect(page.get_by_text(f"Página 2 de {pages}")).to_be_visible()
    second = api_json(page, f"/accounts/{SAVINGS}/movements?page=2&page_size=10")
    expect_rows(table, movement_cells(second["movimientos"]))
    page.get_by_role("button", name="Anterior").click()
    expect(page.get_by_text(f"Página 1 de {pages}")).to_be_visible()

    # A range around the manual's "PAGO DIRECTO" transfer (dates are the seed's, they never move).
    everything = api_json(page, f"/accounts/{SAVINGS}/movements?page_size=100")["movimientos"]
    transfer_day = min(
        date.fromisoformat(m["fecha"])
        for m in everything
        if m["descripcion"] == "22050 - ND TRANSFERENCIA PAGO DIRECTO"
    )
    since, until = transfer_day - timedelta(days=10), transfer_day + timedelta(days=10)
    page.get_by_label("Desde").fill(since.isoformat())
    page.get_by_label("Hasta").fill(until.isoformat())
    page.get_by_role("button", name="Consultar").click()
    expect(
        page.get_by_text(f"movimientos del {since:%d/%m/%Y} al {until:%d/%m/%Y}")
    ).to_be_visible()
    query = urlencode({"desde": since, "hasta": until, "page_size": 10})
    in_range = api_json(page, f"/accounts/{SAVINGS}/movements?{query}")
    expect_rows(table, movement_cells(in_range["movimientos"]))
    for text, amount in [
        ("22050 - ND TRANSFERENCIA PAGO DIRECTO", "-$6.00"),
        ("22049 - COMISIÓN TRANSFERENCIA PAGO DIRECTO", "-$0.36"),
        ("22048 - IVA TRANSFERENCIA PAGO DIRECTO", "-$0.05"),
        ("0 - RETIRO DE AHORROS", "-$8.00"),
    ]:
        expect(row_of(table, text).locator("td").nth(3)).to_have_text(amount)

    too_old = today_in_ecuador() - timedelta(days=400)
    page.get_by_label("Desde").fill(too_old.isoformat())
    page.get_by_role("button", name="Consultar").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("Solo puedes consultar movimientos de los últimos 12 meses.")
    expect(
        page.get_by_text(re.compile(r"Puedes consultar movimientos desde el \d\d/\d\d/\d{4}"))
    ).to_be_visible()
    expect(table).to_have_count(0)
    assert_accessible(page)
    shot(page, "products-movements-refused")

    page.goto(f"/banca/productos/movimientos?cuenta={CERTIFICATES}")
    expect(page.get_by_label("Cuenta", exact=True)).to_have_value(CERTIFICATES)
    certificates = api_json(page, f"/accounts/{CERTIFICATES}/movements")
    if certificates["total"] == 0:
        expect(
            page.get_by_text("No tienes movimientos en las fechas seleccionadas.")
        ).to_be_visible()
    else:
        expect_rows(table, movement_cells(certificates["movimientos"]))
    no_errors(page)


def test_loan_detail_amortization_table_and_pdf(page: Page) -> None:
    login(page, USER, PASSWORD)
    page.get_by_role("table", name="Préstamos").get_by_role("link", name=LOAN).click()
    expect(page).to_have_url(re.compile(rf"/banca/productos/creditos/{LOAN}$"))
    expect(page.get_by_role("heading", name="Detalle de Préstamos", level=1)).to_be_visible()
    loan = api_json(page, f"/loans/{LOAN}")
    data = page.get_by_role("region", name="Datos del crédito")
    for label, value in [
        ("Número", LOAN),
        ("Descripción", "CONSUMO PRIORITARIO ROL DE PAGOS"),
        ("Monto", "$13,750.00"),
        ("Saldo de capital", money(loan["saldo_capital"])),
        ("Tasa", "15.83%"),
        ("Plazo", "48 meses"),
        ("Próximo pago", day(loan["proximo_pago"])),
        ("Valor a Pagar", money(loan["valor_a_pagar"])),
        ("Status", "Vigente"),
    ]:
        expect(
            data.locator(".resumen-fila").filter(has_text=label).first.locator("dd")
        ).to_have_text(value)

    table = page.get_by_role("table", name="Tabla de Amortización")
    expect(table.locator("thead th")).to_have_text(
        ["N Cuota", "Cuota", "Capital", "Interés", "Mora", "Seguro", "Fecha de Pago", "Estado"]
    )
    rows = [
        [
            str(c["n_cuota"]),
            money(c["cuota"]),
            money(c["capital"]),
            money(c["interes"]),
            money(c["mora"]),
            money(c["seguro"]),
            day(c["fecha_pago"]),
            c["estado"],
        ]
        for c in loan["tabla_amortizacion"]
    ]
    assert len(rows) == 48
    expect(table.locator("tbody tr")).to_have_count(48)
    for index in (0, 1, 2, 47):
        expect(table.locator("tbody tr").nth(index).locator("td")).to_have_text(rows[index])
    expect(table.locator("tbody tr").nth(0).locator("td").last).to_have_text("Vigente")
    expect(table.locator("tbody tr").nth(1).locator("td").last).to_have_text("Por Venir")
    totals = loan["totales"]
    expect(table.locator("tfoot tr").locator("th, td")).to_have_text(
        [
            "Totales",
            money(totals["cuota"]),
            money(totals["capital"]),
            money(totals["interes"]),
            money(totals["mora"]),
            money(totals["seguro"]),
            "",
            "",
        ]
    )
    assert totals["capital"] == "13750.00"
    assert_accessible(page)
    shot(page, "products-loan")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Descargar tabla de amortización (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"tabla-amortizacion-{LOAN}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    no_errors(page)


def test_investments_page(page: Page) -> None:
    login(page, USER, PASSWORD)
    page.get_by_role("navigation", name="Menú de opciones").get_by_role(
        "link", name="Inversiones"
    ).click()
    expect(page.get_by_role("heading", name="Inversiones", level=1)).to_be_visible()
    investment = next(
        i for i in api_json(page, "/investments")["inversiones"] if i["numero"] == "0010"
    )
    table = page.get_by_role("table", name="Inversiones")
    expect(table.locator("thead th")).to_have_text(
        [
            "Número",
            "Monto",
            "Fecha emisión",
            "Fecha vencimiento",
            "Tasa de interés",
            "Días",
            "Interés ganado",
            "Interés pagado",
        ]
    )
    expect(row_of(table, "0010").locator("td")).to_have_text(
        [
            "0010",
            "$10,000.00",
            day(investment["fecha_emision"]),
            day(investment["fecha_vencimiento"]),
            "7.90%",
            "365",
            "$219.44",
            "$0.00",
        ]
    )
    assert_accessible(page)
    shot(page, "products-investments")
    no_errors(page)


def test_credit_card_detail_and_its_options(page: Page) -> None:
    login(page, USER, PASSWORD)
    page.get_by_role("table", name="Tarjetas").get_by_role("link", name="513744XXXXXX0395").click()
    expect(page).to_have_url(re.compile(r"/banca/productos/tarjetas/\d+$"))
    card_id = page.url.rsplit("/", 1)[-1]
    card = api_json(page, f"/cards/{card_id}")
    expect(page.get_by_role("heading", name="Tarjeta de Crédito", level=1)).to_be_visible()
    expect(
        page.get_by_role("heading", name="Mastercard Estandar 513744XXXXXX0395", level=2)
    ).to_be_visible()
    summary = page.get_by_role("region", name="Mastercard Estandar 513744XXXXXX0395")
    for label, value in [
        ("Consumo hasta la fecha", money(card["consumo_hasta_la_fecha"])),
        ("Utilizado rotativo", money(card["utilizado_rotativo"])),
        ("Utilizado diferido", money(card["utilizado_diferido"])),
        ("Cupo total", money(card["cupo_total"])),
        ("Disponibles", money(card["cupo_disponible"])),
        ("Pago mínimo", money(card["pago_minimo"])),
        ("Pagar hasta el", day(card["fecha_max_pago"])),
    ]:
        expect(summary.locator(".resumen-fila").filter(has_text=label).locator("dd")).to_have_text(
            value
        )
    expect(page.get_by_role("link", name="Pagar tarjeta")).to_have_attribute(
        "href", f"/banca/tarjetas/cooprogreso?tarjeta={card_id}"
    )
    expect(page.get_by_role("link", name="Diferir consumos")).to_have_attribute(
        "href", f"/banca/diferidos?tarjeta={card_id}"
    )
    page.get_by_role("button", name="Recuperar clave").click()
    dialog = page.get_by_role("dialog", name="Recuperar clave")
    expect(dialog).to_contain_text("Automáticamente se enviará la clave temporal")
    dialog.get_by_role("button", name="Cancelar").click()
    page.get_by_role("button", name="Cambiar clave").click()
    expect(page.get_by_role("region", name="Consejos de seguridad")).to_be_visible()
    assert_accessible(page)
    shot(page, "products-card")
    no_errors(page)


def test_another_members_products_answer_not_found(page: Page) -> None:
    login(page, USER, PASSWORD)
    for path in (
        f"/banca/productos/cuentas/{NANCYS_SAVINGS}",
        "/banca/productos/creditos/9999999999",
        "/banca/productos/tarjetas/999999",
        "/banca/productos/tarjetas/no-existe",
    ):
        page.goto(path)
        expect(page.get_by_role("alert")).to_have_text(NOT_FOUND)
        expect(page.get_by_role("link", name="Volver al Resumen de Productos")).to_be_visible()
        expect(page.get_by_text("NANCY")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Volver al Resumen de Productos").click()
    expect(page.get_by_role("heading", name="Resumen de Productos", level=1)).to_be_visible()
    no_errors(page)


@dataclass(frozen=True)
class EmptyMember:
    username: str
    account: str


@pytest.fixture(scope="module")
def empty_member(stack: Stack) -> Iterator[EmptyMember]:
    """A member with web banking and one empty savings account: no loans, investments or cards."""
    engine = make_engine(stack.database_url)
    with session_factory(engine)() as session, session.begin():
        member = f.make_member(session, first_names="ANA LUCIA", last_names="PILLAJO CHANGO")
        user = f.make_user(session, member, username="alpillajo.productos")
        account = f.make_account(session, member)
        found = EmptyMember(user.username, account.number)
    engine.dispose()
    yield found


def test_empty_tables_say_so_in_spanish(page: Page, empty_member: EmptyMember) -> None:
    login(page, empty_member.username, f.PASSWORD)
    expect(page.get_by_role("heading", name="Resumen de Productos", level=1)).to_be_visible()
    expect(row_of(page.get_by_role("table", name="Cuentas"), empty_member.account)).to_contain_text(
        "$0.00"
    )
    expect(page.get_by_text("No tienes préstamos con Cooprogreso.")).to_be_visible()
    expect(page.get_by_text("No tienes inversiones con Cooprogreso.")).to_be_visible()
    expect(page.get_by_text("No tienes tarjetas con Cooprogreso.")).to_be_visible()
    assert_accessible(page)
    page.goto("/banca/productos/movimientos")
    expect(page.get_by_text("No tienes movimientos en las fechas seleccionadas.")).to_be_visible()
    no_errors(page)


def test_screens_fit_a_phone(browser: Browser, stack: Stack) -> None:
    context = browser.new_context(base_url=stack.base_url, viewport=PHONE, locale="es-EC")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, USER, PASSWORD)
        expect(page.get_by_role("table", name="Tarjetas")).to_be_visible()
        fits_phone_width(page)
        assert_accessible(page)
        shot(page, "products-position-phone")
        for path, ready in [
            (f"/banca/productos/cuentas/{SAVINGS}", page.get_by_role("tab", name="Tarjeta débito")),
            ("/banca/productos/movimientos", page.get_by_role("table", name="Movimientos")),
            (
                f"/banca/productos/creditos/{LOAN}",
                page.get_by_role("table", name="Tabla de Amortización"),
            ),
        ]:
            page.goto(path)
            expect(ready).to_be_visible()
            fits_phone_width(page)
        shot(page, "products-loan-phone")
        assert not errors
    finally:
        context.close()

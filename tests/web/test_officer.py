"""The credit officer's pages: load a campaign, find and cancel a journey, regenerate one.

The first tests run on the shared stack (dev server: visibility lists work). Regenerating
needs an expired journey, i.e. the clock past the 19:00 signing deadline: that one runs on
Temporal's time-skipping server with its own app (tests/web/officer_support.py).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.async_api import async_playwright
from playwright.async_api import expect as async_expect
from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session, sessionmaker

from bank.core.settings import ApiSettings
from tests import factories as f
from tests.api.credit_support import OFFICER, offered, send_request
from tests.support.temporal import time_skipping_server as time_skipping
from tests.web.browser import DESKTOP, PHONE, assert_accessible, fits_phone_width, launch_args, shot
from tests.web.conftest import officer_login
from tests.web.officer_support import (
    run_in_thread,
    serious_violations,
    served_app,
)
from tests.web.officer_support import shot as async_shot
from tests.web.stack import Stack
from tests.workflows.credit_fakes import to_morning

MARIA_JOSE = "1709623852"
"""MARIA JOSE ANDRANGO (docs/demo-data.md): no other browser test logs in as her."""
HEADER = "campaign_id,identificacion,monto_maximo,monto_minimo,plazos,tasa,vigencia_hasta,metodo"
GUAYAQUIL = ZoneInfo("America/Guayaquil")


def campaign_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "campana.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def row(campaign: str, identification: str, *, tasa: str = "15.83") -> str:
    return f"{campaign},{identification},8000.00,500.00,12;24;36,{tasa},2099-12-31,FRANCES"


def upload(page: Page, path: Path) -> None:
    page.goto("/oficial/campanas")
    page.get_by_label("Archivo CSV de la campaña").set_input_files(str(path))
    page.get_by_role("button", name="Cargar archivo").click()


def journey_row(page: Page, campaign: str) -> Locator:
    """The journey of ``campaign`` in the list, searching again while visibility catches up."""
    page.goto("/oficial")
    page.get_by_label("Campaña").fill(campaign)
    found = page.get_by_role("row").filter(has_text=campaign)
    for _ in range(15):
        page.get_by_role("button", name="Buscar").click()
        try:
            expect(found).to_have_count(1, timeout=2_000)
            return found
        except AssertionError:
            continue
    expect(found).to_have_count(1)
    return found


def test_officer_loads_a_campaign_finds_the_journey_and_cancels_it(
    page: Page, stack: Stack, tmp_path: Path
) -> None:
    campaign = f"WEB{uuid.uuid4().hex[:8].upper()}"
    officer_login(page)
    expect(page.get_by_role("navigation", name="Menú de opciones")).to_contain_text(
        "Cargar campaña"
    )

    upload(page, campaign_file(tmp_path, row(campaign, MARIA_JOSE)))

    loaded = page.get_by_role("table", name="Ofertas cargadas")
    expect(loaded).to_contain_text("Iniciada (INICIADA)")
    expect(loaded).to_contain_text(MARIA_JOSE)
    expect(page.get_by_role("status").filter(has_text="Se inició 1 oferta")).to_be_visible()
    assert_accessible(page)
    shot(page, "officer-campaign")

    found = journey_row(page, campaign)
    link = found.get_by_role("link", name=re.compile(rf"^credit-{campaign}-\d+$"))
    workflow_id = link.inner_text()
    expect(found).to_contain_text("Ofertada (OFFERED)")
    temporal = found.get_by_role("link", name=re.compile("Ver en Temporal"))
    expect(temporal).to_have_attribute("target", "_blank")
    expect(temporal).to_have_attribute("rel", "noopener")
    expect(temporal).to_have_attribute(
        "href", re.compile(rf"/namespaces/default/workflows/{re.escape(workflow_id)}$")
    )
    expect(page.get_by_label("Consulta de visibilidad")).to_contain_text(f'CampaignId="{campaign}"')
    assert_accessible(page)
    shot(page, "officer-journeys")

    link.click()
    expect(page).to_have_url(re.compile(rf"/oficial/jornadas/{re.escape(workflow_id)}$"))
    state = page.get_by_role("definition").filter(has_text="OFFERED")
    expect(state).to_contain_text("Ofertada (OFFERED)")
    expect(page.get_by_text("$8,000.00")).to_be_visible()  # the offer's maximum
    page.get_by_role("button", name="Cancelar", exact=True).click()
    dialog = page.get_by_role("dialog", name="Cancelar la solicitud")
    confirm = dialog.get_by_role("button", name="Confirmar cancelación")
    expect(confirm).to_be_disabled()  # a reason is required
    dialog.get_by_label("Motivo").fill("La socia desistió del crédito")
    assert_accessible(page)
    confirm.click()
    expect(page.get_by_text("La solicitud fue cancelada.")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="CANCELLED")).to_contain_text(
        "Cancelada (CANCELLED)"
    )
    expect(page.get_by_role("table", name="Bitácora de la solicitud")).to_contain_text(
        "oficial.credito"
    )
    assert_accessible(page)
    shot(page, "officer-journey")

    again = page.get_by_role("button", name="Cancelar", exact=True)
    again.click()
    page.get_by_role("dialog").get_by_label("Motivo").fill("Otra vez")
    page.get_by_role("button", name="Confirmar cancelación").click()
    refusal = page.get_by_role("dialog").get_by_role("alert")
    expect(refusal).to_be_visible()  # the API's Spanish refusal, in the dialog
    assert "Error" not in refusal.inner_text()
    page.keyboard.press("Escape")

    page.set_viewport_size(PHONE)
    fits_phone_width(page)
    shot(page, "officer-journey-phone")
    page.set_viewport_size(DESKTOP)
    assert not page.errors  # type: ignore[attr-defined]


def test_a_bad_campaign_file_shows_each_rows_errors(
    page: Page, stack: Stack, tmp_path: Path
) -> None:
    campaign = f"BAD{uuid.uuid4().hex[:8].upper()}"
    officer_login(page)

    upload(
        page,
        campaign_file(
            tmp_path, row(campaign, MARIA_JOSE, tasa="quince"), row(campaign, "1799999990")
        ),
    )

    expect(page.get_by_role("alert")).to_contain_text("no se cargó ninguna oferta")
    errors = page.get_by_role("table", name="Filas con errores")
    rows = errors.get_by_role("row")
    expect(rows).to_have_count(3)  # header + 2
    expect(rows.nth(1)).to_contain_text("2")
    expect(rows.nth(1)).to_contain_text("tasa")
    expect(rows.nth(2)).to_contain_text("1799999990")
    expect(rows.nth(2)).to_contain_text("no corresponde a ningún socio")
    assert_accessible(page)
    shot(page, "officer-campaign-errors")

    page.get_by_role("button", name="Usar el ejemplo").click()
    expect(page.get_by_label("Ofertas (JSON)")).to_have_value(
        re.compile('"campaign_id": "PRE2026"')
    )
    page.get_by_label("Ofertas (JSON)").fill("[{")
    page.get_by_role("button", name="Cargar ofertas").click()
    expect(page.get_by_role("alert")).to_contain_text("no es un JSON válido")
    page.set_viewport_size(PHONE)
    fits_phone_width(page)
    shot(page, "officer-campaign-phone")
    assert not page.errors  # type: ignore[attr-defined]


def test_officer_regenerates_an_expired_journey_from_the_officer_pages(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path, chromium: str
) -> None:
    settings = ApiSettings(
        database_url=database_url,
        environment="test",
        dev_outbox=False,
        secret_key="test-secret-key-0123456789-abcdefghijklmnop",
        temporal_address="127.0.0.1:1",
        temporal_ui_url="http://127.0.0.1:8233",
    )

    async def scenario() -> None:
        async with time_skipping() as env, served_app(settings, env, tmp_path, sessions) as app:
            api = app.api
            [ana] = await offered(api, sessions, "ana")
            finalized = await send_request(api, ana)
            workflow_id = api.journeys[0]
            deadline = datetime.fromisoformat(str(finalized["plazo_firma"]))
            await env.sleep(deadline - await env.get_current_time())
            morning = (await to_morning(env)).astimezone(GUAYAQUIL)

            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=chromium, args=launch_args())
                context = await browser.new_context(
                    base_url=app.base_url, viewport=DESKTOP, locale="es-EC"
                )
                page = await context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                # Straight to the journey: the list needs visibility, which this server lacks.
                await page.goto(f"/oficial/jornadas/{workflow_id}")
                await page.get_by_label("Usuario").fill(OFFICER)
                await page.get_by_label("Contraseña").fill(f.PASSWORD)
                await page.get_by_role("button", name="Ingresar").click()
                state = page.get_by_role("definition").filter(has_text="AWAITING_REGENERATION")
                await async_expect(state).to_contain_text(
                    "EXPIRED_AWAITING_REGENERATION", timeout=30_000
                )
                temporal = page.get_by_role("link", name=re.compile("Ver en Temporal"))
                await async_expect(temporal).to_have_attribute(
                    "href",
                    f"http://127.0.0.1:8233/namespaces/{env.client.namespace}/workflows/{workflow_id}",
                )
                await async_shot(page, "officer-journey-expired")

                await page.get_by_role("button", name="Regenerar").click()
                dialog = page.get_by_role("dialog", name="Regenerar la solicitud")
                await dialog.get_by_label("Motivo").fill("La socia no alcanzó a firmar ayer")
                await dialog.get_by_role("button", name="Confirmar regeneración").click()

                new_deadline = f"19H00 del {morning:%d/%m/%Y}"
                await async_expect(page.get_by_role("status").first).to_contain_text(
                    f"regenerada (generación 2). Nuevo plazo de firma: {new_deadline}",
                    timeout=60_000,
                )
                awaiting = page.get_by_role("definition").filter(has_text="AWAITING_SIGNATURES")
                await async_expect(awaiting).to_contain_text(
                    "Esperando firmas (AWAITING_SIGNATURES)"
                )
                await async_expect(
                    page.get_by_role("definition").filter(has_text=new_deadline)
                ).to_have_count(1)
                await async_expect(
                    page.get_by_role("table", name="Bitácora de la solicitud")
                ).to_contain_text(OFFICER)
                assert await serious_violations(page) == []
                await async_shot(page, "officer-regenerated")
                assert errors == []
                await browser.close()

    run_in_thread(scenario)

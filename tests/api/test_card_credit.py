"""A credit card's consumos, Diferido de tarjetas and estados de cuenta over HTTP: the real
app, the deferral workflow and its activities on the test database and the time-skipping
server, the code read from the SMS outbox as the member reads it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.card_deferrals import CardDeferralActivities
from api.deps import get_temporal_client
from api.main import API_PREFIX, create_app
from bank.cards import billing, books
from bank.cards.config import CardSettings
from bank.cards.purchases import record_purchase
from bank.core.settings import ApiSettings
from bank.credit.deadline import GUAYAQUIL
from bank.models import Card, CardKind, OutboundMessage, utcnow
from bank.notifications.outbox import unseal
from tests import factories as f
from tests.api.movement_support import OTP_RE
from workflows.card_deferral.workflow import CardDeferralWorkflow

RULES = CardSettings().rules()


@dataclass
class Cards:
    http: httpx.AsyncClient
    sessions: sessionmaker[Session]
    secret: str
    headers: dict[str, str]
    card_id: int
    purchase_id: int
    stranger_card_id: int
    stranger_purchase_id: int

    def url(self, path: str, card_id: int | None = None) -> str:
        return f"{API_PREFIX}/cards/{card_id or self.card_id}{path}"

    async def get(self, path: str, card_id: int | None = None) -> httpx.Response:
        return await self.http.get(self.url(path, card_id), headers=self.headers)

    async def post(
        self, path: str, body: object = None, card_id: int | None = None
    ) -> httpx.Response:
        return await self.http.post(self.url(path, card_id), json=body, headers=self.headers)

    def last_code(self) -> str:
        with self.sessions() as session:
            message = session.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.template == "otp")
                .order_by(OutboundMessage.id.desc())
            ).first()
            assert message is not None
            text = unseal(self.secret, message.idempotency_key, message.body_text)
        found = OTP_RE.search(text)
        assert found is not None
        assert "para diferir" in text
        return found.group(1)

    def figures(self) -> tuple[int, int, int]:
        with self.sessions() as session:
            card = session.get(Card, self.card_id)
            assert card is not None
            assert books.reconcile_cards(session) == []
            return card.revolving_used_cents, card.deferred_used_cents, card.available_credit_cents


@pytest.fixture
async def cards(
    api_settings: ApiSettings, time_skipping_env: WorkflowEnvironment, sessions
) -> AsyncIterator[Cards]:
    task_queue = f"test-{uuid.uuid4()}"
    settings = api_settings.model_copy(update={"task_queue": task_queue, "dev_outbox": True})
    app = create_app(settings)

    async def temporal_client() -> object:
        return time_skipping_env.client

    app.dependency_overrides[get_temporal_client] = temporal_client
    at = datetime(2025, 1, 10, 12, tzinfo=GUAYAQUIL)
    with sessions.begin() as session:
        member = f.make_member(session)
        f.make_user(session, member, username="gsilva")
        card = f.make_card(session, member, CardKind.CREDIT, limit_cents=500_000)
        bought = record_purchase(session, card, "t-1", "Computron", 120_000, at)
        stranger = f.make_member(session)
        theirs = f.make_card(session, stranger, CardKind.CREDIT, limit_cents=500_000)
        their_purchase = record_purchase(session, theirs, "t-2", "Kywi", 10_000, at)
        ids = card.id, bought.id, theirs.id, their_purchase.id
    activities = CardDeferralActivities(sessions, rules=RULES, secret_key=settings.secret_key)
    async with (
        Worker(
            time_skipping_env.client,
            task_queue=task_queue,
            workflows=[CardDeferralWorkflow],
            activities=activities.all(),
            activity_executor=ThreadPoolExecutor(4),
        ),
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http,
    ):
        login = await http.post(
            f"{API_PREFIX}/auth/login", json={"username": "gsilva", "password": f.PASSWORD}
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        yield Cards(http, sessions, settings.secret_key, headers, *ids)


async def test_member_simulates_defers_with_the_code_and_pays_off_early(cards: Cards):
    terms = (await cards.get("/deferrals/terms")).json()["plazos"]
    assert [(t["meses"], t["sin_intereses"], t["tasa_anual"]) for t in terms] == [
        (3, True, "0.00"),
        (6, True, "0.00"),
        (9, False, "15.00"),
        (12, False, "15.00"),
        (18, False, "15.00"),
        (24, False, "15.00"),
    ]
    body = {"consumo_id": cards.purchase_id, "monto": "1000.00", "plazo_meses": 3}
    free = (await cards.post("/deferrals/simulate", body)).json()
    assert (free["cuota"], free["total_intereses"], free["total_a_pagar"]) == (
        "333.33",
        "0.00",
        "1000.00",
    )
    assert [row["capital"] for row in free["tabla"]] == ["333.33", "333.33", "333.34"]
    body["plazo_meses"] = 12
    simulated = await cards.post("/deferrals/simulate", body)
    assert simulated.status_code == 200, simulated.text
    plan = simulated.json()
    assert (plan["cuota"], plan["tasa_anual"], plan["tasa_efectiva"]) == ("90.26", "15.00", "16.08")
    assert len(plan["tabla"]) == 12 and plan["tabla"][-1]["saldo"] == "0.00"
    assert cards.figures() == (120_000, 0, 380_000)  # a simulation writes nothing

    started = await cards.post("/deferrals", body)
    assert started.status_code == 201, started.text
    assert started.json()["estado"] == "AWAITING_OTP"
    assert started.json()["simulacion"]["cuota"] == "90.26"
    code = cards.last_code()
    wrong = await cards.post(
        "/deferrals/confirm", {"codigo": "000000" if code != "000000" else "1"}
    )
    assert wrong.status_code == 422 and wrong.json()["code"] in {"CODIGO_INCORRECTO"}
    done = await cards.post("/deferrals/confirm", {"codigo": code})
    assert done.status_code == 200, done.text
    assert done.json()["estado"] == "DEFERRED"
    assert done.json()["mensaje"] == "Tu consumo fue diferido con éxito."
    assert cards.figures() == (20_000, 100_000, 380_000)  # available credit unchanged

    purchases = (await cards.get("/purchases")).json()["consumos"]
    assert [(p["comercio"], p["diferido"], p["plazo_meses"]) for p in purchases] == [
        ("COMPUTRON", True, 12)
    ]
    detail = await cards.http.get(f"{API_PREFIX}/cards/{cards.card_id}", headers=cards.headers)
    assert detail.json()["consumo_hasta_la_fecha"] == "1200.00"
    again = await cards.post("/deferrals", {**body, "monto": "100.00"})
    assert (again.status_code, again.json()["code"]) == (422, "CONSUMO_YA_DIFERIDO")

    [deferral] = (await cards.get("/deferrals")).json()["diferidos"]
    assert (deferral["monto"], deferral["cuota"], deferral["capital_pendiente"]) == (
        "1000.00",
        "90.26",
        "1000.00",
    )
    paid_off = await cards.post(f"/deferrals/{deferral['id']}/payoff")
    assert paid_off.status_code == 200, paid_off.text
    assert paid_off.json()["capital_trasladado"] == "1000.00"
    assert paid_off.json()["diferido"]["estado"] == "PRECANCELADO"
    assert cards.figures() == (120_000, 0, 380_000)
    twice = await cards.post(f"/deferrals/{deferral['id']}/payoff")
    assert (twice.status_code, twice.json()["code"]) == (409, "DIFERIDO_NO_VIGENTE")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"monto": "0.00"}, "monto_invalido"),
        ({"monto": "1200.01"}, "MONTO_INVALIDO"),
        ({"plazo_meses": 7}, "PLAZO_INVALIDO"),
        ({"monto": "abc"}, "monto_invalido"),
        ({"extra": 1}, None),
    ],
)
async def test_bad_simulations_are_clear_refusals(cards: Cards, body, code):
    request = {"consumo_id": cards.purchase_id, "monto": "100.00", "plazo_meses": 6, **body}
    answer = await cards.post("/deferrals/simulate", request)
    assert answer.status_code == 422, answer.text
    error = answer.json()
    assert error["message"] and error["code"]
    if code and code.isupper():
        assert error["code"] == code
    assert cards.figures() == (120_000, 0, 380_000)


async def test_another_members_card_purchase_and_statement_are_not_found(cards: Cards):
    theirs = cards.stranger_card_id
    for answer in (
        await cards.get("/purchases", theirs),
        await cards.get("/deferrals/terms", theirs),
        await cards.get("/deferrals", theirs),
        await cards.get("/statements", theirs),
        await cards.get("/statements/1/pdf", theirs),
        await cards.post(
            "/deferrals/simulate",
            {"consumo_id": cards.stranger_purchase_id, "monto": "10.00", "plazo_meses": 3},
            theirs,
        ),
        await cards.post("/deferrals/1/payoff", None, theirs),
        await cards.post("/deferrals/confirm", {"codigo": "123456"}, theirs),
        await cards.http.post(
            f"{API_PREFIX}/dev/cards/{theirs}/purchases",
            json={"comercio": "X", "monto": "1.00"},
            headers=cards.headers,
        ),
    ):
        assert answer.status_code == 404, answer.text
        assert answer.json()["code"] == "TARJETA_NO_ENCONTRADA"
    mine = await cards.post(
        "/deferrals/simulate",
        {"consumo_id": cards.stranger_purchase_id, "monto": "10.00", "plazo_meses": 3},
    )
    assert (mine.status_code, mine.json()["code"]) == (404, "CONSUMO_NO_ENCONTRADO")


async def test_network_purchases_statements_and_their_pdf(cards: Cards):
    bought = await cards.http.post(
        f"{API_PREFIX}/dev/cards/{cards.card_id}/purchases",
        json={"comercio": "  Fybeca   Quicentro ", "monto": "58.90"},
        headers=cards.headers,
    )
    assert bought.status_code == 201, bought.text
    assert (bought.json()["comercio"], bought.json()["monto"]) == ("FYBECA QUICENTRO", "58.90")
    over = await cards.http.post(
        f"{API_PREFIX}/dev/cards/{cards.card_id}/purchases",
        json={"comercio": "AEROREGIONAL", "monto": "4000.00"},
        headers=cards.headers,
    )
    assert (over.status_code, over.json()["code"]) == (422, "CUPO_INSUFICIENTE")
    assert cards.figures() == (125_890, 0, 374_110)
    assert (await cards.get("/statements")).json()["estados"] == []
    with cards.sessions.begin() as session:
        billing.close_statement(session, cards.card_id, date.today(), RULES, utcnow())
    [statement] = (await cards.get("/statements")).json()["estados"]
    assert statement["total_a_pagar"] == "1258.90"
    assert statement["pago_minimo"] == "125.89"
    # Nothing paid since the close: all of it is still to pay, in the configured order.
    assert (statement["por_pagar"], statement["minimo_por_pagar"]) == ("1258.90", "125.89")
    assert [(p["concepto"], p["monto"]) for p in statement["por_pagar_detalle"]] == [
        ("INTERESES", "0.00"),
        ("CUOTAS", "0.00"),
        ("SALDO_ANTERIOR", "0.00"),
        ("CONSUMOS", "1258.90"),
    ]
    pdf = await cards.http.get(statement["pdf"], headers=cards.headers)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].endswith(
        f'estado-de-cuenta-{statement["corte"]}.pdf"'
    )
    other = await cards.get(f"/statements/{statement['id'] + 1000}/pdf")
    assert (other.status_code, other.json()["code"]) == (404, "ESTADO_NO_ENCONTRADO")

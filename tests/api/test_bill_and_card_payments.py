"""Service bill payments (manual §3) and card payments (§4) through the API and workflow.

The biller simulator keeps its bills in the database; ``issue_bill`` fixes an amount.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bank.adapters.billers import previous_period
from bank.models import Card, CardKind, PaidBill, Posting, ServicePaymentRecord
from bank.models import Member as MemberRow
from tests import factories as f
from tests.api.movement_support import Member, Money

WATER = "EPMAPS"
SUPPLY = "1234567"


pytestmark = pytest.mark.balances(50_000, 50_000)


def bill_body(member: Member, receipts: list[str]) -> dict:
    return {
        "cuenta_origen": member.savings,
        "empresa": WATER,
        "suministro": SUPPLY,
        "recibos": receipts,
    }


async def test_lookup_then_pay_a_bill_with_commission_and_iva(money: Money, people) -> None:
    ana, _ = people
    receipt = money.billers.issue_bill(WATER, SUPPLY, 713)
    found = await money.http.post(
        "/api/v1/services/lookup",
        json={"empresa": WATER, "suministro": SUPPLY},
        headers=ana.headers,
    )
    assert found.status_code == 200, found.text
    line = found.json()["recibos"][0]
    assert (line["numero"], line["monto"], line["comision"], line["iva"], line["total"]) == (
        receipt.number,
        "7.13",
        "0.31",
        "0.05",
        "7.49",
    )
    key, preview = await money.start(ana, "/services/payments", bill_body(ana, [receipt.number]))
    assert preview.status_code == 201, preview.text
    assert preview.json()["resumen"]["total"] == "7.49"
    paid = await money.confirm(ana, key)
    assert paid.json()["estado"] == "EXITOSA", paid.text
    assert money.balance(ana.savings_id) == 50_000 - 749
    with money.sessions() as session:
        codes = session.scalars(
            select(Posting.code).where(Posting.account_id == ana.savings_id).order_by(Posting.id)
        ).all()
        record = session.scalar(select(ServicePaymentRecord))
    assert codes[-3:] == [400, 401, 402]
    assert record is not None and record.outcome == "PAGADO" and not record.automatic
    again = await money.http.post(
        "/api/v1/services/lookup",
        json={"empresa": WATER, "suministro": SUPPLY},
        headers=ana.headers,
    )
    assert again.json()["code"] == "SIN_FACTURA_PENDIENTE"
    history = await money.http.get("/api/v1/payments/history", headers=ana.headers)
    assert [p["codigo"] for p in history.json()["pagos"]] == [record.code]
    money.books_balance()


async def test_lookup_totals_the_selected_receipts_as_the_preview_will(
    money: Money, people
) -> None:
    ana, _ = people
    two = "7654322"  # ends in 2: last month's and this month's receipts
    current = money.billers.current_period()
    last, this = (
        money.billers.issue_bill(WATER, two, 713, period=p)
        for p in (previous_period(current), current)
    )

    async def lookup(**extra: object) -> dict:
        found = await money.http.post(
            "/api/v1/services/lookup",
            json={"empresa": WATER, "suministro": two, **extra},
            headers=ana.headers,
        )
        assert found.status_code == 200, found.text
        return dict(found.json()["valores_a_pagar"])

    assert await lookup() == {
        "recibos": [last.number, this.number],
        "monto": "14.26",
        "comision": "0.62",
        "iva": "0.10",
        "total": "14.98",
    }
    assert await lookup(recibos=[this.number]) == {
        "recibos": [this.number],
        "monto": "7.13",
        "comision": "0.31",
        "iva": "0.05",
        "total": "7.49",
    }
    refused = await money.http.post(
        "/api/v1/services/lookup",
        json={"empresa": WATER, "suministro": two, "recibos": ["999999999"]},
        headers=ana.headers,
    )
    assert refused.status_code == 422 and refused.json()["code"] == "RECIBO_NO_PENDIENTE"
    body = {**bill_body(ana, [last.number, this.number]), "suministro": two}
    _, preview = await money.start(ana, "/services/payments", body)
    assert preview.status_code == 201, preview.text
    assert preview.json()["resumen"]["total"] == "14.98"


async def test_unknown_supply_is_a_clear_422(money: Money, people) -> None:
    ana, _ = people
    found = await money.http.post(
        "/api/v1/services/lookup",
        json={"empresa": WATER, "suministro": "1234000"},
        headers=ana.headers,
    )
    assert found.status_code == 422 and found.json()["code"] == "SUMINISTRO_INEXISTENTE"


async def test_a_bill_is_never_paid_twice_even_by_two_members_at_once(money: Money, people) -> None:
    ana, beto = people
    receipt = money.billers.issue_bill(WATER, SUPPLY, 2_000)
    key_a, _ = await money.start(ana, "/services/payments", bill_body(ana, [receipt.number]))
    code_a = money.otp_code(ana.member_id)
    key_b, _ = await money.start(beto, "/services/payments", bill_body(beto, [receipt.number]))
    code_b = money.otp_code(beto.member_id)
    first, second = await asyncio.gather(
        money.confirm(ana, key_a, code_a), money.confirm(beto, key_b, code_b)
    )
    outcomes = sorted([first.json().get("estado", ""), second.json().get("code", "")])
    outcomes += sorted([second.json().get("estado", ""), first.json().get("code", "")])
    assert "EXITOSA" in outcomes and "FACTURA_YA_PAGADA" in outcomes
    debited = (50_000 - money.balance(ana.savings_id)) + (50_000 - money.balance(beto.savings_id))
    assert debited == 2_000 + 31 + 5
    with money.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PaidBill)) == 1
    money.books_balance()


async def test_coop_card_total_payment_lowers_the_revolving_balance(money: Money, people) -> None:
    ana, _ = people
    with money.sessions.begin() as session:
        owner = session.get(MemberRow, ana.member_id)
        assert owner is not None
        card = f.make_card(
            session,
            owner,
            CardKind.CREDIT,
            limit_cents=100_000,
            revolving_cents=12_345,
            minimum_cents=2_000,
        )
        card_id = card.id
    payable = await money.http.get("/api/v1/cards/payable", headers=ana.headers)
    assert payable.json()[0]["pago_total"] == "123.45"
    body = {"cuenta_origen": ana.savings, "tarjeta_id": card_id, "opcion": "TOTAL"}
    key, preview = await money.start(ana, "/card-payments", body)
    assert preview.json()["resumen"]["total"] == "123.45"
    assert (await money.confirm(ana, key)).json()["estado"] == "EXITOSA"
    with money.sessions() as session:
        paid = session.get(Card, card_id)
        assert paid is not None and paid.revolving_used_cents == 0
        assert paid.available_credit_cents == 100_000
    assert money.balance(ana.savings_id) == 50_000 - 12_345
    money.books_balance()


async def test_paying_more_than_owed_or_another_members_card_is_refused(
    money: Money, people
) -> None:
    ana, beto = people
    with money.sessions.begin() as session:
        owner = session.get(MemberRow, beto.member_id)
        assert owner is not None
        card_id = f.make_card(session, owner, CardKind.CREDIT, revolving_cents=1_000).id
    body = {"cuenta_origen": beto.savings, "tarjeta_id": card_id, "opcion": "OTRO"}
    _, over = await money.start(beto, "/card-payments", {**body, "monto": "10.01"})
    assert over.status_code == 422 and over.json()["code"] == "MONTO_SUPERA_DEUDA"
    _, stranger = await money.start(
        ana, "/card-payments", {**body, "cuenta_origen": ana.savings, "monto": "5.00"}
    )
    assert stranger.status_code == 404 and stranger.json()["code"] == "TARJETA_NO_ENCONTRADA"


async def test_other_bank_card_is_paid_through_the_spi_with_its_fee(money: Money, people) -> None:
    ana, _ = people
    registered = await money.http.post(
        "/api/v1/cards/other",
        json={"institucion": "0010", "numero": "4111111111111111", "titular": "ANA PEREZ"},
        headers=ana.headers,
    )
    assert registered.status_code == 201, registered.text
    body = {
        "cuenta_origen": ana.savings,
        "tarjeta_registrada_id": registered.json()["id"],
        "opcion": "OTRO",
        "monto": "40.00",
    }
    key, preview = await money.start(ana, "/card-payments", body)
    assert preview.json()["resumen"]["total"] == "40.41"
    assert (await money.confirm(ana, key)).json()["estado"] == "EN_PROCESO"
    final = await money.finish(ana, key)
    assert str(final.status) == "COMPLETED"
    with money.sessions() as session:
        codes = session.scalars(
            select(Posting.code).where(Posting.account_id == ana.savings_id).order_by(Posting.id)
        ).all()
    assert codes[-3:] == [184, 183, 186]
    money.books_balance()

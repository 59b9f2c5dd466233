"""Transfers end to end through the API and the movement workflow (manual §2).

Real activities, ledger, OTP and outbox on PostgreSQL; the SPI simulator answers interbank
orders (accounts ending in 0000 do not exist); the time-skipping server jumps to the
clearing cycles.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bank.models import Beneficiary, JournalEntry, OutboundMessage, Posting
from bank.models import Member as MemberRow
from tests import factories as f
from tests.api.movement_support import Member, Money, make_member
from workflows.movement.contract import Status

pytestmark = pytest.mark.payment_settings(web_per_transaction="500.00", web_daily="800.00")


def coop(origin: Member, target: Member, amount: str = "6.00", **extra: object) -> dict:
    return {
        "tipo": "COOPROGRESO",
        "cuenta_origen": origin.savings,
        "cuenta_destino": target.savings,
        "monto": amount,
        "referencia": "Pago arriendo",
        **extra,
    }


def postings(money: Money, account_id: int) -> list[tuple[str, int]]:
    with money.sessions() as session:
        rows = session.execute(
            select(Posting.code, Posting.description, Posting.amount_cents)
            .where(Posting.account_id == account_id)
            .order_by(Posting.id)
        )
        return [(f"{code} - {desc}", amount) for code, desc, amount in rows]


async def test_cooprogreso_transfer_moves_principal_fee_and_iva(money: Money, people) -> None:
    ana, beto = people
    key, started = await money.start(ana, "/transfers", coop(ana, beto))
    assert started.status_code == 201, started.text
    preview = started.json()
    assert preview["estado"] == "ESPERANDO_CODIGO"
    assert preview["resumen"]["monto"] == "6.00"
    assert preview["resumen"]["comision"] == "0.36"
    assert preview["resumen"]["iva"] == "0.05"
    assert preview["resumen"]["total"] == "6.41"
    assert preview["resumen"]["destino"]["cuenta"].endswith(beto.savings[-4:])
    assert beto.savings not in started.text  # masked
    done = await money.confirm(ana, key)
    assert done.status_code == 200, done.text
    assert done.json()["estado"] == "EXITOSA"
    assert money.balance(ana.savings_id) == 100_000 - 641
    assert money.balance(beto.savings_id) == 5_000 + 600
    assert postings(money, ana.savings_id)[-3:] == [
        ("22050 - ND TRANSFERENCIA PAGO DIRECTO", -600),
        ("22049 - COMISIÓN TRANSFERENCIA PAGO DIRECTO", -36),
        ("22048 - IVA TRANSFERENCIA PAGO DIRECTO", -5),
    ]
    assert postings(money, beto.savings_id)[-1] == ("22047 - NC TRANSFERENCIA PAGO DIRECTO", 600)
    money.books_balance()


async def test_own_accounts_transfer_is_free(money: Money, people) -> None:
    ana, _ = people
    with money.sessions.begin() as session:
        owner = session.get(MemberRow, ana.member_id)
        assert owner is not None
        second = f.make_account(session, owner)
        second_number, second_id = second.number, second.id
    body = {
        "tipo": "PROPIAS",
        "cuenta_origen": ana.savings,
        "cuenta_destino": second_number,
        "monto": "25.10",
        "referencia": "ahorro",
    }
    key, started = await money.start(ana, "/transfers", body)
    assert started.json()["resumen"]["total"] == "25.10"
    assert (await money.confirm(ana, key)).json()["estado"] == "EXITOSA"
    assert money.balance(second_id) == 2_510
    assert money.balance(ana.savings_id) == 100_000 - 2_510


async def test_same_key_twice_moves_money_once(money: Money, people) -> None:
    ana, beto = people
    key, first = await money.start(ana, "/transfers", coop(ana, beto))
    _, again = await money.start(ana, "/transfers", coop(ana, beto), key=key)
    assert again.status_code == 201 and again.json()["resumen"] == first.json()["resumen"]
    code = money.otp_code(ana.member_id)
    assert (await money.confirm(ana, key, code)).json()["estado"] == "EXITOSA"
    _, after = await money.start(ana, "/transfers", coop(ana, beto), key=key)
    assert after.json()["estado"] == "EXITOSA"  # the first result, replayed
    again_confirm = await money.confirm(ana, key, code)
    assert again_confirm.status_code == 409
    assert money.balance(beto.savings_id) == 5_000 + 600
    with money.sessions() as session:
        entries = session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.kind == "COOP_TRANSFER")
        )
    assert entries == 1


async def test_key_reused_with_other_content_is_409(money: Money, people) -> None:
    ana, beto = people
    key, _ = await money.start(ana, "/transfers", coop(ana, beto))
    _, other = await money.start(ana, "/transfers", coop(ana, beto, "7.00"), key=key)
    assert other.status_code == 409
    assert other.json()["code"] == "IDEMPOTENCY_CONFLICT"
    assert other.json()["message"]


async def test_missing_idempotency_key_is_400(money: Money, people) -> None:
    ana, beto = people
    response = await money.http.post("/api/v1/transfers", json=coop(ana, beto), headers=ana.headers)
    assert response.status_code == 400
    assert response.json()["code"] == "IDEMPOTENCY_KEY_INVALIDA"


async def test_another_members_account_as_origin_is_404(money: Money, people) -> None:
    ana, beto = people
    _, response = await money.start(ana, "/transfers", coop(beto, ana))
    assert response.status_code == 404
    assert money.balance(beto.savings_id) == 5_000


async def test_otp_for_a_different_amount_is_refused(money: Money, people) -> None:
    ana, beto = people
    first_key, _ = await money.start(ana, "/transfers", coop(ana, beto, "6.00"))
    first_code = money.otp_code(ana.member_id)
    second_key, _ = await money.start(ana, "/transfers", coop(ana, beto, "60.00"))
    # The $6.00 code does not authorise the $60.00 transfer.
    wrong = await money.confirm(ana, second_key, first_code)
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "CODIGO_INCORRECTO"
    assert money.balance(beto.savings_id) == 5_000
    # ...and still authorises its own transfer.
    assert (await money.confirm(ana, first_key, first_code)).json()["estado"] == "EXITOSA"
    assert money.balance(beto.savings_id) == 5_600


async def test_otp_for_another_payee_is_refused(money: Money, people) -> None:
    ana, beto = people
    with money.sessions.begin() as session:
        carla = make_member(session, "carla", 0)
    await money.start(ana, "/transfers", coop(ana, beto))
    beto_code = money.otp_code(ana.member_id)
    to_carla, _ = await money.start(ana, "/transfers", coop(ana, carla))
    refused = await money.confirm(ana, to_carla, beto_code)
    assert refused.status_code == 422
    assert money.balance(carla.savings_id) == 0


async def test_five_wrong_codes_fail_the_transfer(money: Money, people) -> None:
    ana, beto = people
    key, _ = await money.start(ana, "/transfers", coop(ana, beto))
    right = money.otp_code(ana.member_id)
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        answer = await money.confirm(ana, key, wrong)
        assert answer.json()["code"] == "CODIGO_INCORRECTO", answer.text
        assert answer.json()["details"]["intentos_restantes"] == left, answer.text
    last = await money.confirm(ana, key, wrong)
    assert last.json()["code"] == "INTENTOS_AGOTADOS"
    assert (await money.confirm(ana, key, right)).status_code == 409
    assert money.balance(beto.savings_id) == 5_000


async def test_insufficient_funds_moves_nothing(money: Money, people) -> None:
    ana, beto = people
    _, response = await money.start(beto, "/transfers", coop(beto, ana, "49.99"))
    assert response.status_code == 422
    assert response.json()["code"] == "FONDOS_INSUFICIENTES"
    assert money.balance(beto.savings_id) == 5_000


async def test_funds_are_checked_again_at_confirmation(money: Money, people) -> None:
    ana, beto = people
    first, _ = await money.start(beto, "/transfers", coop(beto, ana, "30.00"))
    code_first = money.otp_code(beto.member_id)
    second, _ = await money.start(beto, "/transfers", coop(beto, ana, "30.00"))
    code_second = money.otp_code(beto.member_id)
    assert (await money.confirm(beto, first, code_first)).json()["estado"] == "EXITOSA"
    late = await money.confirm(beto, second, code_second)
    assert late.status_code == 422 and late.json()["code"] == "FONDOS_INSUFICIENTES"
    assert money.balance(beto.savings_id) == 5_000 - 3_041


async def test_limits_per_transaction_and_per_day(money: Money, people) -> None:
    ana, beto = people
    _, too_big = await money.start(ana, "/transfers", coop(ana, beto, "500.01"))
    assert too_big.json()["code"] == "LIMITE_TRANSACCION"
    key, _ = await money.start(ana, "/transfers", coop(ana, beto, "500.00"))
    assert (await money.confirm(ana, key)).json()["estado"] == "EXITOSA"
    _, over_day = await money.start(ana, "/transfers", coop(ana, beto, "300.01"))
    assert over_day.status_code == 422 and over_day.json()["code"] == "LIMITE_DIARIO"
    key, _ = await money.start(ana, "/transfers", coop(ana, beto, "300.00"))
    assert (await money.confirm(ana, key)).json()["estado"] == "EXITOSA"


async def test_interbank_rejection_reverses_everything_and_tells_the_member(
    money: Money, people
) -> None:
    ana, _ = people
    body = {
        "tipo": "INTERBANCARIA",
        "cuenta_origen": ana.savings,
        "monto": "20.00",
        "referencia": "cuota",
        "nuevo_beneficiario": {
            "nombre": "Luis Andrade",
            "tipo_identificacion": "CEDULA",
            "identificacion": "1710034065",
            "cuenta": "2200130000",
            "institucion": "0010",
        },
    }
    key, started = await money.start(ana, "/transfers", body)
    assert started.json()["resumen"]["total"] == "20.41"
    posted = await money.confirm(ana, key)
    assert posted.json()["estado"] in ("EN_PROCESO", "REVERSADA")
    final = await money.finish(ana, key)
    assert final.status is Status.REVERSED
    assert money.balance(ana.savings_id) == 100_000
    shown = (await money.get(ana, key)).json()
    assert shown["estado"] == "REVERSADA" and "no existe" in shown["mensaje"]
    with money.sessions() as session:
        email = session.scalar(
            select(OutboundMessage).where(OutboundMessage.template == "transfer_rejected")
        )
    assert email is not None and "no existe" in email.body_text
    money.books_balance()


async def test_interbank_to_batch_institution_is_pending_then_credited(
    money: Money, people
) -> None:
    ana, _ = people
    body = {
        "tipo": "INTERBANCARIA",
        "cuenta_origen": ana.savings,
        "monto": "10.00",
        "nuevo_beneficiario": {
            "nombre": "Maria Loja",
            "tipo_identificacion": "CEDULA",
            "identificacion": "1710034065",
            "cuenta": "4455667788",
            "institucion": "0037",  # batch clearing
            "guardar": True,
        },
    }
    key, started = await money.start(ana, "/transfers", body)
    assert started.json()["resumen"]["destino"]["acreditacion_inmediata"] is False
    pending = (await money.confirm(ana, key)).json()
    assert pending["estado"] == "EN_PROCESO"
    assert money.balance(ana.savings_id) == 100_000 - 1_041
    final = await money.finish(ana, key)
    assert final.status is Status.COMPLETED
    assert final.settles_at is not None
    with money.sessions() as session:
        saved = session.scalar(select(Beneficiary).where(Beneficiary.member_id == ana.member_id))
    assert saved is not None and saved.account_number == "4455667788"
    money.books_balance()

"""Historial de Pagos and the receipt PDF: range rules, filters, outcomes, isolation."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from api.schemas.payment_history import HistorialPagosOut
from bank.adapters.biller_catalog import COMPANY_BY_CODE
from bank.models import Account, Member, PaymentOutcome, ServicePaymentRecord
from bank.payments.history import history_range
from tests import factories as f
from tests.api.conftest import login

V1 = "/api/v1"
HISTORY = f"{V1}/payments/history"


def _record(
    build: Session,
    account: Account,
    code: str,
    at: datetime,
    *,
    company: str = "EEQ",
    outcome: PaymentOutcome = PaymentOutcome.PAGADO,
    automatic: bool = False,
    cents: tuple[int, int, int] = (713, 31, 5),
) -> ServicePaymentRecord:
    assert account.member_id is not None
    biller = COMPANY_BY_CODE[company]
    record = ServicePaymentRecord(
        key=f"wf-{code}",
        member_id=account.member_id,
        account_id=account.id,
        automatic=automatic,
        category=biller.category,
        company_code=company,
        company_name=biller.name,
        supply_number="1234567",
        receipts=["023035471"],
        amount_cents=cents[0],
        fee_cents=cents[1],
        iva_cents=cents[2],
        outcome=outcome,
        code=code,
        created_at=at,
    )
    build.add(record)
    build.flush()
    return record


def _utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def member(client: TestClient, build: Session) -> tuple[Member, Account, dict[str, str]]:
    """Gabriel (logged in) with a savings account and a varied history; María with her own."""
    gabriel = f.make_member(build)
    f.make_user(build, gabriel, username="gsilva")
    savings = f.make_account(build, gabriel, number="410112060750")
    _record(build, savings, "SP-TODAY", _utc(2025, 1, 21, 3, 0))  # 20/01 22:00 local
    _record(build, savings, "SP-DEC", _utc(2024, 12, 10, 15, 30), company="CLARO")
    _record(
        build,
        savings,
        "SP-AUTO",
        _utc(2024, 12, 5, 11, 0),
        company="EPMAPS",
        outcome=PaymentOutcome.SUPERA_MONTO_MAXIMO,
        automatic=True,
        cents=(4_510, 0, 0),
    )
    _record(build, savings, "SP-EDGE-IN", _utc(2024, 10, 20, 5, 0))  # 20/10 00:00 local
    _record(build, savings, "SP-EDGE-OUT", _utc(2024, 10, 20, 4, 59))  # 19/10 23:59 local
    _record(build, savings, "SP-OLD", _utc(2024, 9, 15, 15, 0))  # 4 months old
    maria = f.make_member(build, first_names="MARIA", last_names="LOPEZ")
    f.make_user(build, maria, username="mlopez")
    hers = f.make_account(build, maria)
    _record(build, hers, "SP-MARIA", _utc(2025, 1, 10, 15, 0))
    build.commit()
    return gabriel, savings, login(client, "gsilva", f.PASSWORD)


Fixture = tuple[Member, Account, dict[str, str]]


def _codes(body: dict[str, object]) -> list[str]:
    pagos = body["pagos"]
    assert isinstance(pagos, list)
    return [p["codigo"] for p in pagos]


def test_default_range_is_the_last_three_months_newest_first(
    client: TestClient, member: Fixture
) -> None:
    _, _, headers = member

    response = client.get(HISTORY, headers=headers)

    assert response.status_code == 200
    body = response.json()
    HistorialPagosOut.model_validate(body)
    assert (body["desde"], body["hasta"]) == ("2024-10-20", "2025-01-20")
    assert _codes(body) == ["SP-TODAY", "SP-DEC", "SP-AUTO", "SP-EDGE-IN"]
    assert body["pagos"][0] == {
        "fecha": "2025-01-20",
        "hora": "22:00",
        "categoria": "LUZ",
        "categoria_nombre": "Energía Eléctrica",
        "empresa": "EEQ",
        "empresa_nombre": "EMPRESA ELECTRICA QUITO",
        "suministro": "1234567",
        "recibos": ["023035471"],
        "cuenta": "XXXXXXXX0750",
        "monto": "7.13",
        "comision": "0.31",
        "iva": "0.05",
        "total": "7.49",
        "estado": "PAGADO",
        "estado_descripcion": "Pagado",
        "automatico": False,
        "codigo": "SP-TODAY",
    }
    assert body["pagos"][-1]["hora"] == "00:00"


def test_automatic_runs_that_did_not_pay_appear_with_their_outcome(
    client: TestClient, member: Fixture
) -> None:
    _, _, headers = member

    body = client.get(HISTORY, headers=headers, params={"codigo": "SP-AUTO"}).json()

    (line,) = body["pagos"]
    assert line["automatico"] is True
    assert line["estado"] == "SUPERA_MONTO_MAXIMO"
    assert line["estado_descripcion"] == "La factura supera el monto máximo autorizado"
    assert (line["monto"], line["comision"], line["iva"], line["total"]) == (
        "45.10", "0.00", "0.00", "45.10"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"categoria": "LUZ"}, ["SP-TODAY", "SP-EDGE-IN"]),
        ({"categoria": "TELEFONIA"}, ["SP-DEC"]),
        ({"servicio": "EPMAPS"}, ["SP-AUTO"]),
        ({"categoria": "AGUA", "servicio": "EEQ"}, []),
        ({"codigo": "SP-DEC"}, ["SP-DEC"]),
        ({"codigo": "SP-OLD"}, []),  # outside the range
        ({"codigo": "SP-MARIA"}, []),  # another member's
        ({"desde": "2024-12-01", "hasta": "2024-12-31"}, ["SP-DEC", "SP-AUTO"]),
        ({"hasta": "2025-01-19"}, ["SP-DEC", "SP-AUTO", "SP-EDGE-IN"]),  # 22:00 local stays 20/01
        ({"categoria": "", "servicio": "", "codigo": ""}, ["SP-TODAY", "SP-DEC", "SP-AUTO",
                                                           "SP-EDGE-IN"]),
    ],
)  # fmt: skip
def test_filters(
    client: TestClient, member: Fixture, params: dict[str, str], codes: list[str]
) -> None:
    _, _, headers = member

    response = client.get(HISTORY, headers=headers, params=params)

    assert response.status_code == 200, response.text
    assert _codes(response.json()) == codes


def test_a_future_hasta_is_read_as_today(client: TestClient, member: Fixture) -> None:
    _, _, headers = member

    body = client.get(HISTORY, headers=headers, params={"hasta": "2025-06-30"}).json()

    assert body["hasta"] == "2025-01-20"
    assert _codes(body)[0] == "SP-TODAY"


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"desde": "2024-10-19"}, "RANGO_FECHAS_INVALIDO",
         "Solo puedes consultar pagos de hasta 3 meses de antigüedad (desde el 20/10/2024)."),
        ({"hasta": "2024-10-01"}, "RANGO_FECHAS_INVALIDO",
         "Solo puedes consultar pagos de hasta 3 meses de antigüedad (desde el 20/10/2024)."),
        ({"desde": "2024-12-10", "hasta": "2024-12-01"}, "RANGO_FECHAS_INVALIDO",
         "La fecha desde no puede ser posterior a la fecha hasta."),
        ({"desde": "2025-02-01"}, "RANGO_FECHAS_INVALIDO",
         "La fecha desde no puede ser posterior a la fecha actual."),
        ({"categoria": "GAS"}, "CATEGORIA_INVALIDA", "La categoría seleccionada no es válida."),
        ({"servicio": "NOPE"}, "SERVICIO_INVALIDO", "El servicio seleccionado no es válido."),
        ({"desde": "ayer"}, "DATOS_INVALIDOS", "Los datos enviados no son válidos."),
        ({"codigo": "SP\x00X"}, "DATOS_INVALIDOS", "Los datos enviados no son válidos."),
        ({"codigo": "X" * 21}, "DATOS_INVALIDOS", "Los datos enviados no son válidos."),
    ],
)  # fmt: skip
def test_bad_queries_are_refused_in_spanish(
    client: TestClient, member: Fixture, params: dict[str, str], code: str, message: str
) -> None:
    _, _, headers = member

    response = client.get(HISTORY, headers=headers, params=params)

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["message"] == message


def test_three_calendar_months_follow_the_clock(
    client: TestClient, member: Fixture, set_today: Callable[[date], None]
) -> None:
    _, _, headers = member
    set_today(date(2026, 11, 25))

    ok = client.get(HISTORY, headers=headers, params={"desde": "2026-08-25"})
    too_old = client.get(HISTORY, headers=headers, params={"desde": "2026-08-24"})

    assert ok.status_code == 200
    assert (ok.json()["desde"], ok.json()["hasta"]) == ("2026-08-25", "2026-11-25")
    assert too_old.status_code == 422


def test_history_range_clamps_month_ends() -> None:
    span = history_range(None, None, today=date(2025, 5, 31))

    assert (span.since, span.until) == (date(2025, 2, 28), date(2025, 5, 31))


def test_receipt_is_a_pdf_of_the_paid_payment(client: TestClient, member: Fixture) -> None:
    _, savings, headers = member

    response = client.get(f"{V1}/payments/SP-DEC/receipt", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'attachment; filename="comprobante-SP-DEC.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Comprobante de Pago de Servicios" in text
    assert "SP-DEC" in text
    assert "CLARO POSTPAGO" in text
    assert "GABRIEL SILVA" in text
    assert "10/12/2024" in text and "10:30" in text
    assert "$7.49" in text
    assert "XXXXXXXX0750" in text
    assert savings.number not in text
    again = client.get(f"{V1}/payments/SP-DEC/receipt", headers=headers)
    assert again.content == response.content


@pytest.mark.parametrize("code", ["SP-MARIA", "SP-NADA"])
def test_another_members_or_unknown_receipt_is_not_found(
    client: TestClient, member: Fixture, code: str
) -> None:
    _, _, headers = member

    response = client.get(f"{V1}/payments/{code}/receipt", headers=headers)

    assert response.status_code == 404
    assert response.json() == {
        "code": "PAGO_NO_ENCONTRADO",
        "message": "No encontramos el pago solicitado.",
        "details": None,
    }


def test_a_payment_that_did_not_pay_has_no_receipt(client: TestClient, member: Fixture) -> None:
    _, _, headers = member

    response = client.get(f"{V1}/payments/SP-AUTO/receipt", headers=headers)

    assert response.status_code == 409
    assert response.json()["code"] == "PAGO_NO_REALIZADO"
    assert response.json()["message"] == (
        "Este pago no se realizó, por lo que no tiene comprobante."
    )


def test_history_and_receipts_need_a_session(client: TestClient, member: Fixture) -> None:
    for path in ("/payments/history", "/payments/SP-DEC/receipt"):
        response = client.get(V1 + path)
        assert response.status_code == 401
        assert response.json()["code"] == "SESION_INVALIDA"

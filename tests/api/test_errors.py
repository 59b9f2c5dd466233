"""Bad input gets a 4xx JSON error with a stable code and a Spanish message, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from api import errors
from api.main import create_app
from api.schemas.common import AccountNumber, MoneyAmount, parse_money
from bank.core.settings import ApiSettings
from tests import factories as f
from tests.api.conftest import login

LOGIN = "/api/v1/auth/login"


def test_malformed_json_is_a_400(client: TestClient) -> None:
    response = client.post(
        LOGIN,
        content=b'{"username": "gsilva", "password": ',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "JSON_INVALIDO",
        "message": "El cuerpo de la solicitud no es un JSON válido.",
        "details": None,
    }


MAX_40 = "Debe tener como máximo 40 caracteres."
MAX_128 = "Debe tener como máximo 128 caracteres."
CONTROL = "El texto contiene caracteres no permitidos."


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"username": 123, "password": "x"}, "username", "Debe ser un texto."),
        ({"username": "gsilva"}, "password", "Este campo es obligatorio."),
        ({"username": "a" * 41, "password": "x"}, "username", MAX_40),
        ({"username": "g", "password": "x" * 10_000}, "password", MAX_128),
        ({"username": "", "password": "x"}, "username", "Debe tener al menos 1 caracteres."),
        ({"username": "g", "password": "x", "admin": 1}, "admin", "Este campo no está permitido."),
        ({"username": ["g"], "password": None}, "username", "Debe ser un texto."),
        ({"username": "g\x00", "password": "x"}, "username", CONTROL),
        ({"username": "g", "password": "a\nb"}, "password", CONTROL),
    ],
)  # fmt: skip
def test_invalid_fields_get_spanish_field_details(
    client: TestClient, body: object, field: str, message: str
) -> None:
    response = client.post(LOGIN, json=body)

    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "DATOS_INVALIDOS"
    assert payload["message"] == "Los datos enviados no son válidos."
    assert {"location": "body", "field": field, "message": message} in [
        {k: d[k] for k in ("location", "field", "message")} for d in payload["details"]
    ]
    assert "x" * 100 not in response.text  # the rejected input is not echoed


@pytest.mark.parametrize("body", [[], 42, "texto", None, True])
def test_a_body_that_is_not_an_object(client: TestClient, body: object) -> None:
    response = client.post(LOGIN, json=body)

    assert response.status_code == 422
    assert response.json()["code"] == "DATOS_INVALIDOS"


def test_unknown_route_and_wrong_method(client: TestClient) -> None:
    missing = client.get("/api/v1/no-existe")
    wrong = client.delete("/api/v1/position")

    assert missing.status_code == 404
    assert missing.json()["code"] == "RECURSO_NO_ENCONTRADO"
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "METODO_NO_PERMITIDO"
    assert "GET" in wrong.headers["allow"]


def test_an_oversized_body_is_refused(client: TestClient) -> None:
    response = client.post(
        LOGIN,
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json()["code"] == "SOLICITUD_DEMASIADO_GRANDE"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/accounts/abc",
        "/api/v1/accounts/" + "1" * 21,
        "/api/v1/accounts/12%2034",
        "/api/v1/loans/-5",
        "/api/v1/cards/abc",
        "/api/v1/cards/0",
        "/api/v1/cards/" + str(2**64),
        "/api/v1/cards/1.5",
    ],
)
def test_malformed_product_ids_are_422(client: TestClient, build: Session, path: str) -> None:
    f.make_full_member(build, username="gsilva")
    build.commit()

    response = client.get(path, headers=login(client, "gsilva", f.PASSWORD))

    assert response.status_code == 422
    assert response.json()["code"] == "DATOS_INVALIDOS"


def test_an_unexpected_error_is_a_bare_500(api_settings: ApiSettings) -> None:
    app = create_app(api_settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")

    assert response.status_code == 500
    assert response.json() == {
        "code": "ERROR_INTERNO",
        "message": "Ocurrió un error inesperado. Intenta nuevamente más tarde.",
        "details": None,
    }


# --- MoneyAmount and AccountNumber, through a small route with the same error handlers -----


class _Payment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: MoneyAmount
    account: AccountNumber


@pytest.fixture(scope="module")
def echo() -> Iterator[TestClient]:
    app = FastAPI()
    errors.install(app)

    @app.post("/echo")
    async def echo_route(body: _Payment) -> dict[str, str]:
        return {"amount": str(body.amount), "account": body.account}

    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("10.50", "10.50"), (10.5, "10.50"), (7, "7.00"), ("0.01", "0.01"),
     ("1000000.00", "1000000.00"), ("1000000", "1000000.00")],
)  # fmt: skip
def test_valid_amounts(echo: TestClient, amount: object, expected: str) -> None:
    response = echo.post("/echo", json={"amount": amount, "account": "410112060750"})

    assert response.status_code == 200
    assert response.json()["amount"] == expected


@pytest.mark.parametrize(
    "amount",
    ["0", 0, "0.00", 0.0, "-1", -1, -0.5, "10.015", 10.015, "0.001", "1e2", "1E2", "1e-2",
     "NaN", "Infinity", "-Infinity", True, False, None, [], {}, "", " 10", "10 ", "+10",
     "1,000.00", "10.", ".5", "1000000.01", 1000000.01, "99999999", 10**30, "0x10", "١٠",
     "1_000"],
)  # fmt: skip
def test_invalid_amounts(echo: TestClient, amount: object) -> None:
    response = echo.post("/echo", json={"amount": amount, "account": "410112060750"})

    assert response.status_code == 422
    [detail] = response.json()["details"]
    assert detail["field"] == "amount"
    assert detail["type"] == "monto_invalido"
    assert detail["message"].startswith("El monto")


@pytest.mark.parametrize("raw", [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"1e-7"])
def test_non_finite_and_exponent_json_numbers(echo: TestClient, raw: bytes) -> None:
    body = b'{"account": "410112060750", "amount": ' + raw + b"}"

    response = echo.post("/echo", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 422


@pytest.mark.parametrize("account", ["", "abc", "1" * 21, 410112060750, "4101-1206", " 410"])
def test_invalid_account_numbers(echo: TestClient, account: object) -> None:
    response = echo.post("/echo", json={"amount": "1.00", "account": account})

    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "account"


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2))
def test_every_two_decimal_amount_in_range_round_trips(amount: Decimal) -> None:
    assert parse_money(str(amount)) == amount


@given(st.one_of(st.text(max_size=30), st.floats(), st.integers(), st.booleans(), st.none()))
def test_parse_money_only_ever_raises_its_own_error(value: object) -> None:
    try:
        result = parse_money(value)
    except PydanticCustomError as exc:
        assert exc.type == "monto_invalido"
    else:
        assert Decimal("0.01") <= result <= Decimal("1000000.00")
        assert result == result.quantize(Decimal("0.01"))


def test_a_business_refusal_is_a_422_with_its_own_code() -> None:
    from bank.access.otp_errors import OtpExpired
    from bank.ledger import InsufficientFunds

    app = FastAPI()
    errors.install(app)

    @app.get("/funds")
    async def funds() -> None:
        raise InsufficientFunds(account_id=1)

    @app.get("/otp")
    async def otp() -> None:
        raise OtpExpired()

    with TestClient(app) as client:
        funds_answer = client.get("/funds")
        otp_answer = client.get("/otp")
    assert funds_answer.status_code == 422
    assert funds_answer.json()["code"] == "FONDOS_INSUFICIENTES"
    assert funds_answer.json()["message"] == "Fondos insuficientes en la cuenta."
    assert otp_answer.status_code == 422
    assert otp_answer.json()["code"] == "OTP_EXPIRADO"

"""The embedded default: the same API over a SQLite file (the portable read path)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.main import create_app
from bank.core import migrate
from bank.core.db import make_engine
from bank.core.settings import ApiSettings
from tests import factories as f
from tests.api.conftest import login


@pytest.fixture
def sqlite_client(tmp_path: Path) -> Iterator[tuple[TestClient, f.Bundle]]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        bundle = f.make_full_member(session, username="gsilva")
        session.commit()
    engine.dispose()
    settings = ApiSettings(
        database_url=url, dev_outbox=False, secret_key="sqlite-test-secret-0123456789abcdef"
    )
    with TestClient(create_app(settings)) as client:
        client.app.state.core.clock.fixed_today = date(2025, 1, 20)  # type: ignore[attr-defined]
        yield client, bundle


def test_products_work_on_sqlite(sqlite_client: tuple[TestClient, f.Bundle]) -> None:
    client, bundle = sqlite_client
    assert client.app.state.core.positions is None  # type: ignore[attr-defined]
    headers = login(client, "gsilva", f.PASSWORD)

    position = client.get("/api/v1/position", headers=headers).json()
    account = client.get(f"/api/v1/accounts/{bundle.savings.number}", headers=headers).json()
    loan = client.get(f"/api/v1/loans/{bundle.loan.number}", headers=headers).json()
    movements = client.get(f"/api/v1/accounts/{bundle.savings.number}/movements", headers=headers)

    assert position["cuentas"][0]["saldo_contable"] == "295.65"
    assert position["cuentas"][1]["saldo_disponible"] == "0.00"
    assert position["prestamos"][0]["status"] == "Vigente"
    assert position["inversiones"][0]["tasa_interes"] == "7.90%"
    assert len(position["tarjetas"]) == 2
    assert [m["monto"] for m in account["ultimos_movimientos"]] == ["-4.35", "300.00"]
    assert loan["tabla_amortizacion"][0]["estado"] == "Vigente"
    assert movements.json()["total"] == 2
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert client.get("/api/v1/position", headers=headers).status_code == 401

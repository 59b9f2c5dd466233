"""Campaign rows (CSV or JSON) validated into offers: every problem reported, in Spanish."""

from __future__ import annotations

from datetime import date

import pytest

from bank.credit.campaigns import CampaignFileError, read_csv, validate_rows

TODAY = date(2026, 3, 2)
HEADER = "campaign_id,identificacion,monto_maximo,monto_minimo,plazos,tasa,vigencia_hasta"


def good(**changes: str) -> dict[str, str]:
    row = {
        "campaign_id": "PRE2026",
        "identificacion": "1720364189",
        "monto_maximo": "10000",
        "monto_minimo": "500.50",
        "plazos": "36;12;24",
        "tasa": "15.83",
        "vigencia_hasta": "2026-03-31",
    }
    row.update(changes)
    return row


def test_a_good_row_becomes_an_offer_in_cents_and_fractions() -> None:
    result = validate_rows([good(metodo="aleman", seguro_desgravamen="0.05")], TODAY)

    assert result.ok
    [offer] = result.offers
    assert (offer.max_amount_cents, offer.min_amount_cents) == (1_000_000, 50_050)
    assert offer.allowed_terms == (12, 24, 36)
    assert offer.annual_rate == "0.1583" and offer.insurance_monthly_rate == "0.0005"
    assert offer.method == "GERMAN" and offer.line == 2
    assert offer.valid_until.isoformat() == "2026-03-31T23:59:59-05:00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"campaign_id": "PRE 2026"}, "campaign_id"),
        ({"campaign_id": "credit-x"}, "campaign_id"),
        ({"identificacion": "17-20"}, "identificacion"),
        ({"monto_maximo": "10,000.00"}, "monto_maximo"),
        ({"monto_maximo": "0"}, "monto_maximo"),
        ({"monto_minimo": "1e3"}, "monto_minimo"),
        ({"monto_minimo": "20000"}, "monto_minimo"),
        ({"plazos": "12;12"}, "plazos"),
        ({"plazos": "12,24"}, "plazos"),
        ({"plazos": "0;400"}, "plazos"),
        ({"tasa": "0.1583"}, "tasa"),
        ({"tasa": "-15"}, "tasa"),
        ({"tasa": "NaN"}, "tasa"),
        ({"vigencia_hasta": "31/03/2026"}, "vigencia_hasta"),
        ({"vigencia_hasta": "2026-03-01"}, "vigencia_hasta"),
        ({"metodo": "AMERICANO"}, "metodo"),
        ({"seguro_desgravamen": "5"}, "seguro_desgravamen"),
    ],
)
def test_each_bad_value_is_reported_by_field(changes: dict[str, str], field: str) -> None:
    result = validate_rows([good(), good(**{"identificacion": "1700000001", **changes})], TODAY)

    assert [o.line for o in result.offers] == [2]
    [error] = result.errors
    assert error.line == 3 and any(field in reason for reason in error.reasons), error


def test_every_problem_of_a_row_is_listed_and_duplicates_refused() -> None:
    result = validate_rows(
        [good(), good(), good(identificacion="1700000001", tasa="x", plazos="")], TODAY
    )

    assert not result.ok
    assert [e.line for e in result.errors] == [3, 4]
    assert "repetida" in result.errors[0].reasons[0]
    assert len(result.errors[1].reasons) == 2


def test_csv_reading_accepts_bom_and_blank_lines_and_refuses_bad_files() -> None:
    data = ("\ufeff" + HEADER.upper() + "\n\n" + ",".join(good().values()) + "\n").encode()

    [row] = read_csv(data)

    assert row["identificacion"] == "1720364189" and row["plazos"] == "36;12;24"
    with pytest.raises(CampaignFileError, match="UTF-8"):
        read_csv(b"\xff\xfe" + HEADER.encode("utf-16-le"))
    with pytest.raises(CampaignFileError, match="columnas"):
        read_csv(b"campaign_id,identificacion\nA,1\n")
    with pytest.raises(CampaignFileError, match="no contiene"):
        read_csv((HEADER + "\n").encode())
    extra = read_csv((HEADER + "\n" + ",".join(good().values()) + ",sobra\n").encode())
    assert "más columnas" in validate_rows(extra, TODAY).errors[0].reasons[0]

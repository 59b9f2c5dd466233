"""The service payment receipt PDF: content, determinism, paid payments only."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from bank.models import PaymentOutcome, ServicePaymentRecord
from bank.payments.history import HistoryLine
from bank.reports.payment_receipt import ReceiptNotAvailable, render_receipt

LINE = HistoryLine(
    fecha=date(2025, 1, 20),
    hora="22:05",
    categoria="LUZ",
    categoria_nombre="Energía Eléctrica",
    empresa="EEQ",
    empresa_nombre="EMPRESA ELECTRICA QUITO",
    suministro="1234567",
    recibos=("023035471", "023035472"),
    monto_cents=123_456,
    comision_cents=62,
    iva_cents=9,
    estado=PaymentOutcome.PAGADO,
    automatico=True,
    codigo="SP2501200001",
    cuenta="410112060750",
)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def test_receipt_shows_every_field_of_the_payment() -> None:
    pdf = render_receipt(LINE, "GABRIEL SILVA", "XXXXXXXX0750")

    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in (
        "Cooprogreso Cooperativa de Ahorro y Crédito",
        "Comprobante de Pago de Servicios",
        "20/01/2025",
        "22:05",
        "GABRIEL SILVA",
        "Energía Eléctrica",
        "EMPRESA ELECTRICA QUITO",
        "1234567",
        "023035471, 023035472",
        "$1,234.56",
        "$0.62",
        "$0.09",
        "Total a Pagar",
        "$1,235.27",
        "XXXXXXXX0750",
        "SP2501200001",
        "Débito automático",
        "Sí",
    ):
        assert expected in text, expected


def test_same_input_same_bytes() -> None:
    first = render_receipt(LINE, "GABRIEL SILVA", "XXXXXXXX0750")
    second = render_receipt(LINE, "GABRIEL SILVA", "XXXXXXXX0750")

    assert first == second


def test_a_stored_record_renders_in_local_time() -> None:
    record = ServicePaymentRecord(
        key="wf-1",
        member_id=1,
        account_id=1,
        automatic=False,
        category="AGUA",
        company_code="EPMAPS",
        company_name="EPMAPS AGUA DE QUITO",
        supply_number="987654",
        receipts=["1"],
        amount_cents=713,
        fee_cents=31,
        iva_cents=5,
        outcome=PaymentOutcome.PAGADO,
        code="SP-REC",
        created_at=datetime(2025, 1, 21, 3, 0, tzinfo=UTC),
    )

    text = _text(render_receipt(record, "MARIA <LOPEZ> & CIA", "XXXX1234"))

    assert "20/01/2025" in text and "22:00" in text
    assert "Agua Potable" in text
    assert "$7.49" in text
    assert "MARIA <LOPEZ> & CIA" in text
    assert "No" in text


@pytest.mark.parametrize("outcome", [o for o in PaymentOutcome if o is not PaymentOutcome.PAGADO])
def test_only_paid_payments_have_a_receipt(outcome: PaymentOutcome) -> None:
    with pytest.raises(ReceiptNotAvailable):
        render_receipt(replace(LINE, estado=outcome), "GABRIEL SILVA", "XXXXXXXX0750")

"""Sample credit operations for the signing tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bank.core.money import iva_cents
from bank.credit import amortization
from bank.signing.contracts import Charge, CreditDocumentsInput, Party
from bank.signing.documents import schedule_lines

MEMBER = Party("MARÍA FERNANDA GUTIÉRREZ ZAMBRANO", "1710034065", "maria@example.ec")
SPOUSE = Party("JOSÉ LUIS ÑAUPARI TORRES", "0926687856", "jose@example.ec")


def sample_input(
    *, spouse: bool = True, amount_cents: int = 1_375_000, term: int = 24
) -> CreditDocumentsInput:
    """A $13,750 French loan at 15.83% with a fee, its IVA and insurance."""
    table = amortization.schedule(
        amount_cents,
        Decimal("0.1583"),
        term,
        amortization.FRENCH,
        date(2025, 3, 14),
        insurance_monthly_rate=Decimal("0.00045"),
    )
    fee = 2_500
    charges = [
        Charge("Comisión por gestión de crédito", fee),
        Charge("IVA comisión por gestión de crédito", iva_cents(fee)),
        Charge("Contribución SOLCA (0,5%)", amount_cents // 200),
    ]
    return CreditDocumentsInput(
        operation_reference="CR-2025-000123",
        issued_on="2025-03-14",
        member=MEMBER,
        spouse=SPOUSE if spouse else None,
        product_name="Crédito Preaprobado de Consumo",
        amount_cents=amount_cents,
        term_months=term,
        annual_rate="0.1583",
        method="FRENCH",
        installment_cents=table.first_installment_cents,
        charges=charges,
        net_amount_cents=amount_cents - sum(c.amount_cents for c in charges),
        account_number="4010123456",
        schedule=schedule_lines(table),
        insurance_monthly_rate="0.00045",
    )


def tamper(pdf: bytes) -> bytes:
    """Change one byte inside the first revision (covered by every signature), same length."""
    original = b"ReportLab PDF Library"
    index = pdf.index(original)
    changed = bytearray(pdf)
    changed[index + len(original) - 1] ^= 0x01
    return bytes(changed)

"""The chart of internal accounts and the movement-code catalogue."""

from __future__ import annotations

from sqlalchemy import select

from bank.ledger import chart
from bank.ledger import movement_codes as mc
from bank.models import Account, ProductType


def test_ensure_chart_is_idempotent_and_creates_internal_accounts(sessions):
    with sessions.begin() as s:
        first = chart.ensure_chart(s)
    with sessions.begin() as s:
        assert chart.ensure_chart(s) == first
        accounts = s.scalars(select(Account).where(Account.id.in_(first.values()))).all()
    assert set(first) == {gl.code for gl in chart.CHART}
    assert len(accounts) == len(chart.CHART)
    for account in accounts:
        assert account.product is ProductType.INTERNAL
        assert account.allow_negative and account.member_id is None
    fee_income = next(a for a in accounts if a.id == first[chart.FEE_INCOME])
    assert fee_income.number == "GL-5401"
    assert fee_income.name == "COMISIONES POR TRANSFERENCIAS"


def test_chart_numbers_are_unique():
    numbers = [gl.number for gl in chart.CHART]
    assert len(set(numbers)) == len(numbers)


def test_movement_labels_match_the_manual():
    assert mc.TRANSFER_DEBIT.label == "22050 - ND TRANSFERENCIA PAGO DIRECTO"
    assert mc.TRANSFER_FEE.label == "22049 - COMISIÓN TRANSFERENCIA PAGO DIRECTO"
    assert mc.SPI_FEE.label == "183 - COSTO TRANSFERENCIA / PAGO TARJETAS SPI"
    assert mc.WITHDRAWAL.label == "0 - RETIRO DE AHORROS"
    assert mc.by_code(2) is mc.INTEREST_CAPITALIZATION
    assert len(mc.CATALOGUE) == 30  # codes are unique

"""Contribution certificates: credited, never debited by a member movement, never held."""

from __future__ import annotations

import pytest

from bank.ledger import (
    EntryKind,
    EntryRequest,
    InsufficientFunds,
    Leg,
    chart,
    place_hold,
    post,
    reconcile,
)
from bank.ledger import movement_codes as mc
from bank.models import ProductType
from tests.bank.ledger_support import balances, fund, open_account, transfer


def test_certificates_are_credited_but_never_debited_by_members(sessions):
    with sessions.begin() as s:
        certificates = open_account(s, ProductType.CERTIFICATES)
        savings = open_account(s)
        fund(s, certificates, 43_290)
    assert balances(sessions, certificates) == (43_290, 0)

    with sessions.begin() as s, pytest.raises(InsufficientFunds) as refused:
        post(s, transfer("cert-out", certificates, savings, 100))
    assert refused.value.account_id == certificates
    assert "certificados" in refused.value.message.lower()
    with sessions.begin() as s, pytest.raises(InsufficientFunds):
        place_hold(s, "cert-hold", certificates, 100, "PAGO")
    assert balances(sessions, certificates) == (43_290, 0)


def test_only_a_liquidation_may_debit_certificates(sessions):
    with sessions.begin() as s:
        cash = chart.ensure_chart(s)[chart.CASH]
        certificates = open_account(s, ProductType.CERTIFICATES)
        fund(s, certificates, 43_290)
        post(
            s,
            EntryRequest(
                "liquidation-1",
                EntryKind.CERTIFICATE_LIQUIDATION,
                "Liquidación de certificados",
                (
                    Leg.of(mc.CERTIFICATE_LIQUIDATION, certificates, -43_290),
                    Leg.of(mc.CERTIFICATE_LIQUIDATION, cash, 43_290),
                ),
            ),
        )
    assert balances(sessions, certificates) == (0, 0)
    with sessions() as s:
        assert reconcile(s) == []

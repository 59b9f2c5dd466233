"""Property: any sequence of transfers, fees and holds keeps the books reconciled."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank.ledger import (
    EntryKind,
    EntryRequest,
    InsufficientFunds,
    Leg,
    chart,
    place_hold,
    post,
    reconcile,
    release_hold,
)
from bank.ledger import movement_codes as mc
from tests.bank.ledger_support import balances, fund, open_account

FEE, IVA = 36, 5
ACCOUNTS = 4

transfers = st.tuples(
    st.just("transfer"),
    st.integers(0, ACCOUNTS - 1),
    st.integers(0, ACCOUNTS - 1),
    st.integers(1, 3_000),
    st.booleans(),
)
holds = st.tuples(st.just("hold"), st.integers(0, ACCOUNTS - 1), st.integers(1, 2_000))
releases = st.tuples(st.just("release"), st.integers(0, 20))
operations = st.lists(st.one_of(transfers, holds, releases), min_size=1, max_size=25)
openings = st.lists(st.integers(0, 5_000), min_size=ACCOUNTS, max_size=ACCOUNTS)


def request(source: int, target: int, cents: int, fee: bool, gl: dict[str, int]) -> EntryRequest:
    legs = [Leg.of(mc.TRANSFER_DEBIT, source, -cents)]
    if fee:
        legs += [Leg.of(mc.TRANSFER_FEE, source, -FEE), Leg.of(mc.TRANSFER_IVA, source, -IVA)]
    legs.append(Leg.of(mc.TRANSFER_CREDIT, target, cents))
    if fee:
        legs += [
            Leg.of(mc.TRANSFER_FEE, gl[chart.FEE_INCOME], FEE),
            Leg.of(mc.TRANSFER_IVA, gl[chart.IVA_PAYABLE], IVA),
        ]
    return EntryRequest(str(uuid.uuid4()), EntryKind.TRANSFER, "Transferencia", tuple(legs))


class Books:
    """The expected state, updated only by operations the ledger accepted."""

    def __init__(self, ids: list[int], opening: list[int], gl: dict[str, int]) -> None:
        self.ids, self.gl = ids, gl
        self.balance = dict(zip(ids, opening, strict=True))
        self.held = dict.fromkeys(ids, 0)
        self.placed: list[tuple[str, int, int]] = []
        self.released: set[str] = set()

    def available(self, account: int) -> int:
        return self.balance[account] - self.held[account]

    def transfer(self, s, src: int, dst: int, cents: int, fee: bool) -> None:
        source, target = self.ids[src], self.ids[dst]
        if source == target:
            return
        cost = cents + (FEE + IVA if fee else 0)
        try:
            post(s, request(source, target, cents, fee, self.gl))
        except InsufficientFunds:
            assert self.available(source) < cost
        else:
            assert self.available(source) >= cost
            self.balance[source] -= cost
            self.balance[target] += cents

    def hold(self, s, which: int, cents: int) -> None:
        account, key = self.ids[which], str(uuid.uuid4())
        try:
            place_hold(s, key, account, cents, "PRUEBA")
        except InsufficientFunds:
            assert self.available(account) < cents
        else:
            self.held[account] += cents
            self.placed.append((key, account, cents))

    def release(self, s, pick: int) -> None:
        if not self.placed:
            return
        key, account, cents = self.placed[pick % len(self.placed)]
        release_hold(s, key)
        if key not in self.released:
            self.released.add(key)
            self.held[account] -= cents


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(opening=openings, ops=operations)
def test_random_operations_always_reconcile(sessions, opening, ops):
    with sessions.begin() as s:
        gl = chart.ensure_chart(s)
        ids = [open_account(s) for _ in range(ACCOUNTS)]
        for account, cents in zip(ids, opening, strict=True):
            if cents:
                fund(s, account, cents)
    books = Books(ids, opening, gl)

    for name, *args in ops:
        with sessions.begin() as s:
            getattr(books, name)(s, *args)

    for account in ids:
        stored = balances(sessions, account)
        assert stored == (books.balance[account], books.held[account])
        assert stored[0] - stored[1] >= 0
    with sessions() as s:
        assert reconcile(s) == []

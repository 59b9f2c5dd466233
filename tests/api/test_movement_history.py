"""Records the movement workflow's committed history (an interbank transfer the SPI
rejects: preview, a wrong code, the posting, the clearing wait, the reversal), which
``tests/replay/`` replays.

Re-record only when the workflow changes on purpose: ``COOP_RECORD_HISTORIES=1``.
"""

from __future__ import annotations

import os

import pytest

from tests.api.movement_support import Money, make_member
from tests.support.histories import MOVEMENT_INTERBANK_LOCAL_STEPS
from workflows.movement.contract import Status, workflow_id

HISTORY = MOVEMENT_INTERBANK_LOCAL_STEPS
"""The current shape (the older recording, ``MOVEMENT_INTERBANK_REVERSED``, stays replayed)."""


@pytest.mark.skipif(
    not os.environ.get("COOP_RECORD_HISTORIES"), reason="set COOP_RECORD_HISTORIES=1 to re-record"
)
async def test_record_interbank_reversal_history(money: Money) -> None:
    with money.sessions.begin() as session:
        member = make_member(session, "ana", 10_000)
    ana = await money.login(member)
    body = {
        "tipo": "INTERBANCARIA",
        "cuenta_origen": ana.savings,
        "monto": "20.00",
        "nuevo_beneficiario": {
            "nombre": "Luis Andrade",
            "tipo_identificacion": "CEDULA",
            "identificacion": "1710034065",
            "cuenta": "2200130000",
            "institucion": "0037",
        },
    }
    key, _ = await money.start(ana, "/transfers", body, key="history-interbank-1")
    right = money.otp_code(ana.member_id)
    await money.confirm(ana, key, "000000" if right != "000000" else "111111")
    await money.confirm(ana, key, right)
    assert (await money.finish(ana, key)).status is Status.REVERSED
    handle = money.env.client.get_workflow_handle(workflow_id(ana.member_id, key))
    history = await handle.fetch_history()
    HISTORY.write_text(history.to_json())

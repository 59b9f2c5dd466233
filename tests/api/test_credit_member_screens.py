"""What the member's credit screens read from the API beyond the journey's own steps: how old
a utility bill may be (the hint of "Cargar documentos") and the deadline named by the answer
to "Finalizar". Time-skipping server, real workflow, fake activities, real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from bank.credit.deadline import cutoff_text, local
from bank.settings import ApiSettings
from tests.api.credit_support import JPEG, Api, offered, running_api, time_skipping_env
from tests.workflows.credit_fakes import to_morning

__all__ = ["time_skipping_env"]  # the module-scoped server fixture


@pytest.fixture
async def api(
    api_settings: ApiSettings,
    time_skipping_env: WorkflowEnvironment,
    tmp_path: Path,
    sessions: sessionmaker[Session],
) -> AsyncIterator[Api]:
    async with running_api(api_settings, time_skipping_env, tmp_path, sessions) as api:
        yield api


async def test_bill_age_limit_and_the_deadline_named_on_finalize(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    url = api.offer_url
    [ana] = await offered(api, sessions, "ana")
    await to_morning(api.env)
    await api.http.post(f"{url}/accept", headers=ana)
    chosen = await api.http.post(f"{url}/choose", json={"monto": 2000, "plazo": 12}, headers=ana)
    for kind in chosen.json()["documentos_requeridos"]:
        form = {"fecha_emision": date.today().isoformat()} if kind == "UTILITY_BILL" else {}
        await api.http.post(
            f"{url}/documents/{kind}",
            files={"archivo": (f"{kind}.jpg", JPEG, "image/jpeg")},
            data=form,
            headers=ana,
        )
    state = await api.http.get(url, headers=ana)
    finalized = await api.http.post(f"{url}/finalize", headers=ana)

    assert state.json()["oferta"]["planilla_meses_maximo"] == 2
    assert finalized.status_code == 200, finalized.text
    deadline = datetime.fromisoformat(finalized.json()["plazo_firma"])
    hour = cutoff_text(local(deadline).time())
    assert hour == "19H00"  # the cut-off this journey was loaded with
    assert f"enlace para firmarlos hasta las {hour} de hoy." in finalized.json()["mensaje"]

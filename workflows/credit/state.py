"""The credit journey's state and status: what it holds, its Query, and the one place that
changes the status (search attributes and memo follow it).

Every part of :class:`workflows.credit.journey.CreditJourneyWorkflow` derives from
:class:`CreditJourneyBase`: it also runs activities with explicit timeouts and retry
policies, serialises mutating handlers and checks the status an action needs. Deterministic;
no I/O.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from bank.credit.requirements import (
        MemberProfile,
        Requirements,
    )
    from bank.credit.simulation import Simulation, Summary
    from bank.signing import contracts as sign
    from workflows.credit import calls as act
    from workflows.credit.contract import (
        ERR_STATE,
        AuditRecord,
        CreditJourneyState,
        CreditOffer,
        Role,
        Status,
        UploadedDocument,
        reject,
    )
    from workflows.credit.signatories import (
        SignatoryProgress,
    )
    from workflows.search_attributes import (
        AMOUNT_REQUESTED,
        CAMPAIGN_ID,
        CREDIT_STATUS,
        MEMBER_ID,
        SIGNING_DEADLINE,
    )


T = TypeVar("T")


class CreditJourneyBase:
    """The journey's state and the plumbing every part uses (see the module docstring)."""

    def __init__(self) -> None:
        self._offer: CreditOffer
        self._status = Status.OFFERED
        self._reason: str | None = None
        self._consent_at: datetime | None = None
        self._consent_origin: str | None = None
        self._dismissals = self._simulations = self._generation = self._busy = 0
        self._profile: MemberProfile | None = None
        self._requirements: Requirements | None = None
        self._simulation: Simulation | None = None
        self._summary: Summary | None = None
        self._documents: dict[str, UploadedDocument] = {}
        self._rendered: list[sign.DocumentRef] = []
        self._current: list[sign.DocumentRef] = []
        self._signatories: dict[Role, SignatoryProgress] = {}
        self._deadline: datetime | None = None
        self._loan_number: str | None = None
        self._net_cents: int | None = None
        self._trail: list[AuditRecord] = []
        self._lock = asyncio.Lock()

    @workflow.query
    def state(self) -> CreditJourneyState:
        """Everything about this journey (officers; the API filters what members see)."""
        held, deleted = self._biometric_counts()
        return CreditJourneyState(
            status=self._status,
            offer=self._offer,
            reason=self._reason,
            consent_at=self._consent_at,
            consent_origin=self._consent_origin,
            dismissals=self._dismissals,
            requirements=self._requirements,
            simulations=self._simulations,
            summary=self._summary,
            documents=tuple(self._documents.values()),
            generation=self._generation,
            signing_documents=tuple(self._current),
            document_hashes=tuple(sorted(doc.sha256 for doc in self._rendered)),
            signatories=tuple(s.view() for s in self._signatories.values()),
            deadline=self._deadline,
            loan_number=self._loan_number,
            net_amount_cents=self._net_cents,
            audit=tuple(self._trail),
            biometrics_held=held,
            biometrics_deleted=deleted,
        )

    def _biometric_counts(self) -> tuple[int, int]:
        """Frames and encodings held and deleted (``workflows.credit.biometrics``)."""
        return 0, 0

    @asynccontextmanager
    async def _step(self) -> AsyncIterator[None]:
        """One mutating handler at a time; the main loop waits for ``_busy`` to drop."""
        self._busy += 1
        try:
            async with self._lock:
                yield
        finally:
            self._busy -= 1

    def _require(self, allowed: Collection[Status]) -> None:
        if self._status not in allowed:
            raise reject(ERR_STATE, "Esta acción ya no está disponible para tu crédito.")
        before_sending = {Status.OFFERED, Status.ACCEPTED, Status.SUMMARY}
        if self._status in before_sending and workflow.now() >= self._offer.valid_until:
            raise reject(ERR_STATE, "La oferta de crédito ya no está vigente.")

    async def _call(
        self,
        name: str,
        arg: Any,
        result_type: type[T],
        *,
        cpu: bool = False,
        retry: RetryPolicy = act.QUICK,
        timeout: timedelta = act.SHORT,  # noqa: ASYNC109 - Temporal's start_to_close
    ) -> T:
        """Run an activity by name; ``cpu`` sends it to the CPU-heavy queue."""
        return await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            task_queue=self._offer.kyc_task_queue if cpu else None,
            start_to_close_timeout=act.LONG if cpu and timeout == act.SHORT else timeout,
            retry_policy=retry,
        )

    def _audit(self, actor: str, action: str, detail: str = "") -> None:
        self._trail.append(AuditRecord(workflow.now(), actor, action, detail))

    def _set_status(self, status: Status) -> None:
        """The one place that changes the status: search attributes and memo follow it."""
        self._status = status
        updates: list[SearchAttributeUpdate[Any]] = [
            CREDIT_STATUS.value_set(status.value),
            MEMBER_ID.value_set(str(self._offer.member_id)),
            CAMPAIGN_ID.value_set(self._offer.campaign_id),
            # 0 while no amount is chosen (a float attribute: visibility only, never money).
            AMOUNT_REQUESTED.value_set(self._summary.amount_cents / 100 if self._summary else 0.0),
        ]
        if self._deadline is not None:  # set once a request is sent, never cleared
            updates.append(SIGNING_DEADLINE.value_set(self._deadline))
        workflow.upsert_search_attributes(updates)
        workflow.upsert_memo({"summary": self._memo()})

    def _memo(self) -> str:
        parts = [f"Oferta {self._offer.campaign_id} socio {self._offer.member_id}: {self._status}"]
        if self._summary:
            parts.append(f"monto {self._summary.amount_cents / 100:.2f} USD")
            parts.append(f"plazo {self._summary.term_months} meses")
        if self._deadline:
            parts.append(f"firmas hasta {self._deadline.isoformat()}")
        if self._loan_number:
            parts.append(f"crédito {self._loan_number}")
        return "; ".join(parts)

    def _required(self) -> tuple[str, ...]:
        kinds = self._requirements.required_documents if self._requirements else ()
        return tuple(str(kind) for kind in kinds)

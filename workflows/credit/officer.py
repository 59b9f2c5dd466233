"""What a credit officer does to a journey, by Update: regenerate an expired or invalid
request (new documents, links and deadline; every signatory starts over) or cancel it with a
reason. Both are in the audit trail. Deterministic; no I/O.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.credit.contract import (
        ERR_AFTER_CUTOFF,
        ERR_OFFICER,
        ERR_STATE,
        TERMINAL,
        CreditJourneyState,
        OfficerAction,
        Status,
        reject,
    )

from workflows.credit.signing import SigningPhase

REGENERABLE = frozenset(
    {
        Status.AWAITING_SIGNATURES,
        Status.EXPIRED_AWAITING_REGENERATION,
        Status.SIGNATURE_INVALID,
    }
)


class OfficerActions(SigningPhase):
    """Regenerate and cancel (see the module docstring)."""

    @workflow.update
    async def regenerate(self, action: OfficerAction) -> CreditJourneyState:
        """New documents, new links, a new 19:00 deadline; every signatory starts over."""
        async with self._step():
            deadline = self._check_regenerate(action)
            self._audit(action.officer, "regeneracion.solicitada", action.reason)
            self._reason = None  # the new generation starts clean
            await self._send_for_signing(self._generation + 1, deadline, action.officer)
            return self.state()

    @regenerate.validator
    def _validate_regenerate(self, action: OfficerAction) -> None:
        self._check_regenerate(action)

    @workflow.update
    async def cancel(self, action: OfficerAction) -> CreditJourneyState:
        """End the journey (any status before the disbursement starts)."""
        async with self._step():
            self._check_cancel(action)
            self._reason = action.reason
            self._audit(action.officer, "cancelado", action.reason)
            self._set_status(Status.CANCELLED)
            await self._delete_held("cancelado")  # answered once the biometrics are gone
            return self.state()

    @cancel.validator
    def _validate_cancel(self, action: OfficerAction) -> None:
        self._check_cancel(action)

    def _check_regenerate(self, action: OfficerAction) -> datetime:
        self._check_officer(action)
        if self._status not in REGENERABLE:
            raise reject(ERR_STATE, "Solo se regeneran solicitudes pendientes de firma.")
        deadline = self._signing_deadline()
        if deadline is None:
            hora = self._cutoff_text()
            raise reject(ERR_AFTER_CUTOFF, f"Después de las {hora} regenera la solicitud mañana.")
        return deadline

    def _check_cancel(self, action: OfficerAction) -> None:
        self._check_officer(action)
        if self._status in TERMINAL or self._status is Status.DISBURSING:
            raise reject(ERR_STATE, "La solicitud ya no se puede cancelar.")

    @staticmethod
    def _check_officer(action: OfficerAction) -> None:
        if not action.officer.strip() or not action.reason.strip():
            raise reject(ERR_OFFICER, "Indica el oficial y el motivo.")

"""The preapproved credit journey (manual §8): one workflow per offer, ID
``credit-<campaign>-<member>``, from the loaded offer to the money in the member's account.

Phases: the offer (accept / decline / dismiss, simulate, choose, documents, finalize) under
the offer's validity end; the signatures under the 19:00 deadline (past it the journey waits
in ``EXPIRED_AWAITING_REGENERATION`` for an officer); then seal, validate every signature
(a broken one waits in ``SIGNATURE_INVALID`` for an officer), disburse and email. Member
input arrives by Update with validators (rejected input never enters history); officers act
by Update; ``state`` is the Query.

The class is assembled from one part per concern, each in its own module of this package:
:mod:`~workflows.credit.state` (state, status, Query), :mod:`~workflows.credit.offer`,
:mod:`~workflows.credit.documents`, :mod:`~workflows.credit.signing`,
:mod:`~workflows.credit.signatory_updates`, :mod:`~workflows.credit.officer` and
:mod:`~workflows.credit.disbursement`. Its inputs and outputs are in
:mod:`~workflows.credit.contract`, the activities it calls in :mod:`~workflows.credit.calls`.
See ``docs/credit-journey.md``.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.credit.contract import TERMINAL, CreditJourneyState, CreditOffer, Status

from workflows.credit.disbursement import DisbursementStep
from workflows.credit.documents import DocumentSteps
from workflows.credit.offer import OfferSteps
from workflows.credit.officer import OfficerActions
from workflows.credit.signatory_updates import SignatoryUpdates


@workflow.defn
class CreditJourneyWorkflow(
    OfferSteps, DocumentSteps, SignatoryUpdates, OfficerActions, DisbursementStep
):
    """Offer → simulation → summary → documents → signatures by 19:00 → disbursement."""

    @workflow.init
    def __init__(self, offer: CreditOffer) -> None:
        """The offer is known before any Update's validator runs."""
        super().__init__()
        self._offer = offer

    @workflow.run
    async def run(self, offer: CreditOffer) -> CreditJourneyState:
        """Drive one offer to a terminal status and return the final state."""
        # An Update delivered with the start may already have moved the status on.
        timer = self._start_retention()
        self._set_status(self._status)
        await self._offer_phase()
        while self._status not in TERMINAL:  # SIGNATURE_INVALID goes back to signing
            await self._signing_phase()
            if self._status is Status.AWAITING_SIGNATURES and self._all_signed():
                await self._delete_biometrics("firmas.completas")
                await self._disburse()
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._stop_retention(timer)
        return self.state()

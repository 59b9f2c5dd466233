"""The disbursement after the last signature: seal and validate the documents, post the loan
and its charges once (the activity is idempotent), then email the signed documents.
Deterministic; no I/O.
"""

from __future__ import annotations

import contextlib

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from workflows.credit import calls as act
    from workflows.credit.contract import (
        Status,
    )

from workflows.credit.signing import SigningPhase


class DisbursementStep(SigningPhase):
    """Seal, validate, disburse once, email (see the module docstring)."""

    async def _disburse(self) -> None:
        """Seal and validate, post the disbursement once, then email the signed documents."""
        self._set_status(Status.DISBURSING)
        try:
            await self._seal()
            if not await self._signatures_verified():
                return
            summary_ = self._summary
            assert summary_ is not None
            result = await self._call(
                act.DISBURSE,
                act.DisburseInput(
                    workflow.info().workflow_id,
                    self._generation,
                    self._offer.member_id,
                    self._offer.campaign_id,
                    self._offer.product_name,
                    summary_.amount_cents,
                    summary_.term_months,
                    self._offer.terms,
                    self._offer.charges,
                ),
                act.Disbursement,
                retry=act.PATIENT,
                timeout=act.MEDIUM,
            )
        except ActivityError as err:
            self._reason = str(err.cause or err)
            self._audit("sistema", "desembolso.fallido", self._reason)
            self._set_status(Status.DISBURSEMENT_FAILED)
            return
        self._loan_number, self._net_cents = result.loan_number, result.net_amount_cents
        self._audit("sistema", "desembolso", result.loan_number)
        self._set_status(Status.DISBURSED)
        with contextlib.suppress(ActivityError):  # the money is in; the outbox retries mail
            await self._send_signed_documents()

    async def _send_signed_documents(self) -> None:
        recipients = tuple(
            act.LinkRecipient(s.role, s.member_id, s.first_names, s.email)
            for s in self._signatories.values()
        )
        await self._call(
            act.SEND_SIGNED_DOCUMENTS,
            act.SignedDocumentsInput(
                workflow.info().workflow_id,
                self._generation,
                self._loan_number or "",
                self._net_cents or 0,
                recipients,
                tuple(self._current),
            ),
            int,
            retry=act.PATIENT,
        )

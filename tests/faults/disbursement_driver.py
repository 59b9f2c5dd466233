"""The credit journey's last step alone, for the worker-crash tests.

The whole journey takes offer, documents and signatures on the 19:00 deadline's clock; the
dev server (the only one that moves a dead worker's tasks) cannot skip time, so a test
driving it would depend on the hour it runs. This workflow makes exactly the two calls of
``workflows.credit.disbursement.DisbursementStep`` after the signatures are validated: the
production activities by name, with the journey's payloads, timeouts and retry policy
(``workflows.credit.calls``), post the loan once, then email the signed documents.
"""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from bank.signing.contracts import DocumentRef
    from workflows.credit import calls as act
    from workflows.credit.calls import DisburseInput, LinkRecipient


@dataclass(frozen=True)
class DriverInput:
    disburse: DisburseInput
    recipients: tuple[LinkRecipient, ...]
    documents: tuple[DocumentRef, ...]


@dataclass(frozen=True)
class DriverResult:
    loan_number: str
    net_amount_cents: int
    emailed: int


@workflow.defn(name="FaultDisbursementDriver", sandboxed=False)
class DisbursementDriver:
    """Disburse once, then email the signed documents (as ``DisbursementStep._disburse``).

    Not sandboxed: the sandbox's fresh copy of this test module cannot build the data
    converter's model of ``DriverInput``; the sandbox has no bearing on a crash.
    """

    @workflow.run
    async def run(self, request: DriverInput) -> DriverResult:
        """Return the loan, the net amount credited and how many signatories were emailed."""
        done: act.Disbursement = await workflow.execute_activity(
            act.DISBURSE,
            request.disburse,
            result_type=act.Disbursement,
            start_to_close_timeout=act.MEDIUM,
            retry_policy=act.PATIENT,
        )
        emailed: int = await workflow.execute_activity(
            act.SEND_SIGNED_DOCUMENTS,
            act.SignedDocumentsInput(
                request.disburse.workflow_id,
                request.disburse.generation,
                done.loan_number,
                done.net_amount_cents,
                request.recipients,
                request.documents,
            ),
            result_type=int,
            start_to_close_timeout=act.SHORT,
            retry_policy=act.PATIENT,
        )
        return DriverResult(done.loan_number, done.net_amount_cents, emailed)

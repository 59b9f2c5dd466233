"""The credit journey's state, its plumbing and its signing phase (manual §8 Pasos 7-12).

:class:`SigningSteps` is the base of :class:`workflows.credit_journey.CreditJourneyWorkflow`:
it holds the state, writes the search attributes and memo (one method), runs activities
with explicit timeouts and retry policies, and owns the signing Updates (per signatory) and
the officer Updates (regenerate, cancel). Deterministic; no I/O.
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
    from bank.credit.deadline import cutoff_text, local_date, parse_cutoff, signing_deadline
    from bank.credit.requirements import MemberProfile, Requirements
    from bank.credit.simulation import Simulation, Summary
    from bank.kyc import contracts as kyc
    from bank.signing import contracts as sign
    from workflows import credit_contracts as act
    from workflows.credit_render import documents_input
    from workflows.credit_signing import (
        SignatoryProgress,
        reject,
    )
    from workflows.credit_types import (
        ERR_DEADLINE,
        ERR_STATE,
        TERMINAL,
        AuditRecord,
        CreditJourneyState,
        CreditOffer,
        Role,
        SignatoryContact,
        Status,
        Step,
        StepResult,
        UploadedDocument,
    )
    from workflows.search_attributes import (
        AMOUNT_REQUESTED,
        CAMPAIGN_ID,
        CREDIT_STATUS,
        MEMBER_ID,
        SIGNING_DEADLINE,
    )

T = TypeVar("T")
ANSWER_WAIT = timedelta(seconds=20)
"""How long the last signature's answer waits for the disbursement before replying."""
REGENERABLE = frozenset(
    {
        Status.AWAITING_SIGNATURES,
        Status.EXPIRED_AWAITING_REGENERATION,
        Status.SIGNATURE_INVALID,
    }
)
SETTLED = TERMINAL | {Status.SIGNATURE_INVALID}
"""Where the disbursement can end: what the last signature's answer waits for."""


class SigningSteps:
    """State and signing phase of the credit journey (see the module docstring)."""

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

    # ---- plumbing ---------------------------------------------------------------------

    @workflow.query
    def state(self) -> CreditJourneyState:
        """Everything about this journey (officers; the API filters what members see)."""
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
        )

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

    # ---- signing phase ------------------------------------------------------------------

    def _all_signed(self) -> bool:
        signers = self._signatories.values()
        return bool(signers) and all(s.signed_at is not None for s in signers)

    async def _signing_phase(self) -> None:
        """Wait for every signature by the deadline; past it, for an officer's decision."""
        while self._status not in TERMINAL:
            if self._status is Status.AWAITING_SIGNATURES:
                await self._await_signatures(self._generation)
            else:
                await self._await_officer(self._generation)
            if self._status is Status.AWAITING_SIGNATURES and self._all_signed():
                return

    async def _await_signatures(self, generation: int) -> None:
        """Until all have signed, the status changes, a regeneration, or the deadline."""
        assert self._deadline is not None
        try:
            remaining = self._deadline - workflow.now()
            if remaining <= timedelta(0):
                raise TimeoutError
            await workflow.wait_condition(
                lambda: (
                    self._all_signed()
                    or self._status is not Status.AWAITING_SIGNATURES
                    or self._generation != generation
                ),
                timeout=remaining,
            )
        except TimeoutError:
            # A step accepted before 19:00 still counts if its activities end after it.
            await workflow.wait_condition(lambda: self._busy == 0)
            stale = self._generation == generation and not self._all_signed()
            if self._status is Status.AWAITING_SIGNATURES and stale:
                self._audit("sistema", "firmas.vencidas")
                self._set_status(Status.EXPIRED_AWAITING_REGENERATION)

    async def _await_officer(self, generation: int) -> None:
        """Expired or signatures invalid: until an officer regenerates or cancels."""
        await workflow.wait_condition(
            lambda: self._generation != generation or self._status in TERMINAL
        )

    async def _send_for_signing(self, generation: int, deadline: datetime, actor: str) -> None:
        """Render this generation's documents, email the links, restart every signatory."""
        assert self._profile and self._simulation and self._summary and self._requirements
        wid = workflow.info().workflow_id
        content = documents_input(
            f"{wid}/{generation}",
            self._offer,
            self._profile,
            self._simulation,
            self._summary,
            local_date(workflow.now()),
        )
        rendered = await self._call(
            sign.RENDER_CREDIT_DOCUMENTS,
            sign.RenderDocumentsInput(wid, generation, content),
            list[sign.DocumentRef],
            cpu=True,
        )
        signers = self._signatories or self._new_signatories()
        recipients = tuple(
            act.LinkRecipient(s.role, s.member_id, s.first_names, s.email) for s in signers.values()
        )
        links = await self._call(
            act.CREATE_SIGNING_LINKS,
            act.LinksInput(wid, generation, deadline, recipients, tuple(rendered)),
            list[act.LinkIssued],
            timeout=act.MEDIUM,
        )
        for link in links:
            signers[Role(link.role)].restart(link.token_digest)
        self._signatories, self._rendered, self._current = signers, rendered, list(rendered)
        self._generation, self._deadline = generation, deadline
        self._audit(actor, "solicitud.enviada", f"generación {generation}")
        self._set_status(Status.AWAITING_SIGNATURES)

    def _new_signatories(self) -> dict[Role, SignatoryProgress]:
        assert self._profile is not None
        member = SignatoryProgress.of(Role.MEMBER, self._profile)
        member.reference_face_key = self._face_key(kyc.ID_FRONT)
        signers = {Role.MEMBER: member}
        if self._requirements and self._requirements.married and self._profile.spouse:
            spouse = SignatoryProgress.of(Role.SPOUSE, self._profile.spouse)
            spouse.reference_face_key = self._face_key(kyc.SPOUSE_ID_FRONT)
            signers[Role.SPOUSE] = spouse
        return signers

    def _face_key(self, kind: str) -> str | None:
        document = self._documents.get(kind)
        return document.reference_face_key if document else None

    def _contacts(self) -> tuple[SignatoryContact, ...]:
        return tuple(
            SignatoryContact(s.role, s.full_name, s.email, s.mobile)
            for s in self._signatories.values()
        )

    def _signing_deadline(self) -> datetime | None:
        """Today's cut-off of this journey in UTC, or None once it has passed."""
        return signing_deadline(workflow.now(), parse_cutoff(self._offer.signing_cutoff))

    def _cutoff_text(self) -> str:
        return cutoff_text(parse_cutoff(self._offer.signing_cutoff))

    def _signing_open(self) -> None:
        if self._status is Status.EXPIRED_AWAITING_REGENERATION or (
            self._deadline is not None and workflow.now() >= self._deadline
        ):
            raise reject(
                ERR_DEADLINE,
                f"El plazo para firmar venció a las {self._cutoff_text()}. Solicita a tu "
                "Oficial de Crédito que genere nuevamente el proceso de desembolso.",
            )
        self._require({Status.AWAITING_SIGNATURES})

    def _result(
        self, signer: SignatoryProgress, step: Step, passed: bool, **extra: Any
    ) -> StepResult:
        return StepResult(
            role=signer.role,
            step=step,
            passed=passed,
            next_step=signer.next_step(),
            attempts_left=signer.attempts_left(step),
            status=self._status,
            **extra,
        )

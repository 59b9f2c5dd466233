"""The signing phase (manual §8 Pasos 7-12): render the documents, email each signatory a
one-time link, wait for every signature until the day's cut-off (past it, for an officer),
then seal and validate every signature before any money moves. Deterministic; no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from bank.credit.deadline import cutoff_text, local_date, parse_cutoff, signing_deadline
    from bank.kyc import contracts as kyc
    from bank.signing import contracts as sign
    from workflows.credit import calls as act
    from workflows.credit.contract import (
        ERR_DEADLINE,
        TERMINAL,
        Role,
        SignatoryContact,
        Status,
        reject,
    )
    from workflows.credit.document_content import documents_input
    from workflows.credit.signatories import (
        SIGNING_ROLES,
        SignatoryProgress,
    )
    from workflows.credit.signature_check import signature_problems

from workflows.credit.biometrics import BiometricRetention


class SigningPhase(BiometricRetention):
    """Sending for signature, the 19:00 deadline, the seal and its validation."""

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
                await self._delete_biometrics("firmas.vencidas")

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

    async def _seal(self) -> None:
        sealed = await self._call(
            sign.SEAL_DOCUMENTS,
            sign.SealInput(workflow.info().workflow_id, self._generation, "sello", self._current),
            list[sign.DocumentRef],
            cpu=True,
            retry=act.PATIENT,
        )
        self._current = sealed

    async def _signatures_verified(self) -> bool:
        """Validate the sealed documents; on any problem wait for an officer, disburse nothing.

        Returns:
            True when every document carries one valid signature per signatory and the seal.
        """
        try:
            validations = await self._call(
                sign.VALIDATE_DOCUMENTS,
                sign.ValidateInput(self._current),
                list[sign.DocumentValidation],
                cpu=True,
                retry=act.PATIENT,
                timeout=act.LONG,
            )
            signers = {SIGNING_ROLES[s.role]: s.identification for s in self._signatories.values()}
            problems = signature_problems(self._current, validations, signers)
        except ActivityError as err:  # a document changed or vanished in the store
            problems = [str(err.cause or err)]
        if not problems:
            self._audit("sistema", "firmas.validadas", f"generación {self._generation}")
            return True
        self._reason = "; ".join(problems)
        self._audit("sistema", "firmas.invalidas", self._reason)
        self._set_status(Status.SIGNATURE_INVALID)
        return False

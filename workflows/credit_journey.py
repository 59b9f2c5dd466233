"""The preapproved credit journey (manual §8): one workflow per offer, ID
``credit-<campaign>-<member>``, from the loaded offer to the money in the member's account.

Phases: the offer (accept / decline / dismiss, simulate, choose, documents, finalize) under
the offer's validity end; the signatures under the 19:00 deadline (past it the journey waits
in ``EXPIRED_AWAITING_REGENERATION`` for an officer); then seal, validate every signature
(a broken one waits in ``SIGNATURE_INVALID`` for an officer), disburse and email. Member
input arrives by Update with validators (rejected input never enters history); officers act
by Update; ``state`` is the Query. The contract lives in :mod:`workflows.credit_types`; the
state and signing phase are in :mod:`workflows.credit_signing_steps`, the signing and
officer Updates in :mod:`workflows.credit_signing_updates`. See
``docs/credit-journey.md``.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from bank.credit.deadline import local_date
    from bank.credit.requirements import (
        DocumentKind,
        MemberProfile,
        evaluate,
        utility_bill_message,
    )
    from bank.credit.simulation import simulate, summary
    from bank.kyc import contracts as kyc
    from bank.kyc.reasons import ROSTRO_NO_ENCONTRADO
    from workflows import credit_contracts as act
    from workflows.credit_signing import reject
    from workflows.credit_signing_updates import SigningUpdates
    from workflows.credit_types import (
        BEFORE_SENDING,
        ERR_AFTER_CUTOFF,
        ERR_AMOUNT,
        ERR_DOCUMENT,
        ERR_DOCUMENTS_MISSING,
        ERR_SYSTEM,
        ERR_TERM,
        ERR_TOO_MANY_SIMULATIONS,
        MAX_SIMULATIONS,
        TERMINAL,
        AcceptRequest,
        ChoiceResult,
        CreditJourneyState,
        CreditOffer,
        DocumentOutcome,
        DocumentRemoval,
        DocumentUpload,
        FinalizeResult,
        OfferTerms,
        Reason,
        Role,
        Simulation,
        SimulationRequest,
        Status,
        UploadedDocument,
    )

CUTOFF_MESSAGE = (
    "Puedes enviar tu solicitud hasta las {hora}. Ingresa nuevamente mañana para finalizarla; "
    "tus documentos se mantienen cargados."
)


@workflow.defn
class CreditJourneyWorkflow(SigningUpdates):
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
        self._set_status(self._status)
        await self._offer_phase()
        while self._status not in TERMINAL:  # SIGNATURE_INVALID goes back to signing
            await self._signing_phase()
            if self._status is Status.AWAITING_SIGNATURES and self._all_signed():
                await self._disburse()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state()

    # ---- phases ------------------------------------------------------------------------

    async def _offer_phase(self) -> None:
        """Wait for the request to be sent, declined or cancelled, or the offer to expire."""
        remaining = self._offer.valid_until - workflow.now()
        try:
            if remaining <= timedelta(0):
                raise TimeoutError
            await workflow.wait_condition(
                lambda: self._status not in BEFORE_SENDING, timeout=remaining
            )
        except TimeoutError:
            await workflow.wait_condition(lambda: self._busy == 0)
            if self._status in BEFORE_SENDING:
                self._audit("sistema", "oferta.vencida")
                self._set_status(Status.OFFER_EXPIRED)

    # ---- offer Updates ------------------------------------------------------------------

    @workflow.update
    async def accept(self, request: AcceptRequest) -> OfferTerms:
        """ "Aceptar y continuar": record consent, reveal the maximum, check requirements."""
        async with self._step():
            self._require(BEFORE_SENDING - {Status.SUMMARY, Status.COLLECTING_DOCUMENTS})
            if self._consent_at is None:
                at = workflow.now()
                await self._call(
                    act.RECORD_CONSENT,
                    act.ConsentInput(
                        workflow.info().workflow_id,
                        self._offer.campaign_id,
                        self._offer.member_id,
                        request.origin,
                        at,
                    ),
                    int,
                )
                self._consent_at, self._consent_origin = at, request.origin
                self._audit("socio", "consentimiento", request.origin)
            self._profile = await self._call(
                act.LOAD_MEMBER_PROFILE, act.LoadProfileInput(self._offer.member_id), MemberProfile
            )
            self._requirements = evaluate(self._profile, local_date(workflow.now()))
            blocked = self._requirements.blocked
            self._set_status(Status.BLOCKED_REQUIREMENTS if blocked else Status.ACCEPTED)
            return self._offer_terms()

    @accept.validator
    def _validate_accept(self, request: AcceptRequest) -> None:
        self._require(BEFORE_SENDING - {Status.SUMMARY, Status.COLLECTING_DOCUMENTS})
        if not request.origin or len(request.origin) > 200:
            raise ValueError("origin is required (at most 200 characters)")

    @workflow.update
    async def decline(self) -> CreditJourneyState:
        """ "No mostrar nuevamente": the offer is withdrawn for good; the journey ends."""
        self._require(BEFORE_SENDING)
        self._audit("socio", "oferta.rechazada")
        self._set_status(Status.DECLINED)
        return self.state()

    @decline.validator
    def _validate_decline(self) -> None:
        self._require(BEFORE_SENDING)

    @workflow.update
    async def dismiss(self) -> CreditJourneyState:
        """The X: nothing changes; the offer is shown again at the next login."""
        self._dismissals += 1
        return self.state()

    @dismiss.validator
    def _validate_dismiss(self) -> None:
        self._require({Status.OFFERED})

    @workflow.update
    async def simulate(self, request: SimulationRequest) -> Simulation:
        """ "Simular": the installment and the whole amortization table."""
        self._simulations += 1
        return self._simulate(request)

    @simulate.validator
    def _validate_simulate(self, request: SimulationRequest) -> None:
        self._check_loan_terms(request)
        if self._simulations >= MAX_SIMULATIONS:
            raise reject(ERR_TOO_MANY_SIMULATIONS, "Alcanzaste el máximo de simulaciones.")

    @workflow.update
    async def choose(self, request: SimulationRequest) -> ChoiceResult:
        """ "Continuar": fix amount and term; the summary with its rubros and net amount."""
        self._check_loan_terms(request)
        self._simulation = self._simulate(request)
        self._summary = summary(self._simulation, self._offer.charges)
        self._audit("socio", "terminos.elegidos", f"{request.amount_cents}c/{request.term_months}m")
        self._set_status(Status.SUMMARY)
        return ChoiceResult(self._summary, self._required())

    @choose.validator
    def _validate_choose(self, request: SimulationRequest) -> None:
        self._check_loan_terms(request)

    @workflow.update
    async def back_to_simulation(self) -> CreditJourneyState:
        """ "Cancelar" on the summary: back to simulation (uploads are kept)."""
        self._require({Status.SUMMARY, Status.COLLECTING_DOCUMENTS})
        self._simulation = self._summary = None
        self._set_status(Status.ACCEPTED)
        return self.state()

    @back_to_simulation.validator
    def _validate_back(self) -> None:
        self._require({Status.SUMMARY, Status.COLLECTING_DOCUMENTS})

    # ---- documents ------------------------------------------------------------------------

    @workflow.update
    async def attach_document(self, upload: DocumentUpload) -> DocumentOutcome:
        """An upload already in the document store: validated, kept or refused with reasons."""
        async with self._step():
            self._check_upload(upload)
            if self._status is Status.SUMMARY:
                self._set_status(Status.COLLECTING_DOCUMENTS)
            check = await self._call(
                kyc.VALIDATE_DOCUMENT,
                kyc.ValidateDocumentInput(upload.key, upload.kind),
                kyc.DocumentCheck,
                cpu=True,
            )
            reasons, face_key = tuple(Reason(r.code, r.message) for r in check.reasons), None
            if check.accepted and upload.kind in kyc.FACE_KINDS:
                face = await self._call(
                    kyc.EXTRACT_REFERENCE_FACE,
                    kyc.ExtractReferenceFaceInput(check.sanitized_key or upload.key),
                    kyc.ReferenceFace,
                    cpu=True,
                )
                reasons, face_key = (
                    tuple(Reason(r.code, r.message) for r in face.reasons),
                    (face.encoding_key),
                )
                if not face.found and not reasons:
                    reasons = (Reason(ROSTRO_NO_ENCONTRADO, "No encontramos un rostro."),)
            accepted = check.accepted and not reasons
            self._documents[upload.kind] = UploadedDocument(
                upload.kind,
                check.sanitized_key or upload.key,
                upload.filename,
                upload.content_type,
                accepted,
                reasons,
                upload.issued_on,
                face_key,
            )
            self._audit("socio", "documento.cargado", f"{upload.kind} aceptado={accepted}")
            return DocumentOutcome(upload.kind, accepted, reasons, self._missing())

    @attach_document.validator
    def _validate_attach(self, upload: DocumentUpload) -> None:
        self._check_upload(upload)

    @workflow.update
    async def remove_document(self, removal: DocumentRemoval) -> CreditJourneyState:
        """ "Eliminar": forget an upload (the file stays in the store for the audit)."""
        self._require({Status.SUMMARY, Status.COLLECTING_DOCUMENTS})
        if self._documents.pop(removal.kind, None) is not None:
            self._audit("socio", "documento.eliminado", removal.kind)
        return self.state()

    @remove_document.validator
    def _validate_remove(self, removal: DocumentRemoval) -> None:
        self._require({Status.SUMMARY, Status.COLLECTING_DOCUMENTS})

    @workflow.update
    async def finalize(self) -> FinalizeResult:
        """ "Finalizar": render the documents, email one-time signing links, start the clock."""
        async with self._step():
            self._check_finalize()
            deadline = self._signing_deadline()
            assert deadline is not None  # checked by _check_finalize
            await self._send_for_signing(1, deadline, "socio")
            spouse = self._signatories.get(Role.SPOUSE)
            return FinalizeResult(
                deadline=deadline,
                signatories=self._contacts(),
                spouse_email=spouse.email if spouse else None,
                spouse_mobile=spouse.mobile if spouse else None,
            )

    @finalize.validator
    def _validate_finalize(self) -> None:
        self._check_finalize()

    # ---- checks shared by validators and handlers ---------------------------------------------

    def _check_loan_terms(self, request: SimulationRequest) -> None:
        self._require({Status.ACCEPTED})
        offer = self._offer
        if not offer.min_amount_cents <= request.amount_cents <= offer.max_amount_cents:
            raise reject(
                ERR_AMOUNT,
                "El monto debe estar entre el mínimo de la campaña y el monto máximo calificado.",
            )
        if request.term_months not in offer.allowed_terms:
            raise reject(ERR_TERM, "El plazo elegido no está disponible en esta campaña.")

    def _check_upload(self, upload: DocumentUpload) -> None:
        self._require({Status.SUMMARY, Status.COLLECTING_DOCUMENTS})
        if upload.kind not in self._required():
            raise reject(ERR_DOCUMENT, "Este documento no es requerido para tu crédito.")
        if not upload.key or len(upload.key) > 300 or not upload.filename:
            raise reject(ERR_DOCUMENT, "Vuelve a seleccionar el archivo.")
        if upload.kind == DocumentKind.UTILITY_BILL:
            today = local_date(workflow.now())
            months = self._offer.utility_bill_max_age_months
            message = utility_bill_message(upload.issued_on, today, months)
            if message:
                raise reject(ERR_DOCUMENT, message)

    def _check_finalize(self) -> None:
        self._require({Status.SUMMARY, Status.COLLECTING_DOCUMENTS})
        if self._missing():
            raise reject(ERR_DOCUMENTS_MISSING, "Carga todos los documentos obligatorios.")
        if self._signing_deadline() is None:
            raise reject(ERR_AFTER_CUTOFF, CUTOFF_MESSAGE.format(hora=self._cutoff_text()))

    def _simulate(self, request: SimulationRequest) -> Simulation:
        try:
            # ``holidays`` imports its data lazily: let that import bypass the sandbox.
            with workflow.unsafe.imports_passed_through():
                return simulate(
                    self._offer.terms,
                    request.amount_cents,
                    request.term_months,
                    local_date(workflow.now()),
                    self._offer.charges,
                )
        except ValueError as exc:  # a campaign misconfigured: tell the member, keep going
            workflow.logger.error("simulation failed: %s", exc)
            raise reject(ERR_SYSTEM, "No pudimos simular tu crédito. Inténtalo más tarde.") from exc

    def _required(self) -> tuple[str, ...]:
        kinds = self._requirements.required_documents if self._requirements else ()
        return tuple(str(kind) for kind in kinds)

    def _missing(self) -> tuple[str, ...]:
        docs = self._documents
        return tuple(k for k in self._required() if k not in docs or not docs[k].accepted)

    def _offer_terms(self) -> OfferTerms:
        offer, req = self._offer, self._requirements
        return OfferTerms(
            status=self._status,
            max_amount_cents=offer.max_amount_cents,
            min_amount_cents=offer.min_amount_cents,
            allowed_terms=offer.allowed_terms,
            annual_rate=offer.annual_rate,
            method=offer.method,
            blockers=tuple(str(b) for b in req.blockers) if req else (),
            messages=req.messages if req else (),
        )

    # ---- disbursement ------------------------------------------------------------------

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

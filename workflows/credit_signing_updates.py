"""The signing Updates of each signatory and the officers' Updates of the credit journey.

Order per signatory (manual §8 Pasos 8-11): identity (cédula + código dactilar against the
Registro Civil, 5 tries), face (match + blink, 3 tries), terms (the documents' SHA-256s;
sends an OTP bound to them), OTP (5 wrong codes lock). The signature is applied right
after the right code. Too many failures lock that signatory until an officer regenerates.
After the seal every signature is validated before any money moves.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from bank.kyc import contracts as kyc
    from bank.signing import contracts as sign
    from workflows import credit_contracts as act
    from workflows.credit_signing import (
        SIGNING_ROLES,
        STEP_NAMES,
        SignatoryProgress,
        check_link,
        reasons_of,
        reject,
    )
    from workflows.credit_signing_steps import ANSWER_WAIT, REGENERABLE, SETTLED, SigningSteps
    from workflows.credit_types import (
        ERR_AFTER_CUTOFF,
        ERR_CODE,
        ERR_HASHES,
        ERR_OFFICER,
        ERR_STATE,
        TERMINAL,
        CreditJourneyState,
        FaceRequest,
        IdentityRequest,
        OfficerAction,
        OtpRequest,
        Reason,
        Status,
        Step,
        StepResult,
        TermsRequest,
    )
    from workflows.credit_verification import signature_problems


class SigningUpdates(SigningSteps):
    """Signing and officer Updates (see the module docstring)."""

    @workflow.update
    async def verify_identity(self, request: IdentityRequest) -> StepResult:
        """Paso 8: the cédula and código dactilar, checked with the Registro Civil."""
        async with self._step():
            signer = self._check_signing(request.role, request.token, Step.IDENTITY)
            verdict = await self._call(
                act.VERIFY_IDENTITY,
                act.IdentityInput(
                    workflow.info().workflow_id,
                    signer.role,
                    signer.identification,
                    request.cedula,
                    request.codigo_dactilar,
                ),
                act.IdentityVerdict,
            )
            signer.identity_ok = verdict.matched
            if not verdict.matched:
                signer.identity_attempts_left -= 1
            self._audit(signer.role, "identidad", "ok" if verdict.matched else verdict.code)
            reasons = () if verdict.matched else (Reason(verdict.code, verdict.message),)
            return self._result(signer, Step.IDENTITY, verdict.matched, reasons=reasons)

    @verify_identity.validator
    def _validate_identity(self, request: IdentityRequest) -> None:
        self._check_signing(request.role, request.token, Step.IDENTITY)
        if not (request.cedula.isdigit() and len(request.cedula) == 10):
            raise reject("CEDULA_INVALIDA", "Ingresa los 10 dígitos de tu cédula.")
        if not request.codigo_dactilar.isalnum() or not 6 <= len(request.codigo_dactilar) <= 10:
            raise reject("CODIGO_DACTILAR_INVALIDO", "Ingresa el código dactilar de tu cédula.")

    @workflow.update
    async def submit_face(self, request: FaceRequest) -> StepResult:
        """Paso 9: camera frames against the reference face of the ID card (and a blink)."""
        async with self._step():
            signer = self._check_signing(request.role, request.token, Step.FACE)
            result = await self._call(
                kyc.AUTHENTICATE_FACE,
                kyc.AuthenticateFaceInput(
                    signer.reference_face_key or "", list(request.frame_keys)
                ),
                kyc.FaceAuthResult,
                cpu=True,
            )
            passed = result.matched and result.live and not result.reasons
            signer.face_ok, signer.face_distance = passed, result.distance
            if not passed:
                signer.face_attempts_left -= 1
            codes = ",".join(r.code for r in result.reasons) or "ok"
            self._audit(signer.role, "rostro", f"distancia={result.distance} {codes}")
            return self._result(signer, Step.FACE, passed, reasons=reasons_of(result.reasons))

    @submit_face.validator
    def _validate_face(self, request: FaceRequest) -> None:
        self._check_signing(request.role, request.token, Step.FACE)
        if not 1 <= len(request.frame_keys) <= 30:
            raise reject("FOTOGRAMAS_INVALIDOS", "Vuelve a realizar la autenticación facial.")

    @workflow.update
    async def accept_terms(self, request: TermsRequest) -> StepResult:
        """Paso 10: accept the reviewed documents; an OTP bound to their hashes is sent."""
        async with self._step():
            signer = self._check_terms(request)
            issued = await self._call(
                act.ISSUE_SIGNING_OTP,
                act.SigningOtpInput(
                    workflow.info().workflow_id,
                    self._generation,
                    signer.role,
                    signer.member_id,
                    self._hashes(),
                ),
                act.SigningOtpIssued,
            )
            signer.challenge_id, signer.terms_accepted_at = issued.challenge_id, workflow.now()
            self._audit(signer.role, "terminos.aceptados", f"otp a {issued.sent_to}")
            return self._result(signer, Step.TERMS, True, sent_to=issued.sent_to)

    @accept_terms.validator
    def _validate_terms(self, request: TermsRequest) -> None:
        self._check_terms(request)

    @workflow.update
    async def submit_otp(self, request: OtpRequest) -> StepResult:
        """Paso 11: the code; right → this signatory's signature (the last one disburses)."""
        async with self._step():
            signer = self._check_signing(request.role, request.token, Step.OTP)
            verdict = await self._call(
                act.VERIFY_SIGNING_OTP,
                act.SigningOtpCheck(
                    signer.challenge_id or "",
                    workflow.info().workflow_id,
                    self._generation,
                    signer.role,
                    signer.member_id,
                    self._hashes(),
                    request.code,
                ),
                act.SigningOtpVerdict,
            )
            self._audit(signer.role, "otp", "ok" if verdict.valid else "incorrecto")
            if not verdict.valid:
                return self._wrong_code(signer, verdict)
            await self._sign(signer)
        if self._all_signed():  # answer with the disbursement when it is quick
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(lambda: self._status in SETTLED, timeout=ANSWER_WAIT)
        return self._result(signer, Step.OTP, True)

    @submit_otp.validator
    def _validate_otp(self, request: OtpRequest) -> None:
        self._check_signing(request.role, request.token, Step.OTP)
        if not (request.code.isdigit() and len(request.code) == 6):
            raise reject(ERR_CODE, "El código debe tener 6 dígitos.")

    # ---- officers ------------------------------------------------------------------------

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
            return self.state()

    @cancel.validator
    def _validate_cancel(self, action: OfficerAction) -> None:
        self._check_cancel(action)

    # ---- helpers -------------------------------------------------------------------------

    def _check_signing(self, role: str, token: str, step: Step) -> SignatoryProgress:
        self._signing_open()
        return check_link(self._signatories, role, token, step)

    def _check_terms(self, request: TermsRequest) -> SignatoryProgress:
        signer = self._check_signing(request.role, request.token, Step.TERMS)
        if tuple(sorted(request.document_hashes)) != self._hashes():
            raise reject(ERR_HASHES, "Los documentos cambiaron: revísalos nuevamente.")
        return signer

    def _hashes(self) -> tuple[str, ...]:
        """The SHA-256 of every document as rendered: what each signatory agrees to."""
        return tuple(sorted(doc.sha256 for doc in self._rendered))

    def _wrong_code(self, signer: SignatoryProgress, verdict: act.SigningOtpVerdict) -> StepResult:
        signer.otp_attempts_left -= 1
        if verdict.expired:  # a new code is requested by accepting the terms again
            signer.challenge_id = None
            reason = Reason("CODIGO_EXPIRADO", "El código expiró. Solicita uno nuevo.")
        else:
            reason = Reason("CODIGO_INCORRECTO", "El código ingresado es incorrecto.")
        return self._result(signer, Step.OTP, False, reasons=(reason,))

    async def _sign(self, signer: SignatoryProgress) -> None:
        """Apply this signatory's PAdES signature over the documents as they stand."""
        signed = await self._call(
            sign.SIGN_DOCUMENTS,
            sign.SignInput(
                workflow.info().workflow_id,
                self._generation,
                STEP_NAMES[signer.role],
                sign.Signatory(
                    SIGNING_ROLES[signer.role],
                    signer.full_name,
                    signer.identification,
                    signer.email,
                ),
                self._current,
            ),
            list[sign.DocumentRef],
            cpu=True,
            retry=act.PATIENT,
        )
        self._current, signer.signed_at = signed, workflow.now()
        self._audit(signer.role, "firmado", f"generación {self._generation}")

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

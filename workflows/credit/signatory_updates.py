"""Each signatory's steps on their link (manual §8 Pasos 8-11), one Update each.

Order: identity (cédula + código dactilar against the Registro Civil, 5 tries), the
biometric consent (once per signatory), face (match + blink, 3 tries), terms (the
documents' SHA-256s; sends an OTP bound to them), OTP (5 wrong codes lock). The signature
is applied right after the right code; too many failures lock that signatory until an
officer regenerates. Deterministic; no I/O.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from bank.kyc import contracts as kyc
    from bank.privacy import contracts as privacy
    from bank.signing import contracts as sign
    from workflows.credit import calls as act
    from workflows.credit.contract import (
        ERR_CODE,
        ERR_CONSENT,
        ERR_HASHES,
        TERMINAL,
        BiometricConsentRequest,
        FaceRequest,
        IdentityRequest,
        OtpRequest,
        Reason,
        SignatoryView,
        Status,
        Step,
        StepResult,
        TermsRequest,
        reject,
    )
    from workflows.credit.signatories import (
        SIGNING_ROLES,
        STEP_NAMES,
        SignatoryProgress,
        check_link,
        reasons_of,
    )

from workflows.credit.signing import SigningPhase

ANSWER_WAIT = timedelta(seconds=20)
"""How long the last signature's answer waits for the disbursement before replying."""
SETTLED = TERMINAL | {Status.SIGNATURE_INVALID}
"""Where the disbursement can end: what the last signature's answer waits for."""
CONSENT_MESSAGE = (
    "Antes de la autenticación facial debes autorizar el tratamiento de tu imagen facial."
)


class SignatoryUpdates(SigningPhase):
    """Each signatory's Updates on their own link (see the module docstring)."""

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
    async def consent_biometrics(self, request: BiometricConsentRequest) -> SignatoryView:
        """Before Paso 9: the signatory's explicit consent to the processing of their face.

        Recorded once per signatory (text version, purpose, time, origin) in the database's
        audit trail and the journey's; kept across regenerations (same credit, same purpose).
        """
        async with self._step():
            signer = self._check_signing(request.role, request.token, Step.FACE)
            if signer.biometric_consent_at is None:
                at = workflow.now()
                await self._call(
                    privacy.RECORD_BIOMETRIC_CONSENT,
                    privacy.BiometricConsentInput(
                        workflow.info().workflow_id,
                        signer.role,
                        signer.member_id,
                        request.text_version,
                        privacy.BIOMETRIC_PURPOSE,
                        request.origin,
                        at,
                    ),
                    int,
                )
                signer.biometric_consent_at = at
                signer.biometric_consent_version = request.text_version
                detail = f"{request.text_version}: {privacy.BIOMETRIC_PURPOSE}"
                self._audit(signer.role, "biometria.consentimiento", detail)
            return signer.view()

    @consent_biometrics.validator
    def _validate_consent(self, request: BiometricConsentRequest) -> None:
        self._check_signing(request.role, request.token, Step.FACE)
        if request.text_version not in privacy.CONSENT_TEXTS:
            raise reject(ERR_CONSENT, "Lee y acepta la autorización vigente para continuar.")
        if not request.origin or len(request.origin) > 200:
            raise ValueError("origin is required (at most 200 characters)")

    @workflow.update
    async def submit_face(self, request: FaceRequest) -> StepResult:
        """Paso 9: camera frames against the reference face of the ID card (and a blink)."""
        async with self._step():
            signer = self._check_signing(request.role, request.token, Step.FACE)
            self._hold(*request.frame_keys)
            reference = await self._reference_for(signer)
            result = await self._call(
                kyc.AUTHENTICATE_FACE,
                kyc.AuthenticateFaceInput(reference, list(request.frame_keys)),
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
        signer = self._check_signing(request.role, request.token, Step.FACE)
        if signer.biometric_consent_at is None:
            raise reject(ERR_CONSENT, CONSENT_MESSAGE)
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

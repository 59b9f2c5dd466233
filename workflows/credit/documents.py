"""The documents (manual §8 Pasos 6-7): attach an upload already in the document store (checked
by the KYC activities, the reference face extracted from an ID card), remove one, and
"Finalizar", which sends the request for signing. Deterministic; no I/O.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from bank.credit.deadline import local_date
    from bank.credit.requirements import (
        DocumentKind,
        utility_bill_message,
    )
    from bank.kyc import contracts as kyc
    from bank.kyc.reasons import ROSTRO_NO_ENCONTRADO
    from workflows.credit.contract import (
        ERR_AFTER_CUTOFF,
        ERR_DOCUMENT,
        ERR_DOCUMENTS_MISSING,
        CreditJourneyState,
        DocumentOutcome,
        DocumentRemoval,
        DocumentUpload,
        FinalizeResult,
        Reason,
        Role,
        Status,
        UploadedDocument,
        reject,
    )

from workflows.credit.signing import SigningPhase

CUTOFF_MESSAGE = (
    "Puedes enviar tu solicitud hasta las {hora}. Ingresa nuevamente mañana para finalizarla; "
    "tus documentos se mantienen cargados."
)


class DocumentSteps(SigningPhase):
    """The documents' Updates and Finalizar (see the module docstring)."""

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
                self._hold(face.encoding_key)
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

    def _missing(self) -> tuple[str, ...]:
        docs = self._documents
        return tuple(k for k in self._required() if k not in docs or not docs[k].accepted)

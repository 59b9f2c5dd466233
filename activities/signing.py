"""Activities of the credit documents' e-signature: render, sign, seal, validate.

They run on the CPU-heavy task queue (``COOP_KYC_TASK_QUEUE``). Only keys, SHA-256 hashes
and sizes cross Temporal; the PDFs stay in the document store under keys derived from the
workflow ID, the generation and the step::

    signing/<workflow id>/g<generation>/<step>/<kind>.pdf

so a retried activity overwrites what its earlier attempt wrote and never leaves a second
copy. Each signing step reads the revisions it is given, checks that their SHA-256 is the
one the signatory reviewed, and writes new revisions under its own step: its inputs are
never modified, which is what makes a retry safe.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from bank.adapters.documents import DocumentCorrupted, DocumentNotFound, DocumentStore
from bank.signing import pades
from bank.signing.ca import CertificateAuthority, issue_signatory_certificate
from bank.signing.contracts import (
    DOCUMENT_CHANGED,
    DOCUMENT_UNAVAILABLE,
    INVALID_INPUT,
    RENDER_CREDIT_DOCUMENTS,
    SEAL_DOCUMENTS,
    SEAL_FIELD,
    SIGN_DOCUMENTS,
    SIGNATURE_FIELDS,
    VALIDATE_DOCUMENTS,
    DocumentRef,
    DocumentValidation,
    RenderDocumentsInput,
    SealInput,
    Signatory,
    SignatoryRole,
    SignInput,
    ValidateInput,
)
from bank.signing.documents import render_credit_documents
from bank.signing.terms import InvalidDocumentsInput

PDF = "application/pdf"
GENERATED_STEP = "generados"
_STEP = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_REASONS = {
    SignatoryRole.MEMBER: "Firma electrónica del deudor (socio)",
    SignatoryRole.SPOUSE: "Firma electrónica del cónyuge del deudor",
}


def _refuse(kind: str, message: str) -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)


def document_key(workflow_id: str, generation: int, step: str, kind: str) -> str:
    """Where one revision of one document lives in the store.

    A workflow ID that is not already a safe key segment is replaced by a readable,
    collision-free one (sanitised prefix + a hash of the original).

    Raises:
        ApplicationError: ``INVALID_INPUT`` for a generation below 1 or a malformed step.
    """
    if isinstance(generation, bool) or not isinstance(generation, int) or generation < 1:
        raise _refuse(INVALID_INPUT, f"generation must be a positive int, not {generation!r}")
    if not _STEP.fullmatch(step):
        raise _refuse(INVALID_INPUT, f"step must be lowercase letters, digits, '-': {step!r}")
    segment = workflow_id
    if not _SAFE_ID.fullmatch(workflow_id):
        digest = hashlib.sha256(workflow_id.encode()).hexdigest()[:16]
        cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", workflow_id)[:80].lstrip("._-")
        segment = f"{cleaned or 'wf'}-{digest}"
    return f"signing/{segment}/g{generation}/{step}/{kind}.pdf"


class SigningActivities:
    """Render, sign, seal and validate the credit documents; constructed once in ``workers/``."""

    def __init__(self, store: DocumentStore, ca: CertificateAuthority) -> None:
        """Hold the document store and the institution's CA (with its seal)."""
        self.store = store
        self.ca = ca

    @activity.defn(name=RENDER_CREDIT_DOCUMENTS)
    def render_credit_documents(self, request: RenderDocumentsInput) -> list[DocumentRef]:
        """Render the four documents and store them; same input → same keys and hashes."""
        try:
            rendered = render_credit_documents(request.documents)
        except InvalidDocumentsInput as exc:
            raise _refuse(INVALID_INPUT, str(exc)) from exc
        refs = []
        for document in rendered:
            key = document_key(
                request.workflow_id, request.generation, GENERATED_STEP, document.kind
            )
            info = self.store.put(key, document.pdf, PDF)
            refs.append(DocumentRef(document.kind, key, info.sha256, info.size, document.slots))
        return refs

    @activity.defn(name=SIGN_DOCUMENTS)
    def sign_documents(self, request: SignInput) -> list[DocumentRef]:
        """Sign every document for one signatory, with a certificate issued for this session.

        Raises:
            ApplicationError: ``SigningDocumentChanged`` when a document is not the one
                reviewed (nothing is signed then); ``SigningInvalidInput`` for an unknown
                role, a bad step or a field already signed.
        """
        field_name, reason = self._role(request.signatory)
        outputs = self._outputs(
            request.workflow_id, request.generation, request.step, request.documents
        )
        sources = [self._load(ref) for ref in request.documents]  # all checked before any write
        signatory = request.signatory
        key, cert = issue_signatory_certificate(
            self.ca,
            full_name=signatory.full_name,
            identification=signatory.identification,
            email=signatory.email,
        )
        refs = []
        for ref, pdf, out_key in zip(request.documents, sources, outputs, strict=True):
            slot = next((s for s in ref.slots if s.field_name == field_name), None)
            try:
                signed = pades.sign_pdf(
                    pdf, key=key, cert=cert, ca=self.ca, field_name=field_name, reason=reason,
                    signer_name=signatory.full_name, detail=f"C.I. {signatory.identification}",
                    slot=slot,
                )  # fmt: skip
            except pades.AlreadySigned as exc:
                raise _refuse(INVALID_INPUT, f"{ref.key}: {exc}") from exc
            refs.append(self._store(ref, out_key, signed))
        return refs

    @activity.defn(name=SEAL_DOCUMENTS)
    def seal_documents(self, request: SealInput) -> list[DocumentRef]:
        """Apply the institutional seal (last signature, locks the document) to each one."""
        outputs = self._outputs(
            request.workflow_id, request.generation, request.step, request.documents
        )
        sources = [self._load(ref) for ref in request.documents]
        refs = []
        for ref, pdf, out_key in zip(request.documents, sources, outputs, strict=True):
            slot = next((s for s in ref.slots if s.field_name == SEAL_FIELD), None)
            try:
                sealed = pades.seal_pdf(pdf, ca=self.ca, slot=slot)
            except pades.AlreadySigned as exc:
                raise _refuse(INVALID_INPUT, f"{ref.key}: {exc}") from exc
            refs.append(self._store(ref, out_key, sealed))
        return refs

    @activity.defn(name=VALIDATE_DOCUMENTS)
    def validate_documents(self, request: ValidateInput) -> list[DocumentValidation]:
        """Validate every signature of each document against the institution's CA."""
        results = []
        for ref in request.documents:
            reports = pades.validate_pdf(self._load(ref), self.ca)
            all_ok = bool(reports) and all(report.ok for report in reports)
            results.append(DocumentValidation(ref.kind, ref.key, reports, all_ok))
        return results

    def all(self) -> list[Callable[..., Any]]:
        """Every activity of this class, for ``Worker(activities=...)``."""
        return [
            self.render_credit_documents,
            self.sign_documents,
            self.seal_documents,
            self.validate_documents,
        ]

    def _role(self, signatory: Signatory) -> tuple[str, str]:
        try:
            role = SignatoryRole(signatory.role)
        except ValueError:
            raise _refuse(INVALID_INPUT, f"unknown signatory role {signatory.role!r}") from None
        if not (signatory.full_name.strip() and signatory.identification.strip()):
            raise _refuse(INVALID_INPUT, "a signatory needs a name and an identification")
        return SIGNATURE_FIELDS[role], _REASONS[role]

    def _outputs(
        self, workflow_id: str, generation: int, step: str, documents: list[DocumentRef]
    ) -> list[str]:
        if not documents:
            raise _refuse(INVALID_INPUT, "no documents to sign")
        keys = [document_key(workflow_id, generation, step, ref.kind) for ref in documents]
        if len(set(keys)) != len(keys) or {ref.key for ref in documents} & set(keys):
            raise _refuse(INVALID_INPUT, f"step {step!r} would overwrite a document it reads")
        return keys

    def _load(self, ref: DocumentRef) -> bytes:
        """The stored bytes of ``ref``, refused unless they are exactly the reviewed ones."""
        try:
            document = self.store.get(ref.key)
        except (DocumentNotFound, DocumentCorrupted) as exc:
            raise _refuse(DOCUMENT_UNAVAILABLE, f"{ref.key}: {type(exc).__name__}") from exc
        if document.info.sha256 != ref.sha256:
            raise _refuse(
                DOCUMENT_CHANGED,
                f"{ref.key} changed since it was reviewed "
                f"(expected {ref.sha256[:12]}…, found {document.info.sha256[:12]}…)",
            )
        return document.data

    def _store(self, ref: DocumentRef, key: str, pdf: bytes) -> DocumentRef:
        info = self.store.put(key, pdf, PDF)
        return DocumentRef(ref.kind, key, info.sha256, info.size, ref.slots)

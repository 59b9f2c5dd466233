"""Activities of the preapproved credit journey: database, OTP, outbox, Registro Civil.

Each activity is one transaction and safe to retry: consents are keyed by the workflow ID,
link tokens are derived (the same on every attempt) and their emails keyed in the outbox,
the signing OTP of a run is found again by its digest, and the disbursement is keyed by the
workflow ID and generation (unique loan origin + ledger idempotency key). Business refusals
are ``ApplicationError(type=CreditRefused, non_retryable=True)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.delivery import deliver_now
from bank.access import otp
from bank.adapters.registro_civil import MISMATCH, RegistroCivil
from bank.core.db import transaction
from bank.core.money import from_cents
from bank.credit import disbursement, store
from bank.credit.deadline import local_date
from bank.credit.requirements import MemberProfile
from bank.credit.tokens import derive_token
from bank.models import Channel, OtpChallenge, OtpStatus, utcnow
from bank.notifications import Attachment, enqueue
from bank.signing.contracts import DocumentRef
from workflows.credit import calls as act

PDF = "application/pdf"

log = logging.getLogger(__name__)

OTP_OPERATION = "credit.sign"
IDENTITY_MESSAGES = {
    MISMATCH: "La cédula o el código dactilar no coinciden con el Registro Civil.",
    "CEDULA_NO_COINCIDE": "La cédula no corresponde al firmante de este crédito.",
}
DEFAULT_IDENTITY_MESSAGE = "No pudimos validar tu identidad con el Registro Civil."
Deliver = Callable[[str], object]


def _refused(reason: str) -> ApplicationError:
    return ApplicationError(reason, type=act.REFUSED, non_retryable=True)


def _otp_payload(
    workflow_id: str, generation: int, role: str, hashes: tuple[str, ...]
) -> dict[str, object]:
    """What a signing OTP authorises: this journey's generation, this role, these documents."""
    return {
        "workflow": workflow_id,
        "generation": generation,
        "role": role,
        "documents": sorted(hashes),
    }


def _attachment(ref: DocumentRef, suffix: str = "") -> Attachment:
    """A stored PDF as an attachment: referenced by key, checked by SHA-256 on sending."""
    return Attachment(ref.key, f"{ref.kind}{suffix}.pdf", PDF, ref.sha256)


class CreditActivities:
    """The credit journey's steps that touch the database and the Registro Civil."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        secret_key: str,
        registro_civil: RegistroCivil,
        public_url: str,
        deliver: Deliver | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Hold the session factory, the secret, the Registro Civil and the public base URL."""
        self.sessions = sessions
        self.secret_key = secret_key
        self.registro_civil = registro_civil
        self.public_url = public_url.rstrip("/")
        self.deliver = deliver
        self.clock = clock

    @activity.defn(name=act.LOAD_MEMBER_PROFILE)
    def load_member_profile(self, request: act.LoadProfileInput) -> MemberProfile:
        """The member's file (and spouse's) for the requirement checks."""
        with transaction(self.sessions) as session:
            found = store.member_profile(session, request.member_id)
        if found is None:
            raise _refused("UNKNOWN_MEMBER")
        return found

    @activity.defn(name=act.RECORD_CONSENT)
    def record_consent(self, request: act.ConsentInput) -> int:
        """Store the consent with its time and origin (once per journey)."""
        with transaction(self.sessions) as session:
            return store.record_consent(
                session,
                request.workflow_id,
                request.campaign_id,
                request.member_id,
                request.origin,
                request.at,
            )

    @activity.defn(name=act.CREATE_SIGNING_LINKS)
    def create_signing_links(self, request: act.LinksInput) -> list[act.LinkIssued]:
        """Keep each link's digest and queue its "signing_link" email; return the digests.

        Each email attaches the generation's rendered PDFs, the documents to review and sign.
        """
        issued, keys = [], []
        to_sign = [_attachment(ref) for ref in request.documents]
        with transaction(self.sessions) as session:
            for person in request.recipients:
                token = derive_token(
                    self.secret_key, request.workflow_id, request.generation, person.role
                )
                digest = store.save_link(
                    session,
                    request.workflow_id,
                    request.generation,
                    person.role,
                    person.member_id,
                    token,
                    request.deadline,
                )
                key = f"credit-link:{request.workflow_id}:{request.generation}:{person.role}"
                enqueue(
                    session,
                    key=key,
                    channel=Channel.EMAIL,
                    recipient=person.email,
                    template="signing_link",
                    context={
                        "name": person.first_names,
                        "url": f"{self.public_url}/firma/{token}",
                        "at": self.clock().isoformat(),
                        "deadline": request.deadline,
                    },
                    sensitive=True,  # the link is a bearer credential until used
                    secret_key=self.secret_key,
                    clock=self.clock,
                    attachments=to_sign,
                )
                issued.append(act.LinkIssued(person.role, digest))
                keys.append(key)
        for key in keys:
            deliver_now(self.deliver, key)
        return issued

    @activity.defn(name=act.VERIFY_IDENTITY)
    def verify_identity(self, request: act.IdentityInput) -> act.IdentityVerdict:
        """Cédula must be the signatory's, and its código dactilar the Registro Civil's."""
        if request.cedula != request.expected_identification:
            code = "CEDULA_NO_COINCIDE"
            return act.IdentityVerdict(False, code, IDENTITY_MESSAGES[code])
        # RegistroCivilUnavailable propagates: Temporal retries it.
        check = self.registro_civil.verify(request.cedula, request.codigo_dactilar)
        if check.valid:
            return act.IdentityVerdict(True)
        code = check.reason or MISMATCH
        return act.IdentityVerdict(
            False, code, IDENTITY_MESSAGES.get(code, DEFAULT_IDENTITY_MESSAGE)
        )

    @activity.defn(name=act.ISSUE_SIGNING_OTP)
    def issue_signing_otp(self, request: act.SigningOtpInput) -> act.SigningOtpIssued:
        """An OTP bound to the documents' hashes, by SMS; a retry finds the same challenge."""
        payload = _otp_payload(
            request.workflow_id, request.generation, request.role, request.document_hashes
        )
        with transaction(self.sessions) as session:
            pending = otp.pending(
                session,
                request.member_id,
                OTP_OPERATION,
                payload,
                secret_key=self.secret_key,
                now=self.clock(),
            )
            if pending is not None:  # a retry of this step: same code, no second SMS
                return act.SigningOtpIssued(pending.id, "", pending.expires_at)
            try:
                issued = otp.issue(
                    session,
                    request.member_id,
                    OTP_OPERATION,
                    payload,
                    secret_key=self.secret_key,
                    clock=self.clock,
                    purpose="firmar los documentos de tu crédito",
                )
            except (otp.OtpCannotSend, ValueError) as exc:
                raise _refused("NO_MOBILE") from exc
        deliver_now(self.deliver, issued.message_key)
        return act.SigningOtpIssued(issued.challenge_id, issued.sent_to, issued.expires_at)

    @activity.defn(name=act.VERIFY_SIGNING_OTP)
    def verify_signing_otp(self, request: act.SigningOtpCheck) -> act.SigningOtpVerdict:
        """Check a code; wrong codes are results, not errors."""
        payload = _otp_payload(
            request.workflow_id, request.generation, request.role, request.document_hashes
        )
        with transaction(self.sessions) as session:
            try:
                otp.verify(
                    session,
                    request.challenge_id,
                    request.member_id,
                    OTP_OPERATION,
                    payload,
                    request.code,
                    secret_key=self.secret_key,
                    clock=self.clock,
                )
            except otp.OtpInvalid as wrong:
                return act.SigningOtpVerdict(False, wrong.remaining_attempts)
            except otp.OtpExpired:
                return act.SigningOtpVerdict(False, 0, expired=True)
            except otp.OtpAlreadyUsed:
                return act.SigningOtpVerdict(True, 0)  # an earlier attempt of this step
            except otp.OtpError as refused:
                log.warning("signing OTP refused: %s", refused.code)
                return act.SigningOtpVerdict(False, 0)
            used = session.scalar(
                select(OtpChallenge.failed_attempts).where(
                    OtpChallenge.id == request.challenge_id,
                    OtpChallenge.status == OtpStatus.USED,
                )
            )
        return act.SigningOtpVerdict(True, otp.MAX_FAILED_ATTEMPTS - (used or 0))

    @activity.defn(name=act.DISBURSE)
    def disburse(self, request: act.DisburseInput) -> act.Disbursement:
        """The loan, its schedule and one balanced entry, exactly once per journey."""
        loan = disbursement.LoanRequest(
            request.workflow_id,
            request.generation,
            request.member_id,
            request.product_name,
            request.amount_cents,
            request.term_months,
            request.terms,
            tuple(request.charges),
        )
        try:
            with transaction(self.sessions) as session:
                done = disbursement.disburse(session, loan, local_date(self.clock()))
        except disbursement.DisbursementRefused as exc:
            raise _refused(str(exc)) from exc
        return act.Disbursement(
            done.loan_id, done.loan_number, done.entry_id, done.net_amount_cents, done.replayed
        )

    @activity.defn(name=act.SEND_SIGNED_DOCUMENTS)
    def send_signed_documents(self, request: act.SignedDocumentsInput) -> int:
        """Email every signatory the sealed documents, attached, and where to get them."""
        keys = []
        sealed = [_attachment(ref, "-firmado") for ref in request.documents]
        with transaction(self.sessions) as session:
            for person in request.recipients:
                key = f"credit-signed:{request.workflow_id}:{request.generation}:{person.role}"
                enqueue(
                    session,
                    key=key,
                    channel=Channel.EMAIL,
                    recipient=person.email,
                    template="credit_documents_signed",
                    context={
                        "name": person.first_names,
                        "loan_number": request.loan_number,
                        "net_amount": str(from_cents(request.net_amount_cents)),
                        "at": self.clock().isoformat(),
                        "url": f"{self.public_url}/creditos/{request.loan_number}",
                        "documents": [
                            {"kind": d.kind, "sha256": d.sha256} for d in request.documents
                        ],
                    },
                    secret_key=self.secret_key,
                    clock=self.clock,
                    attachments=sealed,
                )
                keys.append(key)
        for key in keys:
            deliver_now(self.deliver, key)
        return len(keys)

    def all(self) -> list[Callable[..., object]]:
        """Every activity of this class, for ``Worker(activities=...)``."""
        return [
            self.load_member_profile,
            self.record_consent,
            self.create_signing_links,
            self.verify_identity,
            self.issue_signing_otp,
            self.verify_signing_otp,
            self.disburse,
            self.send_signed_documents,
        ]

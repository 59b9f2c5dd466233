"""Fakes of every activity the credit journey calls (by name) and helpers to drive it."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bank.credit.charges import ChargeBasis, ChargeRule, ChargeTiming
from bank.credit.deadline import GUAYAQUIL
from bank.credit.requirements import MemberProfile, SpouseProfile
from bank.credit.tokens import derive_token, token_digest
from bank.kyc import contracts as kyc
from bank.kyc.reasons import reject
from bank.privacy import contracts as privacy
from bank.signing import contracts as sign
from tests.support.temporal import terminate_if_running
from workflows.credit import calls as act
from workflows.credit.contract import (
    AcceptRequest,
    BiometricConsentRequest,
    CreditJourneyState,
    CreditOffer,
    DocumentUpload,
    FaceRequest,
    IdentityRequest,
    OtpRequest,
    SimulationRequest,
    StepResult,
    TermsRequest,
)
from workflows.credit.journey import CreditJourneyWorkflow

SECRET = "test-credit-secret-0123456789-abcdefghijklmnop"
CODIGO = "V1234V5678"
RIGHT_OTP = "123456"
NANCY, CHRISTIAN, MARIA = 7, 8, 9

Handle = WorkflowHandle[CreditJourneyWorkflow, CreditJourneyState]


def profile(member_id: int = NANCY, *, married: bool = True, **changes: object) -> MemberProfile:
    """Nancy (married to Christian) unless told otherwise; a valid ID card."""
    spouse = SpouseProfile(
        CHRISTIAN, "1715982649", "CHRISTIAN IVAN CAICEDO", "CHRISTIAN IVAN",
        "christian.caicedo@example.com", "0979583146",
    )  # fmt: skip
    base = MemberProfile(
        member_id=member_id,
        identification="1720364189",
        full_name="NANCY PATRICIA ORTIZ",
        first_names="NANCY PATRICIA",
        email="nancy.ortiz@example.com",
        mobile="0987412365",
        civil_status="CASADO" if married else "SOLTERO",
        civil_status_verified=True,
        id_card_expires_on=date(2031, 1, 1),
        data_updated_on=date(2020, 1, 1),
        utility_bill_on=None,
        savings_account_number="4060123456",
        address="AV. AMAZONAS N34-12, QUITO",
        spouse=spouse if married else None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def offer(now: datetime, member_id: int = NANCY, **changes: object) -> CreditOffer:
    """A campaign offer: up to $10,000, 12-36 months, a 1% fee with IVA."""
    base = CreditOffer(
        campaign_id="PRE2026",
        member_id=member_id,
        max_amount_cents=1_000_000,
        min_amount_cents=50_000,
        allowed_terms=(12, 24, 36),
        annual_rate="0.1583",
        valid_until=now + timedelta(days=30),
        insurance_monthly_rate="0.0005",
        charges=(
            ChargeRule("COMISION", "Comisión por desembolso", ChargeBasis.PERCENT, "0.01",
                       ChargeTiming.DISBURSEMENT, iva=True),
        ),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class FakeServices:
    """Records every call; behaviour tuned per test."""

    profile: MemberProfile = field(default_factory=profile)
    crash_disburse_once: bool = False
    calls: list[str] = field(default_factory=list)
    consents: list[act.ConsentInput] = field(default_factory=list)
    tokens: dict[tuple[int, str], str] = field(default_factory=dict)
    otps: list[act.SigningOtpInput] = field(default_factory=list)
    disbursements: list[act.DisburseInput] = field(default_factory=list)
    ledger_posts: set[str] = field(default_factory=set)
    signed: list[str] = field(default_factory=list)
    chains: dict[str, list[sign.SignatureReport]] = field(default_factory=dict)
    """The signatures each document version carries, by SHA-256 (what pyHanko would read)."""
    broken_signature: bool = False
    """Validation finds the first signature of every document not intact."""
    biometric_consents: list[privacy.BiometricConsentInput] = field(default_factory=list)
    deleted_biometrics: list[privacy.DeleteBiometricsInput] = field(default_factory=list)

    @activity.defn(name=act.LOAD_MEMBER_PROFILE)
    async def load_profile(self, request: act.LoadProfileInput) -> MemberProfile:
        self.calls.append("profile")
        return self.profile

    @activity.defn(name=act.RECORD_CONSENT)
    async def record_consent(self, request: act.ConsentInput) -> int:
        self.consents.append(request)
        return len(self.consents)

    @activity.defn(name=kyc.VALIDATE_DOCUMENT)
    async def validate_document(self, request: kyc.ValidateDocumentInput) -> kyc.DocumentCheck:
        if "blurry" in request.key:
            blurry = [reject("DOCUMENTO_BORROSO")]
            return kyc.DocumentCheck(request.key, request.kind, False, blurry)
        return kyc.DocumentCheck(request.key, request.kind, True)

    @activity.defn(name=kyc.EXTRACT_REFERENCE_FACE)
    async def extract_face(self, request: kyc.ExtractReferenceFaceInput) -> kyc.ReferenceFace:
        return kyc.ReferenceFace(request.key, True, f"enc/{request.key}")

    @activity.defn(name=kyc.AUTHENTICATE_FACE)
    async def authenticate_face(self, request: kyc.AuthenticateFaceInput) -> kyc.FaceAuthResult:
        self.calls.append(f"face:{request.reference_key}")
        if request.frame_keys[0] == "stranger":
            return kyc.FaceAuthResult(False, 0.71, True, [reject("ROSTRO_NO_COINCIDE")])
        return kyc.FaceAuthResult(True, 0.31, True)

    @activity.defn(name=sign.RENDER_CREDIT_DOCUMENTS)
    async def render(self, request: sign.RenderDocumentsInput) -> list[sign.DocumentRef]:
        self.calls.append(f"render:{request.generation}")
        return [
            sign.DocumentRef(kind, f"{request.workflow_id}/{request.generation}/{kind}",
                             sha(f"{request.generation}{kind}"), 1000)
            for kind in sign.DocumentKind
        ]  # fmt: skip

    @activity.defn(name=act.CREATE_SIGNING_LINKS)
    async def create_links(self, request: act.LinksInput) -> list[act.LinkIssued]:
        issued = []
        for recipient in request.recipients:
            token = derive_token(SECRET, request.workflow_id, request.generation, recipient.role)
            self.tokens[(request.generation, recipient.role)] = token
            issued.append(act.LinkIssued(recipient.role, token_digest(token)))
        return issued

    @activity.defn(name=act.VERIFY_IDENTITY)
    async def verify_identity(self, request: act.IdentityInput) -> act.IdentityVerdict:
        ok = request.cedula == request.expected_identification and request.codigo_dactilar == CODIGO
        return act.IdentityVerdict(ok, "" if ok else "NO_COINCIDE", "" if ok else "No coincide.")

    @activity.defn(name=act.ISSUE_SIGNING_OTP)
    async def issue_otp(self, request: act.SigningOtpInput) -> act.SigningOtpIssued:
        self.otps.append(request)
        return act.SigningOtpIssued(f"ch-{len(self.otps)}", "09******65", datetime.now(GUAYAQUIL))

    @activity.defn(name=act.VERIFY_SIGNING_OTP)
    async def verify_otp(self, request: act.SigningOtpCheck) -> act.SigningOtpVerdict:
        issued = next(o for o in reversed(self.otps) if o.role == request.role)
        bound = request.document_hashes == issued.document_hashes
        return act.SigningOtpVerdict(request.code == RIGHT_OTP and bound, 4)

    @activity.defn(name=sign.SIGN_DOCUMENTS)
    async def sign_documents(self, request: sign.SignInput) -> list[sign.DocumentRef]:
        self.signed.append(request.signatory.role)
        person = request.signatory
        name = sign.SIGNATURE_FIELDS[sign.SignatoryRole(person.role)]
        return [
            self._chain(d, request.step, name, person.full_name, person.identification)
            for d in request.documents
        ]

    @activity.defn(name=sign.SEAL_DOCUMENTS)
    async def seal(self, request: sign.SealInput) -> list[sign.DocumentRef]:
        self.calls.append("seal")
        return [
            self._chain(d, "seal", sign.SEAL_FIELD, "COOPROGRESO", "1790000000001")
            for d in request.documents
        ]

    @activity.defn(name=sign.VALIDATE_DOCUMENTS)
    async def validate(self, request: sign.ValidateInput) -> list[sign.DocumentValidation]:
        self.calls.append("validate")
        results = []
        for document in request.documents:
            reports = list(self.chains.get(document.sha256, []))
            if self.broken_signature and reports:
                reports[0] = replace(reports[0], intact=False)
            all_ok = bool(reports) and all(r.ok for r in reports)
            results.append(sign.DocumentValidation(document.kind, document.key, reports, all_ok))
        return results

    def _chain(
        self, document: sign.DocumentRef, step: str, name: str, signer: str, identification: str
    ) -> sign.DocumentRef:
        """The next version of ``document``, carrying one more (valid) signature."""
        signed = replace(document, sha256=sha(document.sha256 + step))
        report = sign.SignatureReport(
            name, signer, identification, True, True, True, "ENTIRE_FILE", "NONE", True, None
        )
        self.chains[signed.sha256] = [*self.chains.get(document.sha256, []), report]
        return signed

    @activity.defn(name=act.DISBURSE)
    async def disburse(self, request: act.DisburseInput) -> act.Disbursement:
        key = f"credit:{request.workflow_id}:g{request.generation}:disburse"
        replayed = key in self.ledger_posts
        self.ledger_posts.add(key)  # what the ledger's idempotency key does for real
        self.disbursements.append(request)
        if self.crash_disburse_once and len(self.disbursements) == 1:
            raise RuntimeError("worker lost after the ledger post")
        return act.Disbursement(1, "0300000001", 1, 990_000 - 1_500, replayed)

    @activity.defn(name=privacy.RECORD_BIOMETRIC_CONSENT)
    async def record_biometric_consent(self, request: privacy.BiometricConsentInput) -> int:
        self.biometric_consents.append(request)
        return len(self.biometric_consents)

    @activity.defn(name=privacy.DELETE_BIOMETRICS)
    async def delete_biometrics(
        self, request: privacy.DeleteBiometricsInput
    ) -> privacy.DeletedBiometrics:
        self.deleted_biometrics.append(request)
        return privacy.DeletedBiometrics(len(request.keys), len(self.deleted_biometrics))

    @activity.defn(name=act.SEND_SIGNED_DOCUMENTS)
    async def send_signed(self, request: act.SignedDocumentsInput) -> int:
        self.calls.append(f"mail:{len(request.recipients)}")
        return len(request.recipients)

    def all(self) -> list[Callable[..., object]]:
        return [
            self.load_profile, self.record_consent, self.validate_document, self.extract_face,
            self.authenticate_face, self.render, self.create_links, self.verify_identity,
            self.issue_otp, self.verify_otp, self.sign_documents, self.seal, self.validate,
            self.disburse, self.send_signed, self.record_biometric_consent, self.delete_biometrics,
        ]  # fmt: skip


async def to_morning(env: WorkflowEnvironment) -> datetime:
    """Skip to the next 09:00 in Guayaquil, so a request can be sent whatever the real time."""
    now = (await env.get_current_time()).astimezone(GUAYAQUIL)
    target = now.replace(hour=9, minute=0, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    await env.sleep(target - now)
    return await env.get_current_time()


@asynccontextmanager
async def journey(
    env: WorkflowEnvironment,
    task_queue: str,
    fakes: FakeServices,
    the_offer: CreditOffer,
    wid: str | None = None,
) -> AsyncIterator[Handle]:
    """A worker with the fakes and one started journey."""
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[CreditJourneyWorkflow],
        activities=fakes.all(),
    ):
        handle = await env.client.start_workflow(
            CreditJourneyWorkflow.run,
            the_offer,
            id=wid or f"credit-{the_offer.campaign_id}-{the_offer.member_id}-{task_queue}",
            task_queue=task_queue,
        )
        try:
            yield handle
        finally:
            # A journey left waiting would hold a workflow task nobody polls once this
            # worker stops, and the shared time-skipping server would stop skipping.
            await terminate_if_running(handle)


async def finished(env: WorkflowEnvironment, handle: Handle) -> CreditJourneyState:
    """The result of a journey that ends without waiting for a timer.

    With automatic time skipping on, the test server jumps years ahead when asked for the
    result of a workflow with no timer left, and later tests would see expired ID cards.
    """
    with env.auto_time_skipping_disabled():
        return await handle.result()


async def send_request(handle: Handle, married: bool = True) -> None:
    """Accept, choose $9,900 at 24 months, upload every document, finalize."""
    await handle.execute_update(CreditJourneyWorkflow.accept, AcceptRequest("web 190.2.3.4"))
    await handle.execute_update(CreditJourneyWorkflow.choose, SimulationRequest(990_000, 24))
    kinds = ["ID_FRONT", "ID_BACK", "UTILITY_BILL"]
    kinds += ["SPOUSE_ID_FRONT", "SPOUSE_ID_BACK"] if married else []
    for kind in kinds:
        state = await handle.query(CreditJourneyWorkflow.state)
        issued = state.offer.valid_until - timedelta(days=31)  # a day before the offer
        upload = DocumentUpload(kind, f"uploads/{kind}.jpg", f"{kind}.jpg", "image/jpeg")
        if kind == "UTILITY_BILL":
            upload = replace(upload, issued_on=issued.date())
        outcome = await handle.execute_update(CreditJourneyWorkflow.attach_document, upload)
        assert outcome.accepted, outcome
    await handle.execute_update(CreditJourneyWorkflow.finalize)


async def sign_up_to_otp(handle: Handle, fakes: FakeServices, role: str, gen: int = 1) -> str:
    """Identity, face and terms for ``role``; returns its token (the OTP is pending)."""
    token = fakes.tokens[(gen, role)]
    state = await handle.query(CreditJourneyWorkflow.state)
    cedula = fakes.profile.identification
    if role == "SPOUSE" and fakes.profile.spouse:
        cedula = fakes.profile.spouse.identification
    wf = CreditJourneyWorkflow
    ok = await handle.execute_update(
        wf.verify_identity, IdentityRequest(role, token, cedula, CODIGO)
    )
    assert ok.passed, ok
    await consent(handle, role, token)
    face = await handle.execute_update(wf.submit_face, FaceRequest(role, token, ("f1", "f2")))
    assert face.passed, face
    hashes = state.document_hashes
    terms = await handle.execute_update(wf.accept_terms, TermsRequest(role, token, hashes))
    assert terms.passed, terms
    return token


async def consent(handle: Handle, role: str, token: str) -> None:
    """The signatory authorises the processing of their facial image (before Paso 9)."""
    request = BiometricConsentRequest(role, token, privacy.BIOMETRIC_CONSENT_VERSION, "web test")
    await handle.execute_update(CreditJourneyWorkflow.consent_biometrics, request)


async def otp(handle: Handle, role: str, token: str, code: str = RIGHT_OTP) -> StepResult:
    return await handle.execute_update(
        CreditJourneyWorkflow.submit_otp, OtpRequest(role, token, code)
    )

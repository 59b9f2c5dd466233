"""The signing link (manual §8 Pasos 8-11): identity, face, documents, terms and OTP.

No bearer session: the one-time link emailed to each signatory is the credential. Its
token (``bank.credit.tokens.derive_token``: an HMAC, 256 bits, URL-safe) does not name the
journey; ``credit_signing_links`` keeps its SHA-256 with the workflow ID, generation and
role (``bank.credit.store.save_link``, written by the activity that emails the link), and
the API resolves a presented token there (``resolve_link``). Each signing Update then
hands role and token to the workflow, whose validator checks the token against the
digest of the current generation (a wrong, outdated or replaced link is refused before
anything enters history). The read-only routes (documents) check that the link's
generation is the journey's current one. Requests are rate-limited per client address
(429 with ``Retry-After``); wrong answers are limited by the workflow (5 identity,
3 face, 5 OTP tries).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Request, Response, UploadFile
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool
from temporalio.workflow import UpdateMethodMultiParam

from api import credit_calls as common
from api import temporal
from api.credit_calls import Documents
from api.deps import DbSession, TemporalClient, request_origin
from api.errors import ApiError
from api.schemas import credit as out
from api.schemas import privacy as privacy_out
from api.schemas.common import ErrorBody
from bank.adapters.documents import DocumentError
from bank.credit.store import resolve_link
from bank.privacy import contracts as privacy
from bank.signing.contracts import DOCUMENT_NAMES
from workflows.credit.contract import (
    ERR_CONSENT,
    ERR_LINK,
    BiometricConsentRequest,
    CreditJourneyState,
    FaceRequest,
    IdentityRequest,
    OtpRequest,
    Role,
    SignatoryView,
    Status,
    Step,
    StepResult,
    TermsRequest,
)
from workflows.credit.journey import CreditJourneyWorkflow
from workflows.credit.signatories import LOCKED_LINK

WF = CreditJourneyWorkflow
router = APIRouter(
    prefix="/signing",
    tags=["Firma electrónica"],
    responses={
        404: {"model": ErrorBody, "description": "ENLACE_INVALIDO"},
        409: {"model": ErrorBody, "description": "Paso fuera de orden, plazo vencido"},
        422: {"model": ErrorBody, "description": "Datos inválidos"},
        429: {"model": ErrorBody, "description": "DEMASIADAS_SOLICITUDES"},
    },
)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
TokenPath = Annotated[str, Path(max_length=100, description="Token del enlace de firma")]
MAX_FRAMES = 30
RATE_LIMIT = 60
RATE_WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Link:
    """A resolved link: which journey and generation, which signatory, and its token."""

    workflow_id: str
    generation: int
    role: Role
    token: str


def invalid_link() -> ApiError:
    """One answer for malformed, unknown, outdated and replaced links."""
    return ApiError(404, ERR_LINK, "El enlace de firma no es válido o fue reemplazado.")


async def resolve(token: str, session: AsyncSession) -> Link:
    """The journey of a link token; 404 ``ENLACE_INVALIDO`` when there is none."""
    if not _TOKEN.fullmatch(token):
        raise invalid_link()
    target = await session.run_sync(resolve_link, token)
    if target is None or target.role not in Role.__members__:
        raise invalid_link()
    return Link(target.workflow_id, target.generation, Role(target.role), token)


class RateLimiter:
    """A fixed-window counter per client address (per process; a proxy may add its own)."""

    def __init__(self, limit: int, window: float) -> None:
        """Allow ``limit`` requests per ``window`` seconds and address."""
        self.limit, self.window = limit, window
        self._hits: dict[str, tuple[float, int]] = {}

    def retry_after(self, key: str, now: float) -> int | None:
        """Count a request; the seconds to wait when over the limit, else None."""
        if len(self._hits) > 10_000:  # bounded memory: forget every finished window
            self._hits = {k: v for k, v in self._hits.items() if now - v[0] < self.window}
        start, count = self._hits.get(key, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        self._hits[key] = (start, count + 1)
        if count + 1 > self.limit:
            return max(1, int(start + self.window - now) + 1)
        return None


def rate_limited(request: Request) -> None:
    """429 ``DEMASIADAS_SOLICITUDES`` with ``Retry-After`` past the per-address limit."""
    limiter: RateLimiter | None = getattr(request.app.state, "signing_limiter", None)
    if limiter is None:
        limiter = request.app.state.signing_limiter = RateLimiter(RATE_LIMIT, RATE_WINDOW_SECONDS)
    address = request.client.host if request.client else "-"
    wait = limiter.retry_after(address, time.monotonic())
    if wait is not None:
        raise ApiError(
            429,
            "DEMASIADAS_SOLICITUDES",
            f"Realizaste demasiadas solicitudes. Espera {wait} segundos e inténtalo de nuevo.",
            headers={"Retry-After": str(wait)},
        )


router.dependencies.append(Depends(rate_limited))


async def linked_state(client: TemporalClient, link: Link) -> CreditJourneyState:
    """The journey's state, once the link is of its current generation (open or not)."""
    handle = client.get_workflow_handle_for(WF.run, link.workflow_id)
    state = await common.query_state(handle, invalid_link)
    if signer_of(state, link) is None or state.generation != link.generation:
        raise invalid_link()
    return state


def signer_of(state: CreditJourneyState, link: Link) -> SignatoryView | None:
    """The link's signatory in ``state`` (always there once ``linked_state`` answered)."""
    return next((s for s in state.signatories if s.role == link.role), None)


def require_open(state: CreditJourneyState) -> None:
    """409 ``ENLACE_NO_DISPONIBLE`` unless the journey still waits for signatures."""
    if state.status is not Status.AWAITING_SIGNATURES:
        raise ApiError(
            409,
            "ENLACE_NO_DISPONIBLE",
            "Este proceso de firma ya no está disponible. Comunícate con tu Oficial de Crédito.",
        )


async def verified_state(client: TemporalClient, link: Link) -> CreditJourneyState:
    """The journey's state, once the link is of its current generation and still open."""
    state = await linked_state(client, link)
    require_open(state)
    return state


async def _step(
    client: TemporalClient,
    link: Link,
    method: UpdateMethodMultiParam[..., StepResult],
    request: object,
) -> out.PasoOut:
    """Run one signing Update; the workflow checks the link, the order and the attempts."""
    handle = client.get_workflow_handle_for(WF.run, link.workflow_id)
    result = await common.update(handle, method, request, not_found=invalid_link)
    return out.step_out(result)


@router.get("/{token}", response_model=out.EstadoFirmaOut)
async def signing_state(
    token: TokenPath, session: DbSession, client: TemporalClient
) -> out.EstadoFirmaOut:
    """Where this link stands: the page opens (or reopens) at the signatory's next step.

    A signatory who already signed keeps seeing that (``SIGNED``) after the journey moves
    on to the disbursement; any other closed journey answers 409 ``ENLACE_NO_DISPONIBLE``.
    """
    link = await resolve(token, session)
    state = await linked_state(client, link)  # one Query: the checks below need no other
    signer = signer_of(state, link)
    assert signer is not None  # linked_state checked it
    if signer.signed_at is None:
        require_open(state)
    step = Step(signer.next_step)
    attempts = {
        Step.IDENTITY: signer.identity_attempts_left,
        Step.FACE: signer.face_attempts_left,
        Step.OTP: signer.otp_attempts_left,
    }.get(step, 0)
    return out.EstadoFirmaOut(
        rol=link.role,
        nombre=signer.name,
        siguiente_paso=step,
        intentos_restantes=attempts,
        estado=state.status,
        plazo_firma=state.deadline,
        firmado_en=signer.signed_at,
        mensaje=LOCKED_LINK if step is Step.LOCKED else None,
    )


@router.post("/{token}/identity", response_model=out.PasoOut)
async def identity(
    token: TokenPath, session: DbSession, body: out.IdentidadIn, client: TemporalClient
) -> out.PasoOut:
    """Paso 8: cédula and código dactilar, checked with the Registro Civil."""
    link = await resolve(token, session)
    request = IdentityRequest(link.role, link.token, body.cedula, body.codigo_dactilar)
    return await _step(client, link, WF.verify_identity, request)


def _consent_out(signer: SignatoryView) -> privacy_out.ConsentimientoBiometricoOut:
    return privacy_out.ConsentimientoBiometricoOut(
        version=privacy.BIOMETRIC_CONSENT_VERSION,
        texto=privacy.BIOMETRIC_CONSENT_TEXT,
        finalidad=privacy.BIOMETRIC_PURPOSE,
        otorgado_en=signer.biometric_consent_at,
        version_otorgada=signer.biometric_consent_version,
    )


def consent_required() -> ApiError:
    """409 ``CONSENTIMIENTO_REQUERIDO``: frames before the biometric consent."""
    return ApiError(
        409,
        ERR_CONSENT,
        "Antes de la autenticación facial debes autorizar el tratamiento de tu imagen facial.",
    )


async def _require_consent(client: TemporalClient, link: Link) -> None:
    """409 ``CONSENTIMIENTO_REQUERIDO`` at the face step without the biometric consent."""
    state = await linked_state(client, link)
    signer = signer_of(state, link)
    assert signer is not None  # linked_state checked it
    if signer.biometric_consent_at is None and signer.next_step == Step.FACE:
        raise consent_required()


@router.get("/{token}/biometric-consent", response_model=privacy_out.ConsentimientoBiometricoOut)
async def biometric_consent_text(
    token: TokenPath, session: DbSession, client: TemporalClient
) -> privacy_out.ConsentimientoBiometricoOut:
    """Before Paso 9: the consent text (versioned), its purpose, and whether it was given."""
    link = await resolve(token, session)
    state = await verified_state(client, link)
    signer = signer_of(state, link)
    assert signer is not None  # linked_state checked it
    return _consent_out(signer)


@router.post("/{token}/biometric-consent", response_model=privacy_out.ConsentimientoBiometricoOut)
async def biometric_consent(
    token: TokenPath,
    session: DbSession,
    body: privacy_out.ConsentimientoBiometricoIn,
    request: Request,
    client: TemporalClient,
) -> privacy_out.ConsentimientoBiometricoOut:
    """ "Autorizo…": the explicit consent (version, purpose, time, origin), before the camera."""
    link = await resolve(token, session)
    if not body.acepto:
        raise ApiError(
            422, ERR_CONSENT, "Marca la casilla de autorización para continuar con la firma."
        )
    handle = client.get_workflow_handle_for(WF.run, link.workflow_id)
    consent = BiometricConsentRequest(link.role, link.token, body.version, request_origin(request))
    signer = await common.update(handle, WF.consent_biometrics, consent, not_found=invalid_link)
    return _consent_out(signer)


@router.post("/{token}/face", response_model=out.PasoOut)
async def face(
    token: TokenPath,
    session: DbSession,
    client: TemporalClient,
    store: Documents,
    fotogramas: Annotated[list[UploadFile], File(description="Fotogramas PNG/JPG de la cámara")],
) -> out.PasoOut:
    """Paso 9: the camera frames, stored under random keys, compared with the ID card.

    Refused with 409 ``CONSENTIMIENTO_REQUERIDO`` before any frame is stored when the
    signatory has not given the biometric consent.
    """
    link = await resolve(token, session)
    if not 1 <= len(fotogramas) <= MAX_FRAMES:
        raise ApiError(
            422, "FOTOGRAMAS_INVALIDOS", f"Envía entre 1 y {MAX_FRAMES} fotogramas de la cámara."
        )
    frames = [await common.read_upload(f, common.MAX_FRAME_BYTES) for f in fotogramas]
    if any(media == "application/pdf" for _, media in frames):
        raise common.rejected("TIPO_NO_PERMITIDO")
    await _require_consent(client, link)  # before any frame is stored
    keys = [await common.store_upload(store, "credit/frames", d, m) for d, m in frames]
    try:
        return await _step(
            client, link, WF.submit_face, FaceRequest(link.role, link.token, tuple(keys))
        )
    except ApiError:
        await common.discard_uploads(store, keys)  # refused before entering history
        raise


@router.get("/{token}/documents", response_model=out.DocumentosFirmaOut)
async def documents(
    token: TokenPath, session: DbSession, request: Request, client: TemporalClient
) -> out.DocumentosFirmaOut:
    """Paso 10: the documents to review, their SHA-256 and where to download them."""
    link = await resolve(token, session)
    state = await verified_state(client, link)
    signer = signer_of(state, link)
    assert signer is not None  # linked_state checked it
    base = request.url_for("signing_document", token=token, kind="KIND").path
    return out.DocumentosFirmaOut(
        rol=link.role,
        siguiente_paso=signer.next_step,
        plazo_firma=state.deadline,
        documentos=[
            out.DocumentoFirmaOut(
                tipo=d.kind,
                nombre=DOCUMENT_NAMES.get(d.kind, d.kind),
                sha256=d.sha256,
                tamano=d.size,
                url=base.replace("KIND", d.kind),
            )
            for d in state.signing_documents
        ],
        hashes_a_aceptar=list(state.document_hashes),
    )


@router.get(
    "/{token}/documents/{kind}",
    name="signing_document",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def document(
    token: TokenPath,
    session: DbSession,
    kind: Annotated[str, Path(pattern=r"^[a-z][a-z-]{2,40}$")],
    client: TemporalClient,
    store: Documents,
) -> Response:
    """Download one document (PDF) of the signing link."""
    link = await resolve(token, session)
    state = await verified_state(client, link)
    ref = next((d for d in state.signing_documents if d.kind == kind), None)
    if ref is None:
        raise ApiError(404, "DOCUMENTO_NO_ENCONTRADO", "No encontramos el documento solicitado.")
    try:
        stored = await run_in_threadpool(store.get, ref.key)
    except DocumentError as exc:
        raise temporal.unavailable() from exc
    headers = {
        "Content-Disposition": f'attachment; filename="{kind}.pdf"',
        "X-Content-SHA256": stored.info.sha256,
        "Cache-Control": "no-store",
    }
    return Response(stored.data, media_type="application/pdf", headers=headers)


@router.post("/{token}/terms", response_model=out.PasoOut)
async def terms(
    token: TokenPath, session: DbSession, body: out.TerminosIn, client: TemporalClient
) -> out.PasoOut:
    """Paso 10: accept the reviewed documents (by hash); an OTP bound to them is sent."""
    link = await resolve(token, session)
    request = TermsRequest(link.role, link.token, tuple(body.document_hashes))
    return await _step(client, link, WF.accept_terms, request)


@router.post("/{token}/otp", response_model=out.PasoOut)
async def otp(
    token: TokenPath, session: DbSession, body: out.OtpIn, client: TemporalClient
) -> out.PasoOut:
    """Paso 11: the SMS code; right → this signatory's signature is applied."""
    link = await resolve(token, session)
    return await _step(client, link, WF.submit_otp, OtpRequest(link.role, link.token, body.codigo))

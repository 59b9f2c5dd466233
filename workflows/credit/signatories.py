"""Per-signatory progress of the credit journey's e-signature (manual §8 Pasos 8-11).

Plain deterministic Python used by :mod:`workflows.credit.journey`: the order of the steps,
the attempt counters and the checks its Update validators run. No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bank.credit.requirements import MemberProfile, SpouseProfile
from bank.credit.tokens import same_token
from bank.signing.contracts import SignatoryRole
from workflows.credit.contract import (
    MAX_FACE_ATTEMPTS,
    MAX_IDENTITY_ATTEMPTS,
    MAX_OTP_ATTEMPTS,
    Reason,
    Role,
    SignatoryView,
    Step,
    reject,
)

SIGNING_ROLES = {Role.MEMBER: SignatoryRole.MEMBER, Role.SPOUSE: SignatoryRole.SPOUSE}
"""Our roles and the signing service's (which names the PDF signature fields)."""
STEP_NAMES = {Role.MEMBER: "firma-socio", Role.SPOUSE: "firma-conyuge"}


@dataclass
class SignatoryProgress:
    """One signatory of one generation of documents."""

    role: Role
    member_id: int
    identification: str
    full_name: str
    first_names: str
    email: str
    mobile: str
    reference_face_key: str | None = None
    token_digest: str = ""
    identity_attempts_left: int = MAX_IDENTITY_ATTEMPTS
    face_attempts_left: int = MAX_FACE_ATTEMPTS
    otp_attempts_left: int = MAX_OTP_ATTEMPTS
    identity_ok: bool = False
    face_ok: bool = False
    face_distance: float | None = None
    terms_accepted_at: datetime | None = None
    challenge_id: str | None = None
    signed_at: datetime | None = None
    biometric_consent_at: datetime | None = None
    """Kept across generations: the consent is for this credit's signature, not one link."""
    biometric_consent_version: str | None = None

    @classmethod
    def of(cls, role: Role, person: MemberProfile | SpouseProfile) -> SignatoryProgress:
        """A signatory from the member's (or spouse's) profile."""
        return cls(
            role=role,
            member_id=person.member_id,
            identification=person.identification,
            full_name=person.full_name,
            first_names=person.first_names,
            email=person.email or "",
            mobile=person.mobile or "",
        )

    def next_step(self) -> Step:
        """What this signatory must do next."""
        if self.signed_at is not None:
            return Step.SIGNED
        if min(self.identity_attempts_left, self.face_attempts_left, self.otp_attempts_left) <= 0:
            return Step.LOCKED
        if not self.identity_ok:
            return Step.IDENTITY
        if not self.face_ok:
            return Step.FACE
        if self.challenge_id is None:
            return Step.TERMS
        return Step.OTP

    def restart(self, token_digest: str) -> None:
        """A new generation: a new link, and every step and counter from the start."""
        self.token_digest = token_digest
        self.identity_attempts_left = MAX_IDENTITY_ATTEMPTS
        self.face_attempts_left = MAX_FACE_ATTEMPTS
        self.otp_attempts_left = MAX_OTP_ATTEMPTS
        self.identity_ok = self.face_ok = False
        self.face_distance = None
        self.terms_accepted_at = self.challenge_id = self.signed_at = None

    def attempts_left(self, step: Step) -> int:
        """The attempts left at ``step`` (0 for steps without a limit)."""
        return {
            Step.IDENTITY: self.identity_attempts_left,
            Step.FACE: self.face_attempts_left,
            Step.OTP: self.otp_attempts_left,
        }.get(step, 0)

    def view(self) -> SignatoryView:
        """The Query's picture of this signatory."""
        return SignatoryView(
            role=self.role,
            member_id=self.member_id,
            name=self.full_name,
            email=self.email,
            mobile=self.mobile,
            next_step=self.next_step(),
            identity_attempts_left=self.identity_attempts_left,
            face_attempts_left=self.face_attempts_left,
            otp_attempts_left=self.otp_attempts_left,
            face_distance=self.face_distance,
            terms_accepted_at=self.terms_accepted_at,
            signed_at=self.signed_at,
            biometric_consent_at=self.biometric_consent_at,
            biometric_consent_version=self.biometric_consent_version,
        )


LOCKED_LINK = (
    "Superaste el número de intentos permitidos. Solicita a tu Oficial de Crédito "
    "que genere nuevamente el proceso."
)
"""What a signatory reads on every step of a link locked by too many failed attempts."""


def check_link(
    signatories: dict[Role, SignatoryProgress], role: str, token: str, step: Step
) -> SignatoryProgress:
    """The signatory a signing Update is for, once its link and step are right.

    ``TERMS`` may be repeated while the OTP is pending: it sends a new code.

    Raises:
        ApplicationError: unknown role, wrong or outdated link, or a step out of order.
    """
    try:
        signatory = signatories[Role(role)]
    except (ValueError, KeyError):
        raise reject("ENLACE_INVALIDO", "El enlace de firma no es válido.") from None
    if not token or not same_token(token, signatory.token_digest):
        raise reject("ENLACE_INVALIDO", "El enlace de firma no es válido o fue reemplazado.")
    current = signatory.next_step()
    if current is Step.LOCKED:
        raise reject("PASO_BLOQUEADO", LOCKED_LINK)
    if current is Step.SIGNED:
        raise reject("PASO_FUERA_DE_ORDEN", "Ya firmaste los documentos de este crédito.")
    if current is not step and not (step is Step.TERMS and current is Step.OTP):
        raise reject("PASO_FUERA_DE_ORDEN", "Completa primero los pasos anteriores.")
    return signatory


def reasons_of(items: Sequence[object]) -> tuple[Reason, ...]:
    """Rejections of other services (anything with ``code`` and ``message``) as Reasons."""
    return tuple(
        Reason(str(getattr(item, "code", "")), str(getattr(item, "message", ""))) for item in items
    )

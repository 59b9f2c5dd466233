"""Consents and signing links in the database; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bank.credit.requirements import MemberProfile, SpouseProfile
from bank.credit.tokens import token_digest
from bank.models import (
    Account,
    AccountStatus,
    CreditConsent,
    Member,
    ProductType,
    SigningLink,
)

CONSENT_TEXT_VERSION = "2026-01"


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def record_consent(
    session: Session, workflow_id: str, campaign_id: str, member_id: int, origin: str, at: datetime
) -> int:
    """Store the consent of a journey once (a retry keeps the first); return its id."""
    table = CreditConsent.__table__
    values = {
        "workflow_id": workflow_id,
        "member_id": member_id,
        "campaign_id": campaign_id,
        "origin": origin,
        "text_version": CONSENT_TEXT_VERSION,
        "accepted_at": at,
    }
    session.execute(
        _insert(session)(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["workflow_id"])
    )
    return session.scalars(
        select(CreditConsent.id).where(CreditConsent.workflow_id == workflow_id)
    ).one()


def save_link(
    session: Session,
    workflow_id: str,
    generation: int,
    role: str,
    member_id: int,
    token: str,
    expires_at: datetime,
) -> str:
    """Keep the digest of a link's token (idempotent per workflow, generation and role)."""
    digest = token_digest(token)
    values = {
        "workflow_id": workflow_id,
        "generation": generation,
        "role": role,
        "member_id": member_id,
        "token_digest": digest,
        "expires_at": expires_at,
        "created_at": datetime.now(expires_at.tzinfo),
    }
    session.execute(
        _insert(session)(SigningLink.__table__)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["token_digest"])
    )
    return digest


@dataclass(frozen=True)
class LinkTarget:
    """What a presented token opens: the journey, the generation and the signatory's role."""

    workflow_id: str
    generation: int
    role: str
    member_id: int
    expires_at: datetime


def resolve_link(session: Session, token: str) -> LinkTarget | None:
    """The journey a signing-link token belongs to (for the API), or None."""
    link = session.scalars(
        select(SigningLink).where(SigningLink.token_digest == token_digest(token))
    ).first()
    if link is None:
        return None
    return LinkTarget(link.workflow_id, link.generation, link.role, link.member_id, link.expires_at)


def savings_account(session: Session, member_id: int) -> Account | None:
    """The member's first active savings account (where a loan is credited)."""
    return session.scalars(
        select(Account)
        .where(
            Account.member_id == member_id,
            Account.product == ProductType.SAVINGS,
            Account.status == AccountStatus.ACTIVO,
        )
        .order_by(Account.id)
    ).first()


def member_profile(session: Session, member_id: int) -> MemberProfile | None:
    """What the requirement checks read from the member's file (and the spouse's)."""
    member = session.get(Member, member_id)
    if member is None:
        return None
    spouse = member.spouse
    account = savings_account(session, member_id)
    return MemberProfile(
        member_id=member.id,
        identification=member.identification,
        full_name=member.full_name,
        first_names=member.first_names,
        email=member.email,
        mobile=member.mobile,
        civil_status=str(member.civil_status),
        civil_status_verified=member.civil_status_verified,
        id_card_expires_on=member.id_card_expires_on,
        data_updated_on=member.data_updated_on,
        utility_bill_on=member.utility_bill_on,
        savings_account_number=account.number if account else None,
        address=member.address or "",
        spouse=SpouseProfile(
            spouse.id,
            spouse.identification,
            spouse.full_name,
            spouse.first_names,
            spouse.email,
            spouse.mobile,
        )
        if spouse
        else None,
    )

"""Solicita tus productos (manual §7): what a member may ask for and the officer's attention.

A member picks a product type, optionally the amount (or credit limit) they have in mind and
a comment, and how they prefer to be contacted; an officer later marks the request attended.
At most :data:`MAX_OPEN_PER_PRODUCT` open (``NUEVA``) request per member and product type:
a second one is refused with ``SOLICITUD_EN_CURSO`` (the partial unique index
``uq_product_requests_open`` holds the rule even for two requests sent at once).

Plain functions over a synchronous ``Session``; they flush but never commit (the caller owns
the transaction). Refusals are :class:`~bank.core.errors.DomainError` subclasses whose
``status_code`` tells the API how to answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bank.core.errors import DomainError
from bank.models import (
    ContactChannel,
    Member,
    ProductRequest,
    ProductRequestStatus,
    RequestedProduct,
)

MAX_OPEN_PER_PRODUCT = 1
"""Open requests a member may have per product type (the index enforces exactly one)."""
MAX_COMMENT_CHARS = 500
MAX_LISTED = 200


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """How a product type is offered on "Solicita tus productos"."""

    label: str
    category: str
    description: str
    amount_label: str | None
    """The amount field's label, or None when the product takes no amount."""


PRODUCTS: dict[RequestedProduct, ProductInfo] = {
    RequestedProduct.CUENTA_AHORROS: ProductInfo(
        "Cuenta de ahorros",
        "Ahorro",
        "Abre una cuenta de ahorros para tu dinero del día a día.",
        None,
    ),
    RequestedProduct.AHORRO_PROGRAMADO: ProductInfo(
        "Ahorro programado",
        "Ahorro",
        "Ahorra un valor fijo cada mes para cumplir una meta.",
        "Valor mensual que deseas ahorrar",
    ),
    RequestedProduct.CERTIFICADO_DEPOSITO: ProductInfo(
        "Inversión (certificado de depósito a plazo fijo)",
        "Inversiones",
        "Invierte a plazo fijo y gana intereses.",
        "Monto que deseas invertir",
    ),
    RequestedProduct.CREDITO_CONSUMO: ProductInfo(
        "Crédito de consumo",
        "Créditos",
        "Para tus gastos personales, estudios, viajes o compras.",
        "Monto que necesitas",
    ),
    RequestedProduct.CREDITO_VIVIENDA: ProductInfo(
        "Crédito de vivienda",
        "Créditos",
        "Para comprar, construir o remodelar tu vivienda.",
        "Monto que necesitas",
    ),
    RequestedProduct.MICROCREDITO: ProductInfo(
        "Microcrédito",
        "Créditos",
        "Para tu negocio o emprendimiento.",
        "Monto que necesitas",
    ),
    RequestedProduct.TARJETA_CREDITO: ProductInfo(
        "Tarjeta de crédito",
        "Tarjetas",
        "Tarjeta de crédito Cooprogreso para tus compras en el país y el exterior.",
        "Cupo que deseas",
    ),
    RequestedProduct.TARJETA_DEBITO: ProductInfo(
        "Tarjeta de débito",
        "Tarjetas",
        "Tarjeta de débito asociada a tu cuenta de ahorros.",
        None,
    ),
}

CHANNELS: dict[ContactChannel, str] = {
    ContactChannel.LLAMADA: "Llamada a mi celular",
    ContactChannel.WHATSAPP: "WhatsApp",
    ContactChannel.CORREO: "Correo electrónico",
    ContactChannel.AGENCIA: "Me acercaré a una agencia",
}

STATUSES: dict[ProductRequestStatus, str] = {
    ProductRequestStatus.NUEVA: "Recibida",
    ProductRequestStatus.ATENDIDA: "Atendida",
}


class ProductRequestRefused(DomainError):
    """A refusal about a product request; ``status_code`` is the HTTP status to answer."""

    status_code: ClassVar[int] = 422


class MontoNoAplica(ProductRequestRefused):
    code = "MONTO_NO_APLICA"
    default_message = "Este producto no requiere un monto: deja el campo vacío."


class ContactoNoRegistrado(ProductRequestRefused):
    code = "CONTACTO_NO_REGISTRADO"


class SolicitudEnCurso(ProductRequestRefused):
    status_code = 409
    code = "SOLICITUD_EN_CURSO"


class SolicitudNoEncontrada(ProductRequestRefused):
    status_code = 404
    code = "SOLICITUD_NO_ENCONTRADA"
    default_message = "No encontramos la solicitud de producto."


class SolicitudYaAtendida(ProductRequestRefused):
    status_code = 409
    code = "SOLICITUD_YA_ATENDIDA"
    default_message = "Esta solicitud ya fue atendida."


@dataclass(frozen=True, slots=True)
class NewRequest:
    """What the member sent (already shaped by the API)."""

    product: RequestedProduct
    contact_channel: ContactChannel
    amount_cents: int | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class ListedRequest:
    """A request with who sent it (for officers)."""

    request: ProductRequest
    member: Member


def _in_progress(product: RequestedProduct) -> SolicitudEnCurso:
    label = PRODUCTS[product].label
    return SolicitudEnCurso(
        f"Ya tienes una solicitud de {label} en atención. Un asesor de Cooprogreso te "
        "contactará; puedes enviar una nueva cuando esa solicitud haya sido atendida."
    )


def _check_contact(member: Member, channel: ContactChannel) -> None:
    if channel is ContactChannel.CORREO and not member.email:
        raise ContactoNoRegistrado(
            "No tienes un correo electrónico registrado en Cooprogreso: elige otro medio de "
            "contacto o actualiza tus datos en una agencia."
        )
    if channel in (ContactChannel.LLAMADA, ContactChannel.WHATSAPP) and not member.mobile:
        raise ContactoNoRegistrado(
            "No tienes un número celular registrado en Cooprogreso: elige otro medio de "
            "contacto o actualiza tus datos en una agencia."
        )


def create_request(session: Session, member_id: int, new: NewRequest) -> ProductRequest:
    """Record a member's request (flushed, not committed).

    Raises:
        MontoNoAplica: an amount for a product that takes none.
        ContactoNoRegistrado: the chosen channel needs a mobile or email the member lacks.
        SolicitudEnCurso: the member already has an open request of that product type.
    """
    info = PRODUCTS[new.product]
    if new.amount_cents is not None and info.amount_label is None:
        raise MontoNoAplica()
    member = session.get(Member, member_id)
    if member is None:  # an authenticated member always exists; be explicit anyway
        raise SolicitudNoEncontrada()
    _check_contact(member, new.contact_channel)
    open_ones = session.scalar(
        select(func.count())
        .select_from(ProductRequest)
        .where(
            ProductRequest.member_id == member_id,
            ProductRequest.product == new.product,
            ProductRequest.status == ProductRequestStatus.NUEVA,
        )
    )
    if (open_ones or 0) >= MAX_OPEN_PER_PRODUCT:
        raise _in_progress(new.product)
    comment = (new.comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT_CHARS:
        raise ProductRequestRefused(
            f"El comentario debe tener como máximo {MAX_COMMENT_CHARS} caracteres."
        )
    request = ProductRequest(
        member_id=member_id,
        product=new.product,
        amount_cents=new.amount_cents,
        comment=comment,
        contact_channel=new.contact_channel,
        status=ProductRequestStatus.NUEVA,
    )
    session.add(request)
    try:
        session.flush()
    except IntegrityError as exc:  # another open request was written meanwhile; the
        raise _in_progress(new.product) from exc  # caller rolls the transaction back
    return request


def member_requests(session: Session, member_id: int) -> Sequence[ProductRequest]:
    """The member's own requests, newest first (at most :data:`MAX_LISTED`)."""
    return session.scalars(
        select(ProductRequest)
        .where(ProductRequest.member_id == member_id)
        .order_by(ProductRequest.created_at.desc(), ProductRequest.id.desc())
        .limit(MAX_LISTED)
    ).all()


def officer_requests(
    session: Session,
    *,
    status: ProductRequestStatus | None = None,
    product: RequestedProduct | None = None,
    limit: int = 100,
) -> list[ListedRequest]:
    """Requests for officers by status and type; open ones oldest first, else newest first."""
    query = select(ProductRequest, Member).join(Member, Member.id == ProductRequest.member_id)
    if status is not None:
        query = query.where(ProductRequest.status == status)
    if product is not None:
        query = query.where(ProductRequest.product == product)
    if status is ProductRequestStatus.NUEVA:
        query = query.order_by(ProductRequest.created_at, ProductRequest.id)
    else:
        query = query.order_by(ProductRequest.created_at.desc(), ProductRequest.id.desc())
    rows = session.execute(query.limit(min(limit, MAX_LISTED))).tuples()
    return [ListedRequest(request, member) for request, member in rows]


def attend_request(session: Session, request_id: int, officer: str, now: datetime) -> ListedRequest:
    """Mark an open request attended by ``officer`` (flushed, not committed).

    Raises:
        SolicitudNoEncontrada: no request with that id.
        SolicitudYaAtendida: it was attended already.
    """
    row = session.execute(
        select(ProductRequest, Member)
        .join(Member, Member.id == ProductRequest.member_id)
        .where(ProductRequest.id == request_id)
        .with_for_update(of=ProductRequest)
    ).first()
    if row is None:
        raise SolicitudNoEncontrada()
    request, member = row.tuple()
    if request.status is ProductRequestStatus.ATENDIDA:
        raise SolicitudYaAtendida()
    request.status = ProductRequestStatus.ATENDIDA
    request.attended_at = now
    request.attended_by = officer[:80]
    session.flush()
    return ListedRequest(request, member)

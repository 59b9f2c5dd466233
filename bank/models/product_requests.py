"""Solicita tus productos (manual §7): a member asks for a product, an officer attends it.

One row per request. The partial unique index ``uq_product_requests_open`` allows at most
one open (``NUEVA``) request per member and product type, so two requests sent at once
cannot both pass the check in ``bank.service_desk.product_requests``.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from bank.models.base import Base, BigId, utcnow


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=24, validate_strings=True)


class RequestedProduct(enum.StrEnum):
    """What a member may ask for (labels in ``bank.service_desk.product_requests.PRODUCTS``)."""

    CUENTA_AHORROS = "CUENTA_AHORROS"
    AHORRO_PROGRAMADO = "AHORRO_PROGRAMADO"
    CERTIFICADO_DEPOSITO = "CERTIFICADO_DEPOSITO"
    CREDITO_CONSUMO = "CREDITO_CONSUMO"
    CREDITO_VIVIENDA = "CREDITO_VIVIENDA"
    MICROCREDITO = "MICROCREDITO"
    TARJETA_CREDITO = "TARJETA_CREDITO"
    TARJETA_DEBITO = "TARJETA_DEBITO"


class ContactChannel(enum.StrEnum):
    """How the member prefers to be contacted about the request."""

    LLAMADA = "LLAMADA"
    WHATSAPP = "WHATSAPP"
    CORREO = "CORREO"
    AGENCIA = "AGENCIA"


class ProductRequestStatus(enum.StrEnum):
    NUEVA = "NUEVA"
    """Sent by the member, not yet attended."""
    ATENDIDA = "ATENDIDA"
    """An officer contacted the member (``attended_by``, ``attended_at``)."""


class ProductRequest(Base):
    """A member's request for a product."""

    __tablename__ = "product_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    product: Mapped[RequestedProduct] = mapped_column(_enum(RequestedProduct, "requested_product"))
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    """The amount (or credit limit) the member has in mind, when the product takes one."""
    comment: Mapped[str | None] = mapped_column(String(500))
    contact_channel: Mapped[ContactChannel] = mapped_column(
        _enum(ContactChannel, "contact_channel")
    )
    status: Mapped[ProductRequestStatus] = mapped_column(
        _enum(ProductRequestStatus, "product_request_status"), default=ProductRequestStatus.NUEVA
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attended_at: Mapped[datetime | None]
    attended_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        CheckConstraint("amount_cents IS NULL OR amount_cents > 0", name="positive_amount"),
        Index(
            "uq_product_requests_open",
            "member_id",
            "product",
            unique=True,
            postgresql_where=text("status = 'NUEVA'"),
            sqlite_where=text("status = 'NUEVA'"),
        ),
        Index("ix_product_requests_status_created", "status", "created_at"),
    )

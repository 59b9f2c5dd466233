"""Historial de Pagos (manual §3): the member's service payments, paid or not, newest first.

Manual rules: every field is optional ("Los campos no son obligatorios") and the range reaches
back at most 3 months from today ("Puedes consultar por rango de fechas hasta 3 meses de
antigüedad de la fecha actual"). Dates are America/Guayaquil days; ``created_at`` is stored
in UTC, so each day boundary is converted before comparing. Automatic runs that did not pay
appear too, with their outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bank.adapters.biller_catalog import CATEGORY_BY_CODE, COMPANY_BY_CODE
from bank.core.errors import DomainError
from bank.credit.amortization import add_months
from bank.models import Account, Member, PaymentOutcome, ServicePaymentRecord

GUAYAQUIL = ZoneInfo("America/Guayaquil")
HISTORY_MONTHS = 3
"""How far back the history reaches, in calendar months before today."""

OUTCOME_TEXT: dict[PaymentOutcome, str] = {
    PaymentOutcome.PAGADO: "Pagado",
    PaymentOutcome.SIN_FACTURA: "Sin factura pendiente de pago",
    PaymentOutcome.SUPERA_MONTO_MAXIMO: "La factura supera el monto máximo autorizado",
    PaymentOutcome.FONDOS_INSUFICIENTES: "Fondos insuficientes",
    PaymentOutcome.YA_PAGADO: "La factura ya estaba pagada",
    PaymentOutcome.REVERSADO: "Pago reversado por la empresa",
    PaymentOutcome.ERROR: "No se pudo realizar el pago",
}
"""What the member reads for each outcome (``estado_descripcion``)."""


class InvalidDateRange(DomainError):
    code = "RANGO_FECHAS_INVALIDO"
    default_message = "Solo puedes consultar pagos de hasta 3 meses de antigüedad."


class UnknownCategory(DomainError):
    code = "CATEGORIA_INVALIDA"
    default_message = "La categoría seleccionada no es válida."


class UnknownCompany(DomainError):
    code = "SERVICIO_INVALIDO"
    default_message = "El servicio seleccionado no es válido."


class PaymentNotFound(DomainError):
    """No payment with that code for this member (another member's code included)."""

    code = "PAGO_NO_ENCONTRADO"
    default_message = "No encontramos el pago solicitado."


class PaymentNotMade(DomainError):
    """The payment exists but did not pay: there is no receipt to give."""

    code = "PAGO_NO_REALIZADO"
    default_message = "Este pago no se realizó, por lo que no tiene comprobante."


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One line of the history, in the member's terms (local date and time)."""

    fecha: date
    hora: str
    """``HH:MM`` in America/Guayaquil."""
    categoria: str
    categoria_nombre: str
    empresa: str
    empresa_nombre: str
    suministro: str
    recibos: tuple[str, ...]
    monto_cents: int
    comision_cents: int
    iva_cents: int
    estado: PaymentOutcome
    automatico: bool
    codigo: str
    cuenta: str
    """The debited account's number (unmasked: the presenter masks it)."""

    @property
    def total_cents(self) -> int:
        """Monto + Comisión + IVA."""
        return self.monto_cents + self.comision_cents + self.iva_cents

    @property
    def estado_descripcion(self) -> str:
        return OUTCOME_TEXT.get(self.estado, str(self.estado))


@dataclass(frozen=True, slots=True)
class HistoryRange:
    """The range actually queried, after defaults and clamping."""

    since: date
    until: date


def line_from_record(
    record: ServicePaymentRecord | Row[Any], account_number: str = ""
) -> HistoryLine:
    """A stored record (or a row of the same columns) as a history line, in local time."""
    local = record.created_at.astimezone(GUAYAQUIL)
    category = CATEGORY_BY_CODE.get(record.category)
    return HistoryLine(
        fecha=local.date(),
        hora=local.strftime("%H:%M"),
        categoria=record.category,
        categoria_nombre=category.name if category else record.category,
        empresa=record.company_code,
        empresa_nombre=record.company_name,
        suministro=record.supply_number,
        recibos=tuple(record.receipts or ()),
        monto_cents=record.amount_cents,
        comision_cents=record.fee_cents,
        iva_cents=record.iva_cents,
        estado=PaymentOutcome(record.outcome),
        automatico=record.automatic,
        codigo=record.code,
        cuenta=account_number,
    )


def history_range(date_from: date | None, date_to: date | None, *, today: date) -> HistoryRange:
    """The days to show: the last 3 months by default; a future ``date_to`` is clamped.

    Raises:
        InvalidDateRange: the range starts (or ends) more than 3 months ago, or starts after it
            ends or after today.
    """
    earliest = add_months(today, -HISTORY_MONTHS)
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidDateRange("La fecha desde no puede ser posterior a la fecha hasta.")
    since = date_from or earliest
    until = min(date_to or today, today)
    if since < earliest or until < earliest:
        raise InvalidDateRange(
            "Solo puedes consultar pagos de hasta 3 meses de antigüedad "
            f"(desde el {earliest:%d/%m/%Y})."
        )
    if since > until:
        raise InvalidDateRange("La fecha desde no puede ser posterior a la fecha actual.")
    return HistoryRange(since, until)


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=GUAYAQUIL).astimezone(UTC)


_R = ServicePaymentRecord
_COLUMNS = (
    _R.created_at, _R.category, _R.company_code, _R.company_name, _R.supply_number,
    _R.receipts, _R.amount_cents, _R.fee_cents, _R.iva_cents, _R.outcome, _R.automatic,
    _R.code, Account.number.label("account_number"),
)  # fmt: skip
"""Plain columns, named like the model's attributes: works on a session or a connection."""


def _select(member_id: int) -> Select[*tuple[Any, ...]]:
    return (
        select(*_COLUMNS)
        .join(Account, Account.id == _R.account_id)
        .where(_R.member_id == member_id)
    )


async def payment_history(
    session: AsyncSession | AsyncConnection,
    member_id: int,
    *,
    category: str | None = None,
    company_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    code: str | None = None,
    today: date,
) -> list[HistoryLine]:
    """The member's service payments in the range, newest first (see :func:`history_range`).

    Args:
        session: an async session or connection (reads only).
        member_id: whose history; nobody else's rows are ever read.
        category: a category code of the catalogue (e.g. ``AGUA``).
        company_code: the manual's "Servicio" (e.g. ``EEQ``).
        date_from: first local day; defaults to today minus 3 months.
        date_to: last local day; defaults to (and is clamped at) today.
        code: the payment's exact code.
        today: today in America/Guayaquil.

    Raises:
        InvalidDateRange: see :func:`history_range`.
        UnknownCategory: ``category`` is not in the catalogue.
        UnknownCompany: ``company_code`` is not in the catalogue.
    """
    span = history_range(date_from, date_to, today=today)
    if category is not None and category not in CATEGORY_BY_CODE:
        raise UnknownCategory()
    if company_code is not None and company_code not in COMPANY_BY_CODE:
        raise UnknownCompany()
    stmt = _select(member_id).where(
        ServicePaymentRecord.created_at >= _utc_start(span.since),
        ServicePaymentRecord.created_at < _utc_start(span.until + timedelta(days=1)),
    )
    if category is not None:
        stmt = stmt.where(ServicePaymentRecord.category == category)
    if company_code is not None:
        stmt = stmt.where(ServicePaymentRecord.company_code == company_code)
    if code is not None:
        stmt = stmt.where(ServicePaymentRecord.code == code)
    stmt = stmt.order_by(ServicePaymentRecord.created_at.desc(), ServicePaymentRecord.id.desc())
    rows = (await session.execute(stmt)).all()
    return [line_from_record(row, row.account_number) for row in rows]


@dataclass(frozen=True, slots=True)
class ReceiptData:
    """What a payment receipt shows: the line and the member's name."""

    line: HistoryLine
    member_name: str


async def paid_payment(
    session: AsyncSession | AsyncConnection, member_id: int, code: str
) -> ReceiptData:
    """The member's paid payment with that code, for its receipt (any date).

    Raises:
        PaymentNotFound: no such code for this member (another member's code included).
        PaymentNotMade: the payment exists but its outcome is not ``PAGADO``.
    """
    stmt = _select(member_id).where(ServicePaymentRecord.code == code)
    row = (await session.execute(stmt)).first()
    if row is None:
        raise PaymentNotFound()
    line = line_from_record(row, row.account_number)
    if line.estado is not PaymentOutcome.PAGADO:
        raise PaymentNotMade()
    names = select(Member.first_names, Member.last_names).where(Member.id == member_id)
    member = (await session.execute(names)).one()
    return ReceiptData(line, f"{member[0]} {member[1]}".strip())

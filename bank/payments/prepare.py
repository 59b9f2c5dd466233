"""From a member's order to the preview the OTP authorises: who, to whom, how much, what fee.

Pure reads (and a biller look-up): nothing is written here. Every amount comes from the
institution's side (the biller's receipts, the card's balances, the fee schedule), never
from the client, except the amount the member typed for a transfer or an "other amount".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bank.adapters import spi_institutions
from bank.adapters.biller_catalog import CATEGORY_BY_CODE, COMPANY_BY_CODE
from bank.adapters.biller_types import BillerNetwork, BillerUnavailable, LookupState
from bank.core.masking import mask_account, mask_name
from bank.core.money import iva_cents
from bank.models import (
    COOPROGRESO_INSTITUTION,
    Account,
    AccountStatus,
    Beneficiary,
    BeneficiaryService,
    Card,
    CardKind,
    CardStatus,
    Member,
    ProductType,
    RegisteredCard,
)
from bank.payments.config import PaymentRules
from bank.payments.errors import MovementRefused
from bank.payments.limits import check_daily, check_per_transaction
from bank.payments.orders import (
    MAX_RECEIPTS,
    CardOption,
    Destination,
    MovementKind,
    Order,
    Preview,
    ReceiptLine,
)


def origin_account(session: Session, member_id: int, number: str) -> Account:
    """The member's own account to debit, locked for nothing (a read)."""
    account = session.scalar(
        select(Account).where(Account.number == number, Account.member_id == member_id)
    )
    if account is None:
        raise MovementRefused("CUENTA_ORIGEN_NO_ENCONTRADA")
    if account.product is not ProductType.SAVINGS or account.status is not AccountStatus.ACTIVO:
        raise MovementRefused("CUENTA_ORIGEN_NO_DISPONIBLE")
    return account


def build_preview(
    session: Session,
    order: Order,
    rules: PaymentRules,
    billers: BillerNetwork,
    now: datetime,
) -> Preview:
    """The preview of ``order``, checked against balances and limits as of now.

    Raises:
        MovementRefused: with the code of the first rule the order breaks.
    """
    origin = origin_account(session, order.member_id, order.origin_account)
    destination, amount, fee, iva = _destination(session, order, origin, rules, billers)
    preview = Preview(
        kind=order.kind,
        member_id=order.member_id,
        channel=order.channel,
        origin_account_id=origin.id,
        origin_account_number=origin.number,
        amount_cents=amount,
        fee_cents=fee,
        iva_cents=iva,
        destination=destination,
        reference=order.reference,
        counts_to_limit=order.kind is not MovementKind.OWN_TRANSFER,
    )
    if preview.total_cents > origin.available_cents:
        raise MovementRefused("FONDOS_INSUFICIENTES")
    if preview.counts_to_limit:
        limits = rules.limits[order.channel]
        check_per_transaction(limits, preview.amount_cents)
        check_daily(session, limits, order.member_id, order.channel, preview.amount_cents, now)
    return preview


def _fee(rules: PaymentRules, kind: MovementKind, count: int = 1) -> tuple[int, int]:
    fee = rules.fee(kind) * count
    return fee, iva_cents(fee)


def _destination(
    session: Session, order: Order, origin: Account, rules: PaymentRules, billers: BillerNetwork
) -> tuple[Destination, int, int, int]:
    """(destination, amount, fee, IVA) for each kind of order."""
    if order.kind is MovementKind.SERVICE_PAYMENT:
        return _bill(order, rules, billers)
    if order.kind is MovementKind.COOP_CARD_PAYMENT:
        destination, amount = _coop_card(session, order)
    elif order.kind is MovementKind.OTHER_CARD_PAYMENT:
        destination, amount = _other_card(session, order)
    else:
        if order.amount_cents <= 0:
            raise MovementRefused("DATOS_INCOMPLETOS")
        amount = order.amount_cents
        if order.kind is MovementKind.OWN_TRANSFER:
            destination = _own_account(session, order, origin)
        elif order.kind is MovementKind.COOP_TRANSFER:
            destination = _coop_account(session, order, origin)
        else:
            destination = _interbank(session, order)
    return (destination, amount, *_fee(rules, order.kind))


def _own_account(session: Session, order: Order, origin: Account) -> Destination:
    target = session.scalar(
        select(Account).where(
            Account.number == order.destination_account, Account.member_id == order.member_id
        )
    )
    if target is None:
        raise MovementRefused("CUENTA_DESTINO_NO_ENCONTRADA")
    return _account_destination(target, origin, "CUENTA PROPIA")


def _account_destination(target: Account, origin: Account, name: str) -> Destination:
    if target.id == origin.id:
        raise MovementRefused("MISMA_CUENTA")
    if target.product is not ProductType.SAVINGS or target.status is not AccountStatus.ACTIVO:
        raise MovementRefused("CUENTA_DESTINO_INVALIDA")
    return Destination(
        name=name,
        account_masked=mask_account(target.number),
        account_type="AHORROS",
        account_number=target.number,
        account_id=target.id,
    )


def _coop_account(session: Session, order: Order, origin: Account) -> Destination:
    number = order.destination_account
    if order.beneficiary_id is not None:
        saved = _beneficiary(session, order, BeneficiaryService.COOPROGRESO)
        number = saved.account_number
    elif order.new_beneficiary is not None:
        number = order.new_beneficiary.account_number
    target = session.scalar(select(Account).where(Account.number == number))
    if target is None or target.member_id is None:
        raise MovementRefused("CUENTA_DESTINO_NO_ENCONTRADA")
    if target.member_id == order.member_id:
        raise MovementRefused(
            "CUENTA_DESTINO_INVALIDA", "Para tus propias cuentas usa Transferencias a mis Cuentas."
        )
    holder = session.get(Member, target.member_id)
    name = mask_name(holder.full_name) if holder else ""
    return _account_destination(target, origin, name)


def _beneficiary(session: Session, order: Order, service: BeneficiaryService) -> Beneficiary:
    saved = session.get(Beneficiary, order.beneficiary_id)
    if saved is None or saved.member_id != order.member_id or saved.service is not service:
        raise MovementRefused("BENEFICIARIO_NO_ENCONTRADO")
    return saved


def _interbank(session: Session, order: Order) -> Destination:
    if order.beneficiary_id is not None:
        saved = _beneficiary(session, order, BeneficiaryService.INTERBANCARIA)
        name, id_, account = saved.name, saved.identification, saved.account_number
        institution_code, account_type = saved.institution_code, saved.account_type
    elif order.new_beneficiary is not None:
        new = order.new_beneficiary
        name, id_, account = new.name, new.identification, new.account_number
        institution_code, account_type = new.institution_code, new.account_type
    else:
        raise MovementRefused("DATOS_INCOMPLETOS")
    institution = spi_institutions.institution(institution_code)
    if institution is None or institution_code == COOPROGRESO_INSTITUTION:
        raise MovementRefused("INSTITUCION_INVALIDA")
    return Destination(
        name=name,
        account_masked=mask_account(account),
        institution_code=institution.code,
        institution_name=institution.name,
        account_type=account_type,
        identification=id_,
        account_number=account,
        immediate=institution.immediate,
    )


def _bill(
    order: Order, rules: PaymentRules, billers: BillerNetwork
) -> tuple[Destination, int, int, int]:
    company = COMPANY_BY_CODE.get(order.company_code)
    if company is None:
        raise MovementRefused("EMPRESA_INVALIDA")
    if not order.receipts or len(order.receipts) > MAX_RECEIPTS:
        raise MovementRefused("DATOS_INCOMPLETOS", "Selecciona al menos un recibo a pagar.")
    try:
        found = billers.lookup(company.code, order.supply_number)
    except BillerUnavailable as exc:
        raise MovementRefused("SERVICIO_NO_DISPONIBLE") from exc
    if found.state is LookupState.UNKNOWN_REFERENCE:
        raise MovementRefused("SUMINISTRO_INEXISTENTE")
    pending = {receipt.number: receipt for receipt in found.receipts}
    if found.state is LookupState.NO_PENDING_BILL or not pending:
        raise MovementRefused("SIN_FACTURA_PENDIENTE")
    if len(set(order.receipts)) != len(order.receipts) or any(
        number not in pending for number in order.receipts
    ):
        raise MovementRefused("RECIBO_NO_PENDIENTE")
    fee, iva = _fee(rules, MovementKind.SERVICE_PAYMENT)
    lines = tuple(
        ReceiptLine(number, pending[number].amount_cents, pending[number].period, fee, iva)
        for number in sorted(order.receipts, key=lambda n: (pending[n].period, n))
    )
    category = CATEGORY_BY_CODE[company.category]
    destination = Destination(
        name=found.holder_name or company.name,
        company_code=company.code,
        company_name=company.name,
        category=category.code,
        supply_number=order.supply_number,
        institution_name=company.name,
        receipts=lines,
    )
    amount = sum(line.amount_cents for line in lines)
    return destination, amount, fee * len(lines), iva * len(lines)


def _coop_card(session: Session, order: Order) -> tuple[Destination, int]:
    card = session.get(Card, order.card_id)
    if (
        card is None
        or card.member_id != order.member_id
        or card.kind is not CardKind.CREDIT
        or card.status is CardStatus.INACTIVA
    ):
        raise MovementRefused("TARJETA_NO_ENCONTRADA")
    owed = card.revolving_used_cents
    if owed <= 0:
        raise MovementRefused("TARJETA_SIN_DEUDA")
    if order.card_option is CardOption.TOTAL:
        amount = owed
    elif order.card_option is CardOption.MINIMO:
        amount = min(card.minimum_payment_cents, owed) or owed
    else:
        amount = order.amount_cents
        if amount <= 0:
            raise MovementRefused("DATOS_INCOMPLETOS")
        if amount > owed:
            raise MovementRefused("MONTO_SUPERA_DEUDA")
    destination = Destination(
        name=f"TARJETA {card.brand}",
        account_masked=card.masked_number,
        account_type="TARJETA",
        card_id=card.id,
    )
    return destination, amount


def _other_card(session: Session, order: Order) -> tuple[Destination, int]:
    card = session.get(RegisteredCard, order.registered_card_id)
    if card is None or card.member_id != order.member_id:
        raise MovementRefused("TARJETA_NO_ENCONTRADA")
    if order.card_option is not CardOption.OTRO or order.amount_cents <= 0:
        raise MovementRefused(
            "DATOS_INCOMPLETOS", "Para tarjetas de otros bancos ingresa el monto a pagar."
        )
    institution = spi_institutions.institution(card.institution_code)
    if institution is None:
        raise MovementRefused("INSTITUCION_INVALIDA")
    destination = Destination(
        name=card.holder_name,
        account_masked=card.masked_number,
        institution_code=institution.code,
        institution_name=institution.name,
        account_type="TARJETA",
        account_number=card.pan_digest[:20],
        immediate=institution.immediate,
        registered_card_id=card.id,
    )
    return destination, order.amount_cents

"""The catalogue of movement codes a member sees beside each posting.

The manual's movement list shows every posting as ``"<code> - <DESCRIPTION>"``, for example
``"22050 - ND TRANSFERENCIA PAGO DIRECTO"``. Codes marked *manual* below are copied from it;
the others are assigned by this engine for journeys the manual describes without showing a
movement line (deposits, disbursements, service and card payments, interbank transfers).
They are stable: a code, once used in a posting, never changes meaning.

The institution's side of an entry (fee income, IVA payable, clearing...) reuses the code of
the member's movement it balances, so one code identifies one business event on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Movement:
    """A movement code and its member-facing description (Spanish, upper case)."""

    code: int
    description: str

    @property
    def label(self) -> str:
        """How the movement list shows it: ``"22050 - ND TRANSFERENCIA PAGO DIRECTO"``."""
        return movement_label(self.code, self.description)


def movement_label(code: int, description: str) -> str:
    """The displayed description of a posting: ``"<code> - <DESCRIPTION>"``."""
    return f"{code} - {description}"


# --- manual: savings ------------------------------------------------------------------------
WITHDRAWAL = Movement(0, "RETIRO DE AHORROS")
INTEREST_CAPITALIZATION = Movement(2, "CAPITALIZACION DE INTERESES EN CUENTA")

# --- manual: transfers between Cooprogreso accounts ("pago directo") ------------------------
TRANSFER_CREDIT = Movement(22047, "NC TRANSFERENCIA PAGO DIRECTO")
TRANSFER_IVA = Movement(22048, "IVA TRANSFERENCIA PAGO DIRECTO")
TRANSFER_FEE = Movement(22049, "COMISIÓN TRANSFERENCIA PAGO DIRECTO")
TRANSFER_DEBIT = Movement(22050, "ND TRANSFERENCIA PAGO DIRECTO")

# --- manual: interbank (SPI) transfers and card payments: their cost and its IVA ------------
SPI_FEE = Movement(183, "COSTO TRANSFERENCIA / PAGO TARJETAS SPI")
SPI_IVA = Movement(186, "IVA TRANSFERENCIA / PAGO TARJETAS SPI")

# --- engine-assigned ------------------------------------------------------------------------
DEPOSIT = Movement(1, "DEPOSITO DE AHORROS")
OPENING_BALANCE = Movement(3, "SALDO INICIAL")
CERTIFICATE_CONTRIBUTION = Movement(10, "APORTE CERTIFICADOS DE APORTACION")
CERTIFICATE_LIQUIDATION = Movement(11, "LIQUIDACION CERTIFICADOS DE APORTACION")
SPI_DEBIT = Movement(180, "ND TRANSFERENCIA INTERBANCARIA SPI")
SPI_CREDIT = Movement(181, "NC TRANSFERENCIA INTERBANCARIA SPI")
SPI_REVERSAL = Movement(182, "REVERSO TRANSFERENCIA INTERBANCARIA SPI")
CARD_PAYMENT = Movement(184, "ND PAGO TARJETA DE CREDITO")
CARD_PAYMENT_REVERSAL = Movement(185, "REVERSO PAGO TARJETA DE CREDITO")
LOAN_DISBURSEMENT = Movement(300, "DESEMBOLSO DE CREDITO")
LOAN_INSTALLMENT = Movement(301, "PAGO CUOTA DE CREDITO")
SERVICE_PAYMENT = Movement(400, "PAGO DE SERVICIOS")
SERVICE_FEE = Movement(401, "COMISIÓN PAGO DE SERVICIOS")
SERVICE_IVA = Movement(402, "IVA PAGO DE SERVICIOS")
SERVICE_PAYMENT_REVERSAL = Movement(403, "REVERSO PAGO DE SERVICIOS")
CARD_PURCHASE = Movement(500, "CONSUMO TARJETA DE CREDITO")
CARD_DEFERRAL = Movement(501, "DIFERIDO DE CONSUMO")
CARD_INSTALLMENT = Movement(502, "CUOTA DE DIFERIDO")
CARD_INSTALLMENT_INTEREST = Movement(503, "INTERES CUOTA DE DIFERIDO")
CARD_INTEREST = Movement(504, "INTERES SALDO ROTATIVO")
CARD_PREPAYMENT = Movement(505, "PRECANCELACION DE DIFERIDO")
CARD_PAYMENT_CREDIT = Movement(506, "NC PAGO TARJETA DE CREDITO")

CATALOGUE: dict[int, Movement] = {
    movement.code: movement
    for movement in (
        WITHDRAWAL,
        DEPOSIT,
        INTEREST_CAPITALIZATION,
        OPENING_BALANCE,
        CERTIFICATE_CONTRIBUTION,
        CERTIFICATE_LIQUIDATION,
        TRANSFER_CREDIT,
        TRANSFER_IVA,
        TRANSFER_FEE,
        TRANSFER_DEBIT,
        SPI_DEBIT,
        SPI_CREDIT,
        SPI_REVERSAL,
        SPI_FEE,
        CARD_PAYMENT,
        CARD_PAYMENT_REVERSAL,
        SPI_IVA,
        LOAN_DISBURSEMENT,
        LOAN_INSTALLMENT,
        SERVICE_PAYMENT,
        SERVICE_FEE,
        SERVICE_IVA,
        SERVICE_PAYMENT_REVERSAL,
        CARD_PURCHASE,
        CARD_DEFERRAL,
        CARD_INSTALLMENT,
        CARD_INSTALLMENT_INTEREST,
        CARD_INTEREST,
        CARD_PREPAYMENT,
        CARD_PAYMENT_CREDIT,
    )
}
"""Every known movement by code."""


def by_code(code: int) -> Movement:
    """The catalogued movement with this code.

    Raises:
        KeyError: if the code is not in the catalogue.
    """
    return CATALOGUE[code]

"""The demo data's content: members, products and the ledger history, relative to an anchor day.

:mod:`bank.demo.seed` writes it. Everything here is plain data (plus small builders for the usual
entry shapes), so ``docs/demo-data.md`` can be checked against one file. Dates are offsets
from the *anchor*: the day the database was first seeded.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bank.core.money import iva_cents
from bank.credit.amortization import FRENCH, DayCount, Method
from bank.ledger import EntryKind, chart
from bank.ledger import movement_codes as mc
from bank.models import CivilStatus

TRANSFER_FEE_CENTS = 36
"""The manual's "COMISIÓN TRANSFERENCIA PAGO DIRECTO" and SPI cost: $0.36 (+ $0.05 IVA)."""


@dataclass(frozen=True)
class DemoMember:
    """One demo member with a login, savings account and contribution certificates."""

    key: str
    identification: str
    first_names: str
    last_names: str
    birth_date: date
    civil_status: CivilStatus
    email: str
    mobile: str
    address: str
    username: str
    password: str
    who: str
    savings_number: str
    certificates_number: str
    spouse: str | None = None
    must_change_password: bool = False
    civil_status_verified: bool = True
    id_card_valid_days: int = 1_500
    """Days from the anchor until the ID card expires (negative: already expired)."""
    data_updated_days_ago: int = 90
    utility_bill_days_ago: int = 40


QUITO = "Quito, Pichincha"

MEMBERS: tuple[DemoMember, ...] = (
    DemoMember(
        key="gabriel",
        identification="1718452939",
        first_names="GABRIEL ANDRES",
        last_names="SILVA PAREDES",
        birth_date=date(1988, 3, 14),
        civil_status=CivilStatus.SOLTERO,
        email="gabriel.silva@example.com",
        mobile="0998765432",
        address=f"Av. Amazonas N34-120 y Av. Atahualpa, {QUITO}",
        username="gsilva",
        password="Cooprogreso2025",
        who="GABRIEL SILVA: the manual's member (accounts, loan, investment, cards)",
        savings_number="410112060750",
        certificates_number="410112060768",
    ),
    DemoMember(
        key="nancy",
        identification="1720364189",
        first_names="NANCY PATRICIA",
        last_names="ORTIZ JARAMILLO",
        birth_date=date(1990, 7, 22),
        civil_status=CivilStatus.CASADO,
        email="nancy.ortiz@example.com",
        mobile="0987412365",
        address=f"Calle Vozandes N39-120 y Av. América, {QUITO}",
        username="nortiz",
        password="Cooprogreso2025",
        who="NANCY ORTIZ: married to Christian (spouse co-signs); data older than 12 months",
        savings_number="410112087341",
        certificates_number="410112087359",
        spouse="christian",
        data_updated_days_ago=420,
        utility_bill_days_ago=400,
    ),
    DemoMember(
        key="christian",
        identification="1715982649",
        first_names="CHRISTIAN IVAN",
        last_names="CAICEDO DIAZ",
        birth_date=date(1986, 11, 2),
        civil_status=CivilStatus.CASADO,
        email="christian.caicedo@example.com",
        mobile="0979583146",
        address=f"Calle Vozandes N39-120 y Av. América, {QUITO}",
        username="ccaicedo",
        password="Temporal2025",
        who="CHRISTIAN CAICEDO: Nancy's spouse; temporary password, must change it",
        savings_number="410112093117",
        certificates_number="410112093125",
        spouse="nancy",
        must_change_password=True,
    ),
    DemoMember(
        key="mariajose",
        identification="1709623852",
        first_names="MARIA JOSE",
        last_names="ANDRANGO TIPAN",
        birth_date=date(1979, 5, 9),
        civil_status=CivilStatus.SOLTERO,
        email="mariajose.andrango@example.com",
        mobile="0961234870",
        address=f"Av. Maldonado S12-45 y Calle Quimiag, {QUITO}",
        username="mandrango",
        password="Cooprogreso2025",
        who="MARIA JOSE ANDRANGO: expired ID card (credit journey must stop)",
        savings_number="410112104522",
        certificates_number="410112104530",
        id_card_valid_days=-45,
    ),
    DemoMember(
        key="luis",
        identification="1724119076",
        first_names="LUIS ALBERTO",
        last_names="CHILUISA TOAPANTA",
        birth_date=date(1995, 1, 27),
        civil_status=CivilStatus.DIVORCIADO,
        email="luis.chiluisa@example.com",
        mobile="0953318702",
        address=f"Calle Lizardo García E9-104 y Av. 6 de Diciembre, {QUITO}",
        username="lchiluisa",
        password="Cooprogreso2025",
        who="LUIS CHILUISA: civil status not verified (credit journey must stop)",
        savings_number="410112118804",
        certificates_number="410112118812",
        civil_status_verified=False,
        data_updated_days_ago=700,
        utility_bill_days_ago=690,
    ),
)

OFFICER_USERNAME = "oficial.credito"
OFFICER_PASSWORD = "Oficial2025"

# --- Gabriel's products (manual §1) ---------------------------------------------------------


@dataclass(frozen=True)
class DemoLoan:
    """The manual's loan; its table comes from :func:`bank.credit.amortization.schedule`."""

    number: str = "0118958000"
    product_name: str = "CONSUMO PRIORITARIO ROL DE PAGOS"
    amount_cents: int = 1_375_000
    annual_rate: Decimal = Decimal("0.1583")
    term_months: int = 48
    method: Method = FRENCH
    day_count: DayCount = "ACT/365"
    insurance_monthly_rate: Decimal = Decimal("0.0015")
    issued_days_ago: int = 25


@dataclass(frozen=True)
class DemoInvestment:
    """The manual's investment 0010; interest on an ACT/360 basis (Ecuador's convention)."""

    number: str = "0010"
    amount_cents: int = 1_000_000
    annual_rate: Decimal = Decimal("0.0790")
    days: int = 365
    issued_days_ago: int = 100


@dataclass(frozen=True)
class DemoPurchase:
    """A purchase on the demo credit card; ``deferred_months``: deferred that long."""

    merchant: str
    amount_cents: int
    days_ago: int
    deferred_months: int | None = None


@dataclass(frozen=True)
class DemoCard:
    """A card; only the mask is data, the full number is derived in memory by the seed."""

    masked_number: str
    brand: str
    pin: str = "4821"
    """The demo card's PIN (kept only as a keyed digest; listed in docs/demo-data.md)."""
    credit_limit_cents: int = 0
    minimum_payment_cents: int = 0
    purchases: tuple[DemoPurchase, ...] = ()
    """Credit: charged (and deferred) through the card's books, so the ledger holds them."""

    @property
    def revolving_cents(self) -> int:
        return sum(p.amount_cents for p in self.purchases if p.deferred_months is None)

    @property
    def deferred_cents(self) -> int:
        return sum(p.amount_cents for p in self.purchases if p.deferred_months is not None)


LOAN = DemoLoan()
INVESTMENT = DemoInvestment()
DEBIT_CARD = DemoCard("550975XXXXXX7023", "MC Débito")
CREDIT_CARD = DemoCard(
    "513744XXXXXX0395",
    "Mastercard Estandar",
    pin="7394",
    credit_limit_cents=1_000_000,
    minimum_payment_cents=70_863,
    purchases=(
        DemoPurchase("ALMACENES JAPON", 420_000, 24, deferred_months=24),
        DemoPurchase("COMPUTRON", 339_738, 20, deferred_months=12),
        DemoPurchase("SUPERMAXI EL BOSQUE", 24_567, 12),
        DemoPurchase("FYBECA QUICENTRO", 5_890, 9),
        DemoPurchase("KYWI AV. AMERICA", 31_245, 6),
        DemoPurchase("AEROREGIONAL", 92_112, 3),
    ),
)
"""Cupo $10,000.00 − rotativo $1,538.14 − diferido $7,597.38 = disponible $864.48 (the
manual's $821.52 does not follow from its own figures): four purchases on the revolving
balance and two deferred ones (the pago mínimo is the last statement's, before the engine)."""

GABRIEL_HOLD_CENTS = 475
GABRIEL_HOLD_REASON = "AUTORIZACION PENDIENTE MC DEBITO 550975XXXXXX7023"
GABRIEL_SAVINGS_CENTS = 29_565
"""Saldo contable $295.65; minus the $4.75 hold, saldo disponible $290.90 (manual §1)."""


def credit_card_due_date(anchor: date) -> date:
    """Fecha máxima de pago: the 2nd of the month after the anchor (the manual's 02/01/2025)."""
    year, month = (anchor.year + 1, 1) if anchor.month == 12 else (anchor.year, anchor.month + 1)
    return date(year, month, 2)


# --- the ledger history -----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLeg:
    """One leg; ``account`` is a member account number or a chart code (``chart.CASH``)."""

    account: str
    amount_cents: int
    movement: mc.Movement


@dataclass(frozen=True)
class DemoEntry:
    """One journal entry with a stable idempotency key."""

    key: str
    kind: str
    description: str
    value_date: date
    legs: tuple[DemoLeg, ...]


def _pair(account: str, cents: int, gl: str, movement: mc.Movement) -> tuple[DemoLeg, ...]:
    return (DemoLeg(account, cents, movement), DemoLeg(gl, -cents, movement))


def deposit(key: str, account: str, cents: int, day: date) -> DemoEntry:
    """Cash deposit at a branch."""
    legs = _pair(account, cents, chart.CASH, mc.DEPOSIT)
    return DemoEntry(key, EntryKind.DEPOSIT, "DEPOSITO EN VENTANILLA", day, legs)


def contribution(key: str, account: str, cents: int, day: date) -> DemoEntry:
    """Contribution to the member's certificates (aportes), paid in cash."""
    legs = _pair(account, cents, chart.CASH, mc.CERTIFICATE_CONTRIBUTION)
    return DemoEntry(key, EntryKind.DEPOSIT, "APORTE CERTIFICADOS", day, legs)


def withdrawal(key: str, account: str, cents: int, day: date) -> DemoEntry:
    """Cash withdrawal at a branch or ATM."""
    legs = _pair(account, -cents, chart.CASH, mc.WITHDRAWAL)
    return DemoEntry(key, EntryKind.WITHDRAWAL, "RETIRO EN VENTANILLA", day, legs)


def interest(key: str, account: str, cents: int, day: date) -> DemoEntry:
    """Monthly capitalisation of savings interest."""
    legs = _pair(account, cents, chart.INTEREST_EXPENSE, mc.INTEREST_CAPITALIZATION)
    return DemoEntry(key, EntryKind.INTEREST, "CAPITALIZACION DE INTERESES", day, legs)


def direct_transfer(key: str, source: str, target: str, cents: int, day: date) -> DemoEntry:
    """A Cooprogreso-to-Cooprogreso transfer with its fee and the fee's IVA as separate lines."""
    iva = iva_cents(TRANSFER_FEE_CENTS)
    legs = (
        DemoLeg(source, -cents, mc.TRANSFER_DEBIT),
        DemoLeg(source, -TRANSFER_FEE_CENTS, mc.TRANSFER_FEE),
        DemoLeg(source, -iva, mc.TRANSFER_IVA),
        DemoLeg(target, cents, mc.TRANSFER_CREDIT),
        DemoLeg(chart.FEE_INCOME, TRANSFER_FEE_CENTS, mc.TRANSFER_FEE),
        DemoLeg(chart.IVA_PAYABLE, iva, mc.TRANSFER_IVA),
    )
    return DemoEntry(key, EntryKind.TRANSFER, "TRANSFERENCIA PAGO DIRECTO", day, legs)


def spi_transfer(key: str, source: str, cents: int, day: date) -> DemoEntry:
    """An interbank (SPI) transfer out, with its cost (183) and the cost's IVA (186)."""
    iva = iva_cents(TRANSFER_FEE_CENTS)
    legs = (
        DemoLeg(source, -cents, mc.SPI_DEBIT),
        DemoLeg(source, -TRANSFER_FEE_CENTS, mc.SPI_FEE),
        DemoLeg(source, -iva, mc.SPI_IVA),
        DemoLeg(chart.SPI_CLEARING, cents, mc.SPI_DEBIT),
        DemoLeg(chart.FEE_INCOME, TRANSFER_FEE_CENTS, mc.SPI_FEE),
        DemoLeg(chart.IVA_PAYABLE, iva, mc.SPI_IVA),
    )
    return DemoEntry(key, EntryKind.INTERBANK_TRANSFER, "TRANSFERENCIA INTERBANCARIA", day, legs)


def disbursement(key: str, account: str, cents: int, day: date) -> DemoEntry:
    """A loan credited to the member's savings from the loan portfolio."""
    legs = _pair(account, cents, chart.LOAN_PORTFOLIO, mc.LOAN_DISBURSEMENT)
    return DemoEntry(key, EntryKind.DISBURSEMENT, "DESEMBOLSO CREDITO 0118958000", day, legs)


def month_end(anchor: date, months_back: int) -> date:
    """The last day of the month ``months_back`` months before the anchor's month."""
    index = anchor.year * 12 + anchor.month - 1 - months_back
    year, month = divmod(index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


CONTRIBUTIONS = {
    "gabriel": 43_290,
    "nancy": 15_000,
    "christian": 20_000,
    "mariajose": 5_000,
    "luis": 10_000,
}
"""Each member's certificates (aportes), paid in when they joined."""


def entries(anchor: date, loan_issued_on: date) -> list[DemoEntry]:
    """Every demo entry in chronological order (stable within a day).

    Gabriel's savings: $300.00 − 20.41 + 0.04 − 6.41 − 8.00 + 0.05 + 5.00 − 5.50 + 0.04
    + 13,750.00 − 13,750.41 + 40.41 − 9.16 = $295.65. The loan was disbursed and sent on the
    same day by SPI to another bank (paying for a purchase), so the portfolio carries the
    $13,750.00 while the savings balance stays small, as in the manual.
    """

    def ago(days: int) -> date:
        return anchor - timedelta(days=days)

    g, n, c, m, lu = (member.savings_number for member in MEMBERS)
    found = [
        contribution(f"seed:{x.key}:aportes", x.certificates_number, CONTRIBUTIONS[x.key], ago(900))
        for x in MEMBERS
    ]
    found += [
        deposit("seed:gabriel:deposito-1", g, 30_000, ago(110)),
        spi_transfer("seed:gabriel:spi-1", g, 2_000, ago(95)),
        interest("seed:gabriel:interes-3", g, 4, month_end(anchor, 3)),
        direct_transfer("seed:gabriel:pago-directo-nancy", g, n, 600, ago(85)),
        withdrawal("seed:gabriel:retiro-1", g, 800, ago(78)),
        interest("seed:gabriel:interes-2", g, 5, month_end(anchor, 2)),
        direct_transfer("seed:christian:pago-directo-gabriel", c, g, 500, ago(60)),
        withdrawal("seed:gabriel:retiro-2", g, 550, ago(60)),
        interest("seed:gabriel:interes-1", g, 4, month_end(anchor, 1)),
        disbursement("seed:gabriel:desembolso-0118958000", g, LOAN.amount_cents, loan_issued_on),
        spi_transfer("seed:gabriel:spi-desembolso", g, LOAN.amount_cents, loan_issued_on),
        deposit("seed:gabriel:deposito-2", g, 4_041, ago(20)),
        spi_transfer("seed:gabriel:spi-2", g, 875, ago(12)),
        deposit("seed:nancy:deposito-1", n, 18_000, ago(200)),
        withdrawal("seed:nancy:retiro-1", n, 2_000, ago(40)),
        interest("seed:nancy:interes-1", n, 3, month_end(anchor, 1)),
        deposit("seed:christian:deposito-1", c, 25_000, ago(210)),
        spi_transfer("seed:christian:spi-1", c, 2_500, ago(30)),
        interest("seed:christian:interes-1", c, 5, month_end(anchor, 1)),
        deposit("seed:mariajose:deposito-1", m, 7_500, ago(150)),
        deposit("seed:luis:deposito-1", lu, 12_000, ago(300)),
    ]
    # sorted() is stable: same-day entries keep the order above (disburse, then withdraw).
    return sorted(found, key=lambda entry: entry.value_date)


# ---- the demo preapproved campaign (loaded by the run command through the officer API) ----

DEMO_CAMPAIGN_ID = "PREAPROBADO2026"
DEMO_CAMPAIGN_DAYS = 60
"""The offers are valid this many days from the day the campaign is first loaded."""


DEMO_RUBROS: list[dict[str, object]] = [
    {
        "codigo": "SOLCA",
        "descripcion": "CONTRIBUCIÓN SOLCA",
        "tipo": "PERCENT",
        "valor": "0.005",
        "momento": "DISBURSEMENT",
        "iva": False,
    },
    {
        "codigo": "COMISION",
        "descripcion": "COMISIÓN POR APERTURA",
        "tipo": "FLAT",
        "valor": "10.00",
        "momento": "DISBURSEMENT",
        "iva": True,
    },
]
"""The charges of the demo campaign: SOLCA's 0.5 % and a $10.00 opening fee with IVA."""


def demo_campaign(today: date) -> list[dict[str, object]]:
    """The offers the Campañas screen shows on the first run: Gabriel (single) and Nancy
    (married: uploads and her spouse's signature), as an officer would load them (JSON rows of
    ``POST /api/v1/officer/campaigns``)."""
    valid_until = (today + timedelta(days=DEMO_CAMPAIGN_DAYS)).isoformat()
    common: dict[str, object] = {
        "campaign_id": DEMO_CAMPAIGN_ID,
        "monto_minimo": "500.00",
        "plazos": [12, 24, 36],
        "tasa": "15.83",
        "vigencia_hasta": valid_until,
        "seguro_desgravamen": "0.05",
        "rubros": DEMO_RUBROS,
    }
    return [
        {**common, "identificacion": "1718452939", "monto_maximo": "8000.00"},
        {**common, "identificacion": "1720364189", "monto_maximo": "10000.00"},
    ]

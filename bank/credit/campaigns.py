"""Campaign loading: rows (CSV or JSON) validated into preapproved credit offers. Pure.

An officer loads a campaign as a CSV file or a JSON list; every row is checked here and
each problem is reported with the row number and a Spanish reason, so a file is either
entirely valid or refused whole (nothing is started from a file with a bad row). The
member's identification is resolved to a member id by the caller (a database read), which
then builds the workflow input (``workflows.credit.contract.CreditOffer``).

CSV columns (header row required, comma separated, UTF-8 with or without BOM):
``campaign_id, identificacion, monto_maximo, monto_minimo, plazos, tasa, vigencia_hasta``
and optionally ``metodo`` (``FRANCES``/``ALEMAN``, default French) and
``seguro_desgravamen`` (monthly percentage on the balance). ``plazos`` are months separated
by ``;`` (``12;24;36``); ``tasa`` is the nominal annual rate in percent (``15.83``);
``vigencia_hasta`` is the last day of the offer (``AAAA-MM-DD``, America/Guayaquil).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from bank.credit.deadline import GUAYAQUIL

REQUIRED_COLUMNS = (
    "campaign_id",
    "identificacion",
    "monto_maximo",
    "monto_minimo",
    "plazos",
    "tasa",
    "vigencia_hasta",
)
OPTIONAL_COLUMNS = ("metodo", "seguro_desgravamen")
MAX_ROWS = 5000
MAX_AMOUNT_CENTS = 100_000_000
"""$1,000,000.00: above any preapproved consumer credit."""
ALLOWED_TERMS = range(1, 121)
CAMPAIGN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.]{0,39}")
"""Letters, digits, ``_`` and ``.``: safe in a workflow ID and in a visibility query."""
IDENTIFICATION = re.compile(r"[0-9A-Za-z]{5,20}")
_AMOUNT = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,2})?")
_PERCENT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,4})?")
EXTRA = "__extra__"
"""Marks a CSV row with more cells than the header."""
METHODS = {"FRANCES": "FRENCH", "FRENCH": "FRENCH", "ALEMAN": "GERMAN", "GERMAN": "GERMAN"}


@dataclass(frozen=True)
class CampaignOffer:
    """One valid row: an offer to the member holding ``identification``."""

    line: int
    campaign_id: str
    identification: str
    max_amount_cents: int
    min_amount_cents: int
    allowed_terms: tuple[int, ...]
    annual_rate: str
    """Fraction as a Decimal string (``"0.1583"``)."""
    valid_until: datetime
    method: str = "FRENCH"
    insurance_monthly_rate: str = "0"


@dataclass(frozen=True)
class RowError:
    """The reasons (Spanish) a row was refused; ``line`` counts the header as line 1."""

    line: int
    identification: str
    reasons: tuple[str, ...]


@dataclass
class Validation:
    """Every valid offer and every refused row of one load."""

    offers: list[CampaignOffer] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row was refused (the load may proceed)."""
        return not self.errors


class CampaignFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, size); message in Spanish."""


def read_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of a campaign CSV as dicts keyed by lower-case column name.

    Raises:
        CampaignFileError: not UTF-8, no header, a required column missing, too many rows.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CampaignFileError("El archivo debe estar codificado en UTF-8.") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey=EXTRA)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise CampaignFileError(f"Faltan columnas en el archivo: {', '.join(missing)}.")
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise CampaignFileError(f"El archivo supera el máximo de {MAX_ROWS} filas.")
        extra: object = row.pop(EXTRA, None)
        cleaned = {k: (v or "").strip() for k, v in row.items()}
        if extra:
            cleaned[EXTRA] = "1"
        if any(cleaned.values()):
            rows.append(cleaned)
    if not rows:
        raise CampaignFileError("El archivo no contiene ofertas.")
    return rows


def validate_rows(
    rows: Sequence[Mapping[str, str]], today: date, *, first_line: int = 2
) -> Validation:
    """Validate every row; duplicates (same campaign and identification) are refused too.

    Args:
        rows: raw values as text (CSV cells, or JSON values turned into text).
        today: the day in America/Guayaquil (an offer must still be valid).
        first_line: the number of the first row (2 in a CSV with a header, 1 in JSON).
    """
    result = Validation()
    seen: set[tuple[str, str]] = set()
    for index, row in enumerate(rows):
        line = first_line + index
        reasons: list[str] = []
        offer = _parse_row(row, line, today, reasons)
        key = (row.get("campaign_id", "").strip(), row.get("identificacion", "").strip())
        if key in seen:
            reasons.append("Oferta repetida: la misma campaña y socio aparecen en otra fila.")
        seen.add(key)
        if reasons or offer is None:
            result.errors.append(RowError(line, key[1][:20], tuple(reasons)))
        else:
            result.offers.append(offer)
    return result


def _parse_row(
    row: Mapping[str, str], line: int, today: date, reasons: list[str]
) -> CampaignOffer | None:
    """One row, or None with ``reasons`` filled (every problem, not only the first)."""
    value = {k: (v or "").strip() for k, v in row.items() if k is not None}
    if value.get(EXTRA):
        reasons.append("La fila tiene más columnas que el encabezado.")
    campaign = value.get("campaign_id", "")
    if not CAMPAIGN_ID.fullmatch(campaign):
        reasons.append("campaign_id: solo letras, números, '_' y '.', hasta 40 caracteres.")
    identification = value.get("identificacion", "")
    if not IDENTIFICATION.fullmatch(identification):
        reasons.append("identificacion: debe tener entre 5 y 20 letras o números.")
    maximum = _amount(value.get("monto_maximo", ""), "monto_maximo", reasons)
    minimum = _amount(value.get("monto_minimo", ""), "monto_minimo", reasons)
    if maximum is not None and minimum is not None and minimum > maximum:
        reasons.append("monto_minimo no puede ser mayor que monto_maximo.")
    terms = _terms(value.get("plazos", ""), reasons)
    rate = _percent(value.get("tasa", ""), "tasa", reasons, minimum=Decimal(1))
    insurance = _percent(
        value.get("seguro_desgravamen", "") or "0", "seguro_desgravamen", reasons, maximum=1
    )
    valid_until = _valid_until(value.get("vigencia_hasta", ""), today, reasons)
    method = METHODS.get(value.get("metodo", "").upper() or "FRANCES")
    if method is None:
        reasons.append("metodo: debe ser FRANCES o ALEMAN.")
    if reasons:
        return None
    assert maximum is not None and minimum is not None and terms and rate is not None
    assert insurance is not None and valid_until is not None and method is not None
    return CampaignOffer(
        line, campaign, identification, maximum, minimum, terms,
        _fraction(rate), valid_until, method, _fraction(insurance),
    )  # fmt: skip


def _amount(text: str, name: str, reasons: list[str]) -> int | None:
    """Dollars with up to two decimals (``10000`` or ``10000.50``) as cents."""
    if not _AMOUNT.fullmatch(text):
        reasons.append(f"{name}: debe ser un monto en dólares, por ejemplo 10000.00.")
        return None
    cents = int(Decimal(text) * 100)
    if not 0 < cents <= MAX_AMOUNT_CENTS:
        reasons.append(f"{name}: debe ser mayor que cero y no superar 1000000.00.")
        return None
    return cents


def _terms(text: str, reasons: list[str]) -> tuple[int, ...] | None:
    """Months separated by ``;``, each between 1 and 120, without repetitions."""
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts or not all(p.isdigit() and len(p) <= 3 for p in parts):
        reasons.append("plazos: meses separados por ';', por ejemplo 12;24;36.")
        return None
    terms = tuple(sorted({int(p) for p in parts}))
    if len(terms) != len(parts) or any(t not in ALLOWED_TERMS for t in terms):
        reasons.append("plazos: cada plazo entre 1 y 120 meses, sin repetir.")
        return None
    return terms


def _percent(
    text: str,
    name: str,
    reasons: list[str],
    *,
    minimum: Decimal = Decimal(0),
    maximum: int = 100,
) -> Decimal | None:
    """A percentage with up to four decimals, within [minimum, maximum]."""
    try:
        number = Decimal(text) if _PERCENT.fullmatch(text) else None
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        number = None
    if number is None or not minimum <= number <= maximum:
        reasons.append(
            f"{name}: porcentaje entre {minimum} y {maximum} con hasta 4 decimales "
            "(por ejemplo 15.83 para 15,83%)."
        )
        return None
    return number


def _fraction(percent: Decimal) -> str:
    """``15.83`` (percent) → ``"0.1583"`` (the workflow's fraction)."""
    return format((percent / 100).normalize(), "f")


def _valid_until(text: str, today: date, reasons: list[str]) -> datetime | None:
    """The end of the given day in Guayaquil; refused if already past."""
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        reasons.append("vigencia_hasta: debe ser una fecha con formato AAAA-MM-DD.")
        return None
    if day < today:
        reasons.append("vigencia_hasta: la fecha ya pasó.")
        return None
    return datetime.combine(day, time(23, 59, 59), tzinfo=GUAYAQUIL)

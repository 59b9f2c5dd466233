"""Dates, times and amounts the way the manual's emails show them, in es-EC.

Day and month names are written out here rather than taken from the OS locale: servers
rarely have ``es_EC`` installed, and ``locale.setlocale`` is process-wide and not
thread-safe.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bank.core.money import format_usd, to_cents

GUAYAQUIL = ZoneInfo("America/Guayaquil")

DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def local(moment: datetime) -> datetime:
    """``moment`` in Ecuador's time zone.

    Raises:
        ValueError: for a naive datetime (we never guess which zone it meant).
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware value")
    return moment.astimezone(GUAYAQUIL)


def long_date(moment: datetime) -> str:
    """``miércoles, 18 de diciembre de 2024``."""
    day = local(moment)
    return f"{DAYS[day.weekday()]}, {day.day} de {MONTHS[day.month - 1]} de {day.year}"


def time_12h(moment: datetime) -> str:
    """``1:26 PM``, as in the manual's "Hora 1:26 PM"."""
    t = local(moment)
    hour = t.hour % 12 or 12
    return f"{hour}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def dateline(moment: datetime, *, city: str | None = "Quito") -> str:
    """``Quito, miércoles, 18 de diciembre de 2024 Hora 1:26 PM``.

    Without a city the day name is capitalised, as in the signing-link email
    ("Lunes, 8 de junio de 2026 Hora 12:40 PM").
    """
    text = f"{long_date(moment)} Hora {time_12h(moment)}"
    return f"{city}, {text}" if city else text[0].upper() + text[1:]


def short_date(moment: datetime) -> str:
    """``18/12/2024``."""
    return local(moment).strftime("%d/%m/%Y")


def time_24h(moment: datetime) -> str:
    """``13:26:46``."""
    return local(moment).strftime("%H:%M:%S")


def money(amount: Decimal | str | int) -> str:
    """``$1,538.14`` from an exact amount (never a float)."""
    if isinstance(amount, float):
        raise TypeError("amounts are Decimal, str or int, never float")
    return format_usd(to_cents(amount))


def attempts_left(count: int) -> str:
    """``Te queda 1 intento.`` / ``Te quedan 3 intentos.`` (singular and plural agree)."""
    return "Te queda 1 intento." if count == 1 else f"Te quedan {count} intentos."


_FEMININE = frozenset({"clave", "cuenta", "placa", "cédula", "identificación"})


def the(noun: str) -> tuple[str, str]:
    """The article and the adjective ending that agree with ``noun``'s first word:
    ``("El", "o")`` for "Número de suministro", ``("La", "a")`` for "Clave catastral"."""
    first = (noun.split() or [""])[0].casefold()
    return ("La", "a") if first in _FEMININE else ("El", "o")


def invalid(noun: str, *, typed: bool = True) -> str:
    """``El número de suministro ingresado no es válido.`` / ``La clave catastral …válida.``"""
    article, end = the(noun)
    typed_text = f" ingresad{end}" if typed else ""
    return f"{article} {noun.lower()}{typed_text} no es válid{end}."


def not_registered(noun: str, where: str) -> str:
    """``El número de suministro ingresado no está registrado en EEQ.`` (agreeing)."""
    article, end = the(noun)
    return f"{article} {noun.lower()} ingresad{end} no está registrad{end} en {where}."

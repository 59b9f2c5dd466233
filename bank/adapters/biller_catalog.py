"""Categories and companies of the biller network (the simulator's catalogue).

The real network publishes its own; the codes here are this engine's. Reference patterns
are what each company's bills print (supply, account, contract or cadastral numbers).
"""

from __future__ import annotations

from bank.adapters.biller_types import Category, Company

CATEGORIES: tuple[Category, ...] = (
    Category("AGUA", "Agua Potable"),
    Category("LUZ", "Energía Eléctrica"),
    Category("TELEFONIA", "Telefonía"),
    Category("INTERNET", "Internet"),
    Category("TV", "Televisión"),
    Category("IMPUESTOS", "Impuestos Municipales"),
)

_SUPPLY = "Número de suministro"
_ACCOUNT = "Número de cuenta"
_CONTRACT = "Número de contrato"
_PHONE = "Número de teléfono"
_CADASTRE = "Clave catastral"

COMPANIES: tuple[Company, ...] = (
    Company("EPMAPS", "EPMAPS AGUA DE QUITO", "AGUA", _ACCOUNT, r"[0-9]{6,10}"),
    Company("INTERAGUA", "INTERAGUA GUAYAQUIL", "AGUA", _CONTRACT, r"[0-9]{6,10}"),
    Company("EEQ", "EMPRESA ELECTRICA QUITO", "LUZ", _SUPPLY, r"[0-9]{6,13}"),
    Company("CNEL", "CNEL EP", "LUZ", _SUPPLY, r"[0-9]{6,13}"),
    Company("CNT-FIJA", "CNT TELEFONIA FIJA", "TELEFONIA", _PHONE, r"0[2-7][0-9]{7}"),
    Company("CLARO", "CLARO POSTPAGO", "TELEFONIA", _PHONE, r"09[0-9]{8}"),
    Company("NETLIFE", "NETLIFE", "INTERNET", _CONTRACT, r"[0-9]{6,10}"),
    Company("CNT-INTERNET", "CNT INTERNET", "INTERNET", _CONTRACT, r"[0-9]{6,10}"),
    Company("DIRECTV", "DIRECTV", "TV", _ACCOUNT, r"[0-9]{8,12}"),
    Company("TVCABLE", "TVCABLE", "TV", _CONTRACT, r"[0-9]{6,10}"),
    Company("MDMQ-PREDIAL", "MUNICIPIO DE QUITO - PREDIAL", "IMPUESTOS", _CADASTRE, r"[0-9]{7,12}"),
    Company(
        "MIMG-PREDIAL", "MUNICIPIO DE GUAYAQUIL - PREDIAL", "IMPUESTOS", _CADASTRE, r"[0-9]{7,12}"
    ),
)

COMPANY_BY_CODE: dict[str, Company] = {c.code: c for c in COMPANIES}
CATEGORY_BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}

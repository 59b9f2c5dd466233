"""Institutions reachable through the SPI, as the simulator and the API list them.

Codes are this engine's own (illustrative, not the Banco Central's official catalogue);
``immediate`` marks the institutions with "acreditación inmediata" (manual, Transferencias
Interbancarias: the rest credit within 24 business hours).
"""

from __future__ import annotations

from bank.adapters.spi_types import Institution

INSTITUTIONS: tuple[Institution, ...] = (
    Institution("0010", "BANCO PICHINCHA", immediate=True),
    Institution("0017", "BANCO GUAYAQUIL", immediate=True),
    Institution("0030", "BANCO DEL PACIFICO", immediate=True),
    Institution("0036", "PRODUBANCO", immediate=True),
    Institution("0032", "BANCO INTERNACIONAL", immediate=True),
    Institution("0037", "BANCO BOLIVARIANO", immediate=False),
    Institution("0035", "BANCO DEL AUSTRO", immediate=False),
    Institution("0059", "BANCO SOLIDARIO", immediate=False),
    Institution("0024", "BANCO GENERAL RUMIÑAHUI", immediate=False),
    Institution("0029", "BANCO DE LOJA", immediate=False),
    Institution("0241", "COOP. JUVENTUD ECUATORIANA PROGRESISTA (JEP)", immediate=True),
    Institution("0254", "COOP. JARDIN AZUAYO", immediate=False),
    Institution("0222", "COOP. 29 DE OCTUBRE", immediate=False),
    Institution("0235", "COOP. POLICIA NACIONAL", immediate=False),
    Institution("0288", "COOP. ALIANZA DEL VALLE", immediate=False),
)

BY_CODE: dict[str, Institution] = {i.code: i for i in INSTITUTIONS}


def institution(code: str) -> Institution | None:
    """The institution with this code, or None."""
    return BY_CODE.get(code)

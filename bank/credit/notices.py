"""The email with the signed documents (manual §8 Paso 12), as an outbox template.

Registered in :data:`bank.notifications.TEMPLATES` under ``credit_documents_signed`` when
this module is imported (the worker imports it through ``activities.credit``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bank.models.messaging import Channel
from bank.notifications import TEMPLATES, Rendered, TemplateError, spanish
from bank.notifications.letters import Letter, as_html, as_text

TEMPLATE = "credit_documents_signed"
DOCUMENT_NAMES = {
    "contrato-credito": "Contrato de crédito",
    "pagare": "Pagaré",
    "tabla-amortizacion": "Tabla de amortización",
    "autorizacion-debito": "Autorización de débito",
}


def documents_signed(context: Mapping[str, Any]) -> Rendered:
    """Context: ``name``, ``loan_number``, ``net_amount`` (Decimal string), ``at`` (ISO),
    ``url`` (loan detail), ``documents`` (list of ``{kind, sha256}``)."""
    try:
        at = datetime.fromisoformat(str(context["at"]))
        documents = [
            (DOCUMENT_NAMES.get(d["kind"], d["kind"]), f"SHA-256 {d['sha256'][:16]}…")
            for d in context["documents"]
        ]
        letter = Letter(
            subject="Documentos firmados de tu crédito",
            dateline=spanish.dateline(at, city=None),
            greeting=f"Estimado/a: {context['name']}",
            intro=(
                f"Tu crédito N° {context['loan_number']} fue desembolsado: acreditamos "
                f"{spanish.money(context['net_amount'])} en tu cuenta Cooprogreso.",
                "Estos son los documentos de tu operación, firmados electrónicamente:",
            ),
            details=tuple(documents),
            link=("Descarga tus documentos", "AQUÍ", str(context["url"])),
            outro=("Atentamente,", "Cooprogreso, Cooperativa de Ahorro y Crédito."),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TemplateError(f"credit_documents_signed: {exc}") from exc
    return Rendered(Channel.EMAIL, letter.subject, as_text(letter), as_html(letter))


TEMPLATES.setdefault(TEMPLATE, documents_signed)

"""The letter layout shared by every email, rendered once as text and once as HTML.

Modelled on the manual's emails ("GENERACION DE CLAVE", the signing link): an optional
title, a dateline, a greeting, paragraphs, an optional "LABEL: value" detail block, an
optional link, the cooperative's closing and an optional note.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

CLOSING = ("Atentamente,", "Cooprogreso, Cooperativa de Ahorro y Crédito.")
FOOTER = (
    "Este es un mensaje automático de Cooprogreso en Línea; por favor no lo respondas. "
    "Cooprogreso nunca te pedirá tus claves por correo electrónico, teléfono ni redes sociales."
)


@dataclass(frozen=True)
class Letter:
    """A member-facing email in Spanish; every field is plain text (HTML-escaped on render)."""

    subject: str
    dateline: str
    greeting: str
    intro: tuple[str, ...]
    details: tuple[tuple[str, str], ...] = ()
    link: tuple[str, str, str] | None = None
    """(text before the anchor, anchor text, URL): "Firmar Documento", "AQUÍ", https://…"""
    outro: tuple[str, ...] = ()
    note: str | None = None
    title: str | None = None


def as_text(letter: Letter) -> str:
    """The plain-text body: blank lines between blocks, details one per line."""
    blocks: list[str] = []
    if letter.title:
        blocks.append(letter.title)
    blocks += [letter.dateline, letter.greeting, *letter.intro]
    if letter.details:
        blocks.append("\n".join(f"{label}: {value}" for label, value in letter.details))
    if letter.link:
        before, anchor, url = letter.link
        blocks.append(f"{before} {anchor}: {url}")
    blocks += [*letter.outro, *CLOSING]
    if letter.note:
        blocks.append(f"Nota: {letter.note}")
    blocks.append(FOOTER)
    return "\n\n".join(blocks) + "\n"


def _p(text: str, style: str = "") -> str:
    attribute = f' style="{style}"' if style else ""
    return f"<p{attribute}>{escape(text)}</p>"


def as_html(letter: Letter) -> str:
    """A simple, inline-styled HTML body with the same content as :func:`as_text`."""
    parts = ['<div style="font-family:Arial,Helvetica,sans-serif;max-width:600px;color:#222">']
    if letter.title:
        parts.append(f'<h2 style="color:#0b6b3a">{escape(letter.title)}</h2>')
    parts.append(_p(letter.dateline, "color:#555"))
    parts.append(f"<p><strong>{escape(letter.greeting)}</strong></p>")
    parts += [_p(text) for text in letter.intro]
    if letter.details:
        rows = "".join(
            f'<tr><td style="padding:2px 12px 2px 0"><strong>{escape(label)}:</strong></td>'
            f"<td>{escape(value)}</td></tr>"
            for label, value in letter.details
        )
        parts.append(f"<table>{rows}</table>")
    if letter.link:
        before, anchor, url = letter.link
        parts.append(f'<p>{escape(before)} <a href="{escape(url)}">{escape(anchor)}</a></p>')
    parts += [_p(text) for text in letter.outro]
    parts += [_p(CLOSING[0]), f"<p><strong>{escape(CLOSING[1])}</strong></p>"]
    if letter.note:
        parts.append(f"<p><em>Nota: {escape(letter.note)}</em></p>")
    parts.append(_p(FOOTER, "font-size:11px;color:#777"))
    parts.append("</div>")
    return "\n".join(parts)

"""The dev mailbox: every email and SMS the embedded run "sent", readable in a browser.

Mounted by the API only when ``COOP_DEV_OUTBOX`` is on; the routes also answer 404 when it
is off, so mounting it by mistake in production exposes nothing. It shows OTP codes and
temporary passwords in clear: that is its purpose, on a developer's machine.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import app_state
from bank.core.settings import CoreSettings
from bank.notifications.mailbox import MailboxEntry, read_mailbox
from bank.notifications.spanish import local

router = APIRouter(prefix="/dev", tags=["dev"])


def mailbox_settings(request: Request) -> CoreSettings:
    """This process's settings (tests override it with ``app.dependency_overrides``)."""
    return app_state(request).settings


def mailbox_dir(settings: Annotated[CoreSettings, Depends(mailbox_settings)]) -> Path:
    """The mailbox folder, or 404 when the dev outbox is off (nothing to see in production)."""
    if not settings.dev_outbox:
        raise HTTPException(status_code=404)
    return settings.mailbox_dir


Mailbox = Annotated[Path, Depends(mailbox_dir)]
To = Annotated[str | None, Query(max_length=120, description="Recipient contains")]
Limit = Annotated[int, Query(ge=1, le=1000)]

CHANNEL_LABELS = {"email": "Correo", "sms": "SMS"}


@router.get("/mailbox/messages", summary="Mensajes del buzón de desarrollo (JSON)")
def mailbox_messages(directory: Mailbox, to: To = None, limit: Limit = 200) -> dict[str, Any]:
    """Every email and SMS, newest first; SMS carrying an OTP expose it as ``otp_code``."""
    entries = read_mailbox(directory, to=to, limit=limit)
    return {"messages": [entry.as_json() for entry in entries]}


@router.get("/mailbox", response_class=HTMLResponse, summary="Buzón de desarrollo")
def mailbox_page(directory: Mailbox, to: To = None, limit: Limit = 200) -> HTMLResponse:
    """An HTML page listing every email and SMS, newest first (refreshes every 5 s)."""
    return HTMLResponse(_page(read_mailbox(directory, to=to, limit=limit)))


def _row(entry: MailboxEntry) -> str:
    when = local(entry.at).strftime("%d/%m/%Y %H:%M:%S")
    code = f'<div class="otp">Código: {escape(entry.otp_code)}</div>' if entry.otp_code else ""
    files = (
        f'<div class="files">Adjuntos: {escape(", ".join(entry.attachments))}</div>'
        if entry.attachments
        else ""
    )
    return (
        f"<tr><td>{escape(when)}</td><td>{CHANNEL_LABELS[entry.channel]}</td>"
        f"<td>{escape(entry.to)}</td><td>{escape(entry.subject or '—')}</td>"
        f"<td>{code}<pre>{escape(entry.text)}</pre>{files}</td></tr>"
    )


def _page(entries: list[MailboxEntry]) -> str:
    rows = "\n".join(_row(entry) for entry in entries) or (
        '<tr><td colspan="5">Todavía no hay mensajes.</td></tr>'
    )
    return f"""<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Buzón de desarrollo · Cooprogreso</title>
<style>
body{{font-family:Arial,Helvetica,sans-serif;margin:24px;color:#222}}
h1{{color:#0b6b3a}} table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ddd;padding:6px;text-align:left;vertical-align:top}}
pre{{white-space:pre-wrap;margin:0;font-size:13px}} .otp{{font-weight:bold;color:#0b6b3a}}
.files{{margin-top:4px;font-size:13px;color:#555}}
</style></head><body>
<h1>Buzón de desarrollo</h1>
<p>Correos y SMS enviados por Cooprogreso en Línea en este entorno, del más reciente al más
antiguo. Solo para desarrollo: muestra códigos de seguridad y contraseñas temporales.</p>
<table><thead><tr><th>Fecha</th><th>Canal</th><th>Para</th><th>Asunto</th><th>Mensaje</th>
</tr></thead><tbody>
{rows}
</tbody></table></body></html>"""

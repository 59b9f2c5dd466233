"""The dev mailbox lists every email (SMTP sink) and SMS (simulator), newest first."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routes import dev
from bank.adapters.email import OutgoingEmail, SmtpMailer
from bank.adapters.mail_sink import MailboxHandler
from bank.adapters.sms import SimulatedSms
from bank.core.settings import CoreSettings


def client_for(mailbox: Path, *, dev_outbox: bool = True) -> TestClient:
    app = FastAPI()
    app.include_router(dev.router)
    settings = CoreSettings(mailbox_dir=mailbox, dev_outbox=dev_outbox)
    app.dependency_overrides[dev.mailbox_settings] = lambda: settings
    return TestClient(app)


@pytest.fixture
def mailbox(tmp_path: Path) -> Path:
    """A temporary password email, then an OTP SMS a moment later."""
    folder = tmp_path / "mailbox"
    mailer = SmtpMailer("127.0.0.1", 0, mail_from="Cooprogreso <n@cooprogreso.fin.ec>")
    email = OutgoingEmail(
        "nancy@example.ec",
        "Cooprogreso en Línea: tu usuario y contraseña temporal",
        "USUARIO: nancy\nCONTRASEÑA TEMPORAL: Ab3dEf6hJk\n",
        "<p>CONTRASEÑA TEMPORAL: <b>Ab3dEf6hJk</b></p>",
    )
    MailboxHandler(folder).store(mailer.build(email).as_bytes(), ["nancy@example.ec"])
    SimulatedSms(folder).send(
        "0998765432",
        "Cooprogreso: 042917 es tu código para Transferencia de $6.00 a XXXX0750. Vence en "
        "5 minutos. No lo compartas.",
        reference="otp:abc",
    )
    return folder


def test_json_lists_sms_and_email_newest_first(mailbox: Path):
    response = client_for(mailbox).get("/dev/mailbox/messages")
    assert response.status_code == 200
    sms, email = response.json()["messages"]
    assert (sms["channel"], sms["to"], sms["otp_code"], sms["reference"]) == (
        "sms",
        "0998765432",
        "042917",
        "otp:abc",
    )
    assert email["channel"] == "email"
    assert email["to"] == "nancy@example.ec"
    assert email["subject"] == "Cooprogreso en Línea: tu usuario y contraseña temporal"
    assert "CONTRASEÑA TEMPORAL: Ab3dEf6hJk" in email["text"]
    assert "<b>Ab3dEf6hJk</b>" in email["html"]


def test_json_filters_by_recipient_and_limits(mailbox: Path):
    client = client_for(mailbox)
    [only] = client.get("/dev/mailbox/messages", params={"to": "nancy@"}).json()["messages"]
    assert only["channel"] == "email"
    assert len(client.get("/dev/mailbox/messages?limit=1").json()["messages"]) == 1
    assert client.get("/dev/mailbox/messages?limit=0").status_code == 422


def test_html_page_shows_both_in_spanish(mailbox: Path):
    response = client_for(mailbox).get("/dev/mailbox")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Buzón de desarrollo" in page and "Asunto" in page and "Mensaje" in page
    assert page.index("042917") < page.index("Ab3dEf6hJk")  # newest first
    assert "Código: 042917" in page


def test_empty_or_missing_mailbox_is_not_an_error(tmp_path: Path):
    client = client_for(tmp_path / "absent")
    assert client.get("/dev/mailbox/messages").json() == {"messages": []}
    assert "Todavía no hay mensajes." in client.get("/dev/mailbox").text


def test_member_data_is_escaped_in_the_page(tmp_path: Path):
    SimulatedSms(tmp_path).send("<b>x</b>", "<script>alert(1)</script>", reference="r")
    page = client_for(tmp_path).get("/dev/mailbox").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("path", ["/dev/mailbox", "/dev/mailbox/messages"])
def test_answers_404_when_dev_outbox_is_off(mailbox: Path, path: str):
    assert client_for(mailbox, dev_outbox=False).get(path).status_code == 404

"""The SMS gateway client and the mail sink command, against real local servers."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from bank.adapters.email import OutgoingEmail, SmtpMailer
from bank.adapters.errors import DeliveryError
from bank.adapters.sms import HttpSms
from bank.notifications.mailbox import read_mailbox
from tests.bank.messaging_support import MAIL_FROM
from tests.support.net import free_port


class _Gateway(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    status: ClassVar[int] = 202

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append({**json.loads(body), "key": self.headers["Idempotency-Key"]})
        self.send_response(_Gateway.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_http_sms_posts_json_and_reports_refusals():
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sender = HttpSms(f"http://127.0.0.1:{server.server_port}/sms", timeout=5)
        sender.send("0991234567", "hola", reference="otp:1")
        assert _Gateway.received == [
            {"to": "0991234567", "text": "hola", "reference": "otp:1", "key": "otp:1"}
        ]
        _Gateway.status = 503
        with pytest.raises(DeliveryError):
            sender.send("0991234567", "hola", reference="otp:2")
    finally:
        server.shutdown()
        server.server_close()


def test_mail_sink_command_stores_each_message_as_an_eml_file(tmp_path):
    port, inbox = free_port(), tmp_path / "mailbox"
    sink = subprocess.Popen(
        [sys.executable, "-m", "bank.adapters.mail_sink", "--dir", str(inbox), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sink.stdout is not None and "listening" in sink.stdout.readline()
        mailer = SmtpMailer("127.0.0.1", port, mail_from=MAIL_FROM, timeout=5)
        subject = "Asunto ../../etc/passwd con ñ"
        mailer.send(OutgoingEmail("socio@example.ec", subject, "Hola, socio."))
    finally:
        sink.send_signal(signal.SIGTERM)
        assert sink.wait(timeout=10) == 0
    [stored] = list(inbox.iterdir())
    assert stored.suffix == ".eml" and stored.parent == inbox
    [email] = read_mailbox(inbox)
    assert (email.subject, email.text.strip()) == (subject, "Hola, socio.")

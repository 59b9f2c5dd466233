"""A local SMTP sink for the embedded run: every message received becomes a ``.eml`` file.

Run it with ``python -m bank.adapters.mail_sink --dir var/mailbox --port 8025``; the dev
mailbox page (``/dev/mailbox``) lists what it stored. It accepts any sender and recipient
and never relays: it is the embedded stand-in for an SMTP relay, not a mail server.
"""

from __future__ import annotations

import argparse
import secrets
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from bank.adapters.files import write_atomically

RECEIVED_HEADER = "X-Mailbox-Received"
ENVELOPE_TO_HEADER = "X-Mailbox-Envelope-To"


class MailboxHandler:
    """aiosmtpd handler that stores each message under a generated, sortable file name."""

    def __init__(self, directory: Path) -> None:
        """Store messages in ``directory`` (created if missing)."""
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)

    def store(self, content: bytes, recipients: list[str]) -> Path:
        """Write one message and return its path.

        The name comes from the clock and a random suffix, never from the message, so a
        hostile subject or address cannot choose where the file lands.
        """
        now = datetime.now(UTC)
        name = f"{now:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}.eml"
        # Envelope recipients are kept because Bcc never appears in the headers.
        to = ", ".join(r.replace("\r", "").replace("\n", "") for r in recipients)
        prefix = f"{RECEIVED_HEADER}: {now.isoformat()}\r\n{ENVELOPE_TO_HEADER}: {to}\r\n"
        path = self.directory / name
        write_atomically(path, prefix.encode() + content)
        return path

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd hook: store the message, answer 250."""
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        self.store(content, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def start_sink(directory: Path, host: str = "127.0.0.1", port: int = 8025) -> Controller:
    """Start the sink in a background thread and return its controller (call ``stop()``)."""
    controller = Controller(MailboxHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; runs until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(description="Local SMTP sink writing .eml files.")
    parser.add_argument("--dir", type=Path, default=Path("var/mailbox"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args(argv)

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    controller = start_sink(args.dir, args.host, args.port)
    print(f"mail sink listening on {args.host}:{args.port}, writing {args.dir}", flush=True)
    try:
        stop.wait()
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Process logging: one JSON object per line, with the Temporal context of the line.

``configure(settings)`` is called once by the worker's and the API's entry points. In JSON
(``COOP_LOG_FORMAT=json``, the default in production) every line carries ``ts``, ``level``,
``logger`` and ``message``, and — when it was written inside an activity — the
``workflow_id``, ``run_id``, ``workflow_type``, ``activity_type`` and ``attempt`` it belongs
to, so an officer goes from a log line to the journey in the Temporal UI. The SDK's own
workflow and activity loggers add the same context (their ``temporal_workflow`` /
``temporal_activity`` extras), flattened here.

No secret reaches a line: the code never logs a body, a code or a PIN (the outbox logs keys,
the PIN and OTP modules log nothing of their input), and ``tests/bank/test_logs.py`` runs a
journey with an OTP at DEBUG level and searches every line for the code.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import IO, Any, Literal

from temporalio import activity

LogFormat = Literal["json", "text"]
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"
_CONTEXT_EXTRAS = ("temporal_workflow", "temporal_activity")


def temporal_context(record: logging.LogRecord) -> dict[str, Any]:
    """The workflow and activity a record was written in (empty outside of them)."""
    found: dict[str, Any] = {}
    for extra in _CONTEXT_EXTRAS:
        value = getattr(record, extra, None)
        if isinstance(value, dict):
            found.update(value)
    if activity.in_activity():
        info = activity.info()
        found.setdefault("workflow_id", info.workflow_id)
        found.setdefault("run_id", info.workflow_run_id)
        found.setdefault("workflow_type", info.workflow_type)
        found.setdefault("activity_type", info.activity_type)
        found.setdefault("attempt", info.attempt)
    return found


class JsonFormatter(logging.Formatter):
    """A record as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **temporal_context(record),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def handler(log_format: LogFormat, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing ``log_format`` to ``stream`` (stderr by default)."""
    out = logging.StreamHandler(stream)
    out.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return out


TOKEN_IN_PATH = re.compile(r"(/firma/|/api/v1/signing/)[^/?\s]+")
"""A signing link's token in a request path: a credential, never logged."""


class RedactPathTokens(logging.Filter):
    """Blanks signing-link tokens in uvicorn's access lines (``args[2]`` is the path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = TOKEN_IN_PATH.sub(r"\1<token>", args[2])
            record.args = (*args[:2], path, *args[3:])
        return True


def configure(log_format: LogFormat, level: str = "INFO") -> None:
    """Route every logger of the process through one handler of ``log_format``; uvicorn's
    access log keeps its handler but never shows a signing token."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactPathTokens) for f in access.filters):
        access.addFilter(RedactPathTokens())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(log_format))
    root.setLevel(level)

"""uvicorn's access log never shows a signing link's token (it is a credential)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bank.core import logs

TOKEN = "Zx9_secret-signing-token-0123456789abcdef"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def access_lines() -> Iterator[list[str]]:
    logs.configure("text")
    access = logging.getLogger("uvicorn.access")
    lines = Lines()
    access.addHandler(lines)
    access.setLevel(logging.INFO)
    yield lines.lines
    access.removeHandler(lines)


def served(path: str) -> None:
    """The call uvicorn's protocols make for every response."""
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "10.0.0.7:5123", "GET", path, "1.1", 200
    )


@pytest.mark.parametrize(
    "path",
    [f"/firma/{TOKEN}", f"/api/v1/signing/{TOKEN}", f"/api/v1/signing/{TOKEN}/documents/1"],
)
def test_access_lines_blank_the_signing_token(path: str, access_lines: list[str]) -> None:
    served(path)
    assert TOKEN not in access_lines[-1]
    assert "<token>" in access_lines[-1] and '" 200' in access_lines[-1]


def test_other_paths_are_logged_as_they_are(access_lines: list[str]) -> None:
    served("/api/v1/accounts")
    assert "/api/v1/accounts" in access_lines[-1]

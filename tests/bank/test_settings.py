"""Settings: production is locked down, and docs/configuration.md matches the classes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bank.core import settings_doc
from bank.core.settings import ROOT, CoreSettings


def test_configuration_doc_is_current() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text()
    assert committed == settings_doc.render(), (
        "run: python -m bank.core.settings_doc > docs/configuration.md"
    )


def test_every_setting_is_explained() -> None:
    undocumented = [
        line.split("|")[1].strip()
        for line in settings_doc.render().splitlines()
        if line.startswith("| `") and line.rstrip().endswith("|  |")
    ]
    assert undocumented == []


def test_production_refuses_the_embedded_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_ENVIRONMENT", "production")
    monkeypatch.setenv("COOP_DEV_OUTBOX", "false")
    with pytest.raises(ValidationError, match="COOP_SECRET_KEY"):
        CoreSettings()
    monkeypatch.setenv("COOP_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("COOP_DOCUMENT_KEYS", "k1:" + "A" * 43)
    assert CoreSettings().environment == "production"


def test_production_refuses_the_dev_outbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_ENVIRONMENT", "production")
    monkeypatch.setenv("COOP_SECRET_KEY", "x" * 40)
    with pytest.raises(ValidationError, match="COOP_DEV_OUTBOX"):
        CoreSettings()

"""temporal-config/: profiles, search attributes and the dev server's command line agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.service import TLSConfig

from bank.core.settings import CoreSettings, RunSettings
from bank.core.temporal import TemporalConfigError, resolve_connection, search_attribute_definitions
from workers.devserver import DevServerConfigError, dev_server_command
from workflows.search_attributes import ALL_KEYS


def test_typed_keys_match_the_declared_search_attributes():
    declared = {name: kind for name, kind in search_attribute_definitions().items()}
    typed = {key.name: key.indexed_value_type for key in ALL_KEYS}
    assert typed == declared


def test_dev_profile_is_the_embedded_dev_server():
    conn = resolve_connection(CoreSettings())
    assert (conn.address, conn.namespace, conn.tls, conn.is_local) == (
        "127.0.0.1:7233",
        "default",
        False,
        True,
    )


def test_explicit_settings_override_the_prod_profile(tmp_path: Path):
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    cert.write_bytes(b"CERT")
    key.write_bytes(b"KEY")
    settings = CoreSettings(
        temporal_profile="prod",
        temporal_address="cooprogreso.a1b2c.tmprl.cloud:7233",
        temporal_tls_cert=cert,
        temporal_tls_key=key,
    )
    conn = resolve_connection(settings)
    assert conn.address == "cooprogreso.a1b2c.tmprl.cloud:7233"
    assert conn.namespace == "cooprogreso-prod"  # from the profile
    assert isinstance(conn.tls, TLSConfig) and conn.tls.client_cert == b"CERT"
    assert not conn.is_local


def test_an_api_key_always_travels_over_tls():
    conn = resolve_connection(CoreSettings(temporal_profile="test", temporal_api_key="k"))
    assert conn.tls is True and conn.api_key == "k" and not conn.is_local


def test_half_a_client_certificate_is_a_configuration_error(tmp_path: Path):
    cert = tmp_path / "client.pem"
    cert.write_bytes(b"CERT")
    with pytest.raises(TemporalConfigError):
        resolve_connection(CoreSettings(temporal_profile="prod", temporal_tls_cert=cert))


def test_dev_server_command_persists_state_and_registers_attributes():
    settings = RunSettings()
    command = dev_server_command(settings, resolve_connection(settings))
    assert command[1:3] == ["server", "start-dev"]
    assert command[command.index("--db-filename") + 1].endswith("var/temporal.db")
    assert command[command.index("--ui-port") + 1] == "8233"
    assert "SigningDeadline=Datetime" in command and "AmountRequested=Double" in command


def test_dev_server_refuses_a_port_its_clients_would_miss():
    settings = RunSettings(temporal_address="127.0.0.1:7300")
    with pytest.raises(DevServerConfigError):
        dev_server_command(settings, resolve_connection(settings))

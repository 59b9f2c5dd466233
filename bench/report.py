"""One machine-readable line per bench run, for ``bench.run``'s table.

A bench prints its own human-readable figures, then calls ``emit``: one line
``BENCH-RESULT {json}`` with its rows (figure, value, baseline measured in the same run,
target) and the peak memory of the processes it started.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

PREFIX = "BENCH-RESULT "


@dataclass(frozen=True)
class Row:
    """One figure: ``value`` next to ``baseline`` (what it is compared with, same run)."""

    figure: str
    value: float
    unit: str
    baseline: float | None = None
    target: float | None = None
    baseline_label: str = ""
    lower_is_better: bool = False

    @property
    def ratio(self) -> float | None:
        """value / baseline (for latencies too: >1 means slower than the baseline)."""
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline

    @property
    def meets_target(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.lower_is_better else self.value >= self.target


def emit(bench: str, rows: list[Row], **extra: Any) -> None:
    """Print the result line ``bench.run`` collects."""
    payload = {"bench": bench, "rows": [asdict(row) for row in rows], **extra}
    print(PREFIX + json.dumps(payload), flush=True)


def parse(line: str) -> dict[str, Any] | None:
    """The payload of a result line, or ``None`` for any other line."""
    if not line.startswith(PREFIX):
        return None
    payload: dict[str, Any] = json.loads(line[len(PREFIX) :])
    payload["rows"] = [Row(**row) for row in payload["rows"]]
    return payload

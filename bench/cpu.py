"""CPU seconds spent by the processes of a benchmark (Linux ``/proc``), to say where time goes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of one process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def pids_named(fragment: str) -> list[int]:
    """Processes whose command line contains ``fragment``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if fragment in command:
            found.append(int(entry.name))
    return found


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds so far of this process, the Temporal dev server and PostgreSQL."""

    worker: float
    temporal: float
    postgres: float

    @classmethod
    def now(cls) -> CpuSample:
        """Read the counters (PostgreSQL: every backend of the machine's server)."""
        return cls(
            worker=cpu_of(os.getpid()),
            temporal=sum(cpu_of(pid) for pid in pids_named("server start-dev")),
            postgres=sum(cpu_of(pid) for pid in pids_named("postgres")),
        )

    def since(self, earlier: CpuSample) -> CpuSample:
        """CPU seconds spent between ``earlier`` and this sample."""
        return CpuSample(
            self.worker - earlier.worker,
            self.temporal - earlier.temporal,
            self.postgres - earlier.postgres,
        )

    def describe(self, wall: float) -> str:
        """One line: CPU seconds of each and their share of the 2 cores over ``wall``."""
        parts = [
            f"{name} {seconds:.0f} s ({seconds / wall:.0%} of a core)"
            for name, seconds in (
                ("worker", self.worker),
                ("Temporal dev server", self.temporal),
                ("PostgreSQL", self.postgres),
            )
        ]
        return "CPU: " + ", ".join(parts)

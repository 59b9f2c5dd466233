"""Every bench, one after another, and one table of what they measured.

Run: ``.venv/bin/python -m bench.run [--quick] [--only NAME ...] [--markdown FILE]``.

Each bench runs as its own subprocess (``python -m bench.<name>``), never two at once: on two
cores a second bench would distort both. Its output goes to ``var/bench/<name>.log``; its
``BENCH-RESULT`` line (``bench.report``) gives the rows of the table — figure, value, the
baseline measured in the same run, their ratio, the project's target and whether it is met —
and the peak memory of the processes it measured. ``--quick`` passes small sizes (the whole
set in a few minutes, to see that every bench still runs); without it every bench runs with
its documented defaults (about an hour). A missed target is reported, not an error; the exit
status is 1 when a bench crashed or printed no result. A bench whose tool is missing (``wrk``
for ``api``, Chromium for ``web``) is reported as skipped, with the reason.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import report

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "var" / "bench"


def _wrk_missing() -> str | None:
    from bench.api import WRK

    return None if shutil.which(WRK) else f"{WRK} not installed (apt-get install wrk)"


def _chromium_missing() -> str | None:
    try:
        from tests.web.browser import chromium_path
    except ImportError as exc:  # playwright not installed
        return f"playwright missing ({exc})"
    return None if chromium_path() else "Chromium not found (apt-get install chromium)"


@dataclass(frozen=True)
class Bench:
    """One bench module, its arguments under ``--quick``, and what it needs to run."""

    name: str
    quick: str
    missing: Callable[[], str | None] = lambda: None


BENCHES = (
    Bench("kyc", "--rounds 2"),
    Bench("ledger", "--seconds 1 --rounds 1"),
    Bench("auth", "--logins 60 --users 20 --starts 8"),
    Bench("api", "--members 100 --movements 10 --tokens 10 --seconds 3 --rounds 1", _wrk_missing),
    Bench("card_statements", "--cards 200"),
    Bench("scheduled_payments", "--authorisations 100"),
    Bench("transfers", "--transfers 40 --concurrency 4 --members 10"),
    Bench("web", "--rounds 3", _chromium_missing),
)
NAMES = tuple(bench.name for bench in BENCHES)


@dataclass
class Outcome:
    """How one bench's run ended and what it reported."""

    name: str
    status: str  # "ok", "crashed" or "skipped"
    reason: str = ""
    seconds: float = 0.0
    log: Path | None = None
    results: list[dict[str, Any]] = field(default_factory=list)


def run_bench(bench: Bench, quick: bool, logs: Path | None = None, echo: bool = False) -> Outcome:
    """Run one bench to its end, its output to ``logs/<name>.log``; collect its result lines."""
    reason = bench.missing()
    if reason:
        return Outcome(bench.name, "skipped", reason)
    logs = logs or LOGS
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{bench.name}.log"
    argv = [sys.executable, "-m", f"bench.{bench.name}", *(bench.quick.split() if quick else [])]
    outcome = Outcome(bench.name, "ok", log=log)
    last = ""
    began = time.perf_counter()
    with log.open("w") as sink:
        sink.write(f"$ {' '.join(argv)}\n")
        child = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert child.stdout is not None
        try:
            for line in child.stdout:
                sink.write(line)
                sink.flush()
                if echo:
                    print(f"  {bench.name}| {line}", end="", flush=True)
                if line.strip():
                    last = line.strip()
                payload = report.parse(line.rstrip("\n"))
                if payload is not None:
                    outcome.results.append(payload)
        except BaseException:
            child.terminate()
            child.wait()
            raise
        code = child.wait()
    outcome.seconds = time.perf_counter() - began
    if code != 0:
        outcome.status, outcome.reason = "crashed", f"exit status {code}: {last[:160]}"
    elif not outcome.results:
        outcome.status, outcome.reason = "crashed", "no BENCH-RESULT line"
    return outcome


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _number(x: float) -> str:
    if x == int(x) and abs(x) < 1e6:
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"


def _amount(x: float, unit: str) -> str:
    return f"{_number(x)} {unit}".strip()


def figure_cells(bench: str, row: report.Row) -> list[str]:
    """The table's cells for one row: bench, figure, value, baseline, ratio, target, meets."""
    baseline = "—"
    if row.baseline is not None:
        baseline = _amount(row.baseline, row.unit)
        baseline += f" ({row.baseline_label})" if row.baseline_label else ""
    ratio = "—" if row.ratio is None else f"{row.ratio:.2f}"
    target = "—"
    if row.target is not None:
        target = ("≤ " if row.lower_is_better else "≥ ") + _amount(row.target, row.unit)
    meets = {True: "yes", False: "NO", None: "—"}[row.meets_target]
    return [bench, row.figure, _amount(row.value, row.unit), baseline, ratio, target, meets]


FIGURES = ("bench", "figure", "value", "baseline (label)", "ratio", "target", "meets")
MEMORY = ("bench", "process", "peak MiB")
RUNS = ("bench", "status", "time", "log", "notes")


def tables(outcomes: Sequence[Outcome]) -> list[tuple[str, tuple[str, ...], list[list[str]]]]:
    """(title, header, rows) of the figures, the peak memory and the runs."""
    figures, memory, runs = [], [], []
    for outcome in outcomes:
        if outcome.status != "ok":
            figures.append([outcome.name, f"({outcome.status})", "", "", "", "", ""])
        notes = [outcome.reason] if outcome.reason else []
        for result in outcome.results:
            name = str(result["bench"])
            figures += [figure_cells(name, row) for row in result["rows"]]
            for process, mib in result.get("peaks", {}).items():
                memory.append([name, process, f"{mib:,.0f}"])
            extra = {k: v for k, v in result.items() if k not in ("bench", "rows", "peaks")}
            notes += [f"{key} {value}" for key, value in extra.items()]
        log = _shown(outcome.log) if outcome.log else "—"
        took = f"{outcome.seconds:.0f} s" if outcome.log else "—"
        runs.append([outcome.name, outcome.status, took, log, "; ".join(notes)])
    return [("Figures", FIGURES, figures), ("Peak memory", MEMORY, memory), ("Runs", RUNS, runs)]


def render_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain table with aligned columns."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [header, ["-" * width for width in widths], *rows]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in lines
    )


def render_markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The same table in Markdown."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in lines)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a few minutes")
    parser.add_argument("--only", nargs="+", choices=NAMES, metavar="NAME", help=", ".join(NAMES))
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="also write the tables")
    parser.add_argument("--echo", action="store_true", help="print each bench's output too")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benches in turn, print the tables; 1 if a bench crashed."""
    args = _arguments(argv)
    chosen = [bench for bench in BENCHES if not args.only or bench.name in args.only]
    outcomes = []
    for bench in chosen:
        print(f"bench.{bench.name} ...", end=" ", flush=True)
        outcome = run_bench(bench, args.quick, echo=args.echo)
        print(f"{outcome.status} ({outcome.seconds:.0f} s) {outcome.reason}".rstrip(), flush=True)
        outcomes.append(outcome)
    built = tables(outcomes)
    for title, header, rows in built:
        print(f"\n{title}\n{render_text(header, rows) if rows else '(none)'}")
    if args.markdown:
        mode = "quick" if args.quick else "defaults"
        parts = [
            f"## {title} ({mode})\n\n{render_markdown(header, rows) if rows else '(none)'}"
            for title, header, rows in built
        ]
        args.markdown.write_text("\n\n".join(parts) + "\n")
    return 1 if any(outcome.status == "crashed" for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())

"""The bench result line and the one-table runner, without running a bench."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import report
from bench import run as runner

TRANSFERS = [
    report.Row("transfer end to end", 20.0, "/s", 500.0, 30.0, "ledger.post"),
    report.Row("transfer p95", 250.0, "ms", 25.0, 300.0, "ledger.post", lower_is_better=True),
]


def test_a_result_line_reads_back_as_it_was_emitted(capsys: pytest.CaptureFixture[str]) -> None:
    report.emit("transfers", TRANSFERS, peaks={"api": 180.5, "worker": 240.0}, problems=0)
    line = capsys.readouterr().out.strip()

    payload = report.parse(line)

    assert payload is not None
    assert payload["bench"] == "transfers"
    assert payload["rows"] == TRANSFERS
    assert payload["peaks"] == {"api": 180.5, "worker": 240.0}
    assert payload["problems"] == 0
    assert report.parse("  ledger.post only   682.1 transfers/s") is None


def test_ratio_is_value_over_the_same_runs_baseline() -> None:
    assert TRANSFERS[0].ratio == pytest.approx(0.04)
    assert TRANSFERS[1].ratio == pytest.approx(10.0)
    assert report.Row("no baseline", 5.0, "ms").ratio is None
    assert report.Row("zero baseline", 5.0, "ms", baseline=0.0).ratio is None


def test_a_target_is_met_from_the_right_side() -> None:
    assert TRANSFERS[0].meets_target is False  # 20/s under a floor of 30/s
    assert TRANSFERS[1].meets_target is True  # 250 ms under a ceiling of 300 ms
    assert report.Row("p95", 301.0, "ms", target=300.0, lower_is_better=True).meets_target is False
    assert report.Row("rate", 30.0, "/s", target=30.0).meets_target is True
    assert report.Row("no target", 1.0, "ms").meets_target is None


def _outcomes() -> list[runner.Outcome]:
    line = report.PREFIX + '{"bench": "x", "rows": [], "peaks": {}}'
    assert report.parse(line) is not None
    result = {"bench": "transfers", "rows": TRANSFERS, "peaks": {"api": 180.5}, "problems": 0}
    return [
        runner.Outcome("transfers", "ok", seconds=61.2, log=runner.LOGS / "transfers.log",
                       results=[result]),
        runner.Outcome("api", "skipped", "/usr/bin/wrk not installed"),
    ]  # fmt: skip


def test_the_tables_show_value_baseline_ratio_target_and_the_miss() -> None:
    (_, header, figures), (_, _, memory), (_, _, runs) = runner.tables(_outcomes())

    assert header == runner.FIGURES
    assert figures[0] == [
        "transfers", "transfer end to end", "20 /s", "500 /s (ledger.post)", "0.04", "≥ 30 /s",
        "NO",
    ]  # fmt: skip
    assert figures[1][2:] == ["250 ms", "25 ms (ledger.post)", "10.00", "≤ 300 ms", "yes"]
    assert figures[2][:2] == ["api", "(skipped)"]
    assert memory == [["transfers", "api", "180"]]
    assert runs[0] == ["transfers", "ok", "61 s", "var/bench/transfers.log", "problems 0"]
    assert runs[1][:2] == ["api", "skipped"] and "wrk" in runs[1][4]


def test_text_and_markdown_tables_carry_the_same_cells() -> None:
    _, header, figures = runner.tables(_outcomes())[0]

    text = runner.render_text(header, figures).splitlines()
    markdown = runner.render_markdown(header, figures).splitlines()

    assert text[0].split() == ["bench", "figure", "value", "baseline", "(label)", "ratio",
                               "target", "meets"]  # fmt: skip
    assert "≥ 30 /s" in text[2] and text[2].rstrip().endswith("NO")
    assert markdown[1] == "| --- | --- | --- | --- | --- | --- | --- |"
    assert markdown[2].endswith("| 0.04 | ≥ 30 /s | NO |")


def test_a_bench_that_prints_no_result_or_fails_is_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # bench.report as a module runs nothing: exit 0 without a result line.
    silent = runner.run_bench(runner.Bench("report", ""), quick=True, logs=tmp_path)
    missing = runner.run_bench(runner.Bench("no_such_bench", ""), quick=True, logs=tmp_path)
    skipped = runner.run_bench(
        runner.Bench("web", "", lambda: "Chromium not found"), quick=True, logs=tmp_path
    )

    assert (silent.status, silent.reason) == ("crashed", "no BENCH-RESULT line")
    assert missing.status == "crashed" and "no_such_bench" in missing.reason
    assert (skipped.status, skipped.reason) == ("skipped", "Chromium not found")
    assert "No module named" in (tmp_path / "no_such_bench.log").read_text()

    monkeypatch.setattr(runner, "BENCHES", (runner.Bench("report", ""),))
    monkeypatch.setattr(runner, "NAMES", ("report",))
    monkeypatch.setattr(runner, "LOGS", tmp_path)
    assert runner.main(["--only", "report", "--markdown", str(tmp_path / "t.md")]) == 1
    assert "| report | crashed |" in (tmp_path / "t.md").read_text()

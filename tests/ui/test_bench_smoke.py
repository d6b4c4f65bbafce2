"""The benchmark code still runs: the cheapest figures on tiny sizes. Structure only, never a time
(bench/run.py measures; tests do not)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import polling  # noqa: E402
import pytest  # noqa: E402
import report  # noqa: E402

from tests.support.apps import sim_app  # noqa: E402
from tests.support.wait import wait_until  # noqa: E402
from tui.app.gc_freeze import loading_stage  # noqa: E402
from tui.sim import Simulator  # noqa: E402


async def test_polling_views_and_the_naive_strategy_report_every_figure() -> None:
    # Bounded: a hang in the harness fails here instead of stalling the whole suite.
    result = await asyncio.wait_for(polling.views(12, settle=2.0, list_window=8.0, pipeline_window=4.0), 120)
    listed = result["list_view"]
    assert result["pipelines"] == 12 and result["first_load_s"] >= 0
    for key in ("calls_per_min", "calls_per_s", "max_calls_in_any_second", "conforms_to_budget"):
        assert key in listed and key in result["pipeline_view"]
    assert sum(listed["served_per_min"].values()) > 0  # calls the simulator served
    assert {"rows_on_screen", "refresh_gaps", "intervals_now", "freshness"} <= set(listed)
    naive = await asyncio.wait_for(polling.naive(12, cycles=1), 120)
    assert naive["calls_per_min"]["GetPipelineState"] > 0
    assert polling.ratio(naive, listed) > 0


def test_the_report_checks_targets_and_renders_a_table() -> None:
    fake: dict[str, Any] = {
        "machine": {"cores": 2, "python": "3.11", "textual": "8"},
        "cold_start": {
            "milestones_s": {"live_first": {"median_s": 0.5}},
            "cli_loop_over_cptui_live_first": 40,
        },
        "logs": {"ingest_lines_per_s": 100, "rss_peak_mb": 50},
    }
    rows = report.targets(fake)
    met = {r["measure"]: r["met"] for r in rows}
    assert met["first live rows on screen (s)"] and met["aws CLI loop ÷ cptui (×)"]
    assert not met["lines/s ingested"] and met["peak RSS after 1M lines (MB)"]
    fake["targets"] = rows
    table = report.markdown(fake)
    assert table.startswith("Measured") and "| cold start |" in table


async def test_the_start_up_probe_writes_its_milestones_and_exits(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready = tmp_path / "ready.txt"
    monkeypatch.setenv("CPTUI_BENCH_READY_FILE", str(ready))
    monkeypatch.setenv("CPTUI_BENCH_EXIT", "live_screen")
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: not app.is_running, timeout=10)
    names = [line.split()[0] for line in ready.read_text(encoding="ascii").splitlines()]
    assert names[0] == "frame" and names[-1] == "rss"  # the peak RSS once the last one is reached
    assert {"rows", "live_first", "live_screen"} <= set(names)
    # loading stages, as the app's gc freeze sees them (it freezes only in a real terminal)
    assert loading_stage(app) >= 1

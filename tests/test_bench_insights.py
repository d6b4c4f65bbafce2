"""bench/insights.py still runs on a tiny fleet: structure only, never a time (bench/run.py measures)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import insights  # noqa: E402


async def test_insights_bench_reports_every_figure() -> None:
    result = await insights.run(pipelines=12, seconds=3.0, quota=50, settle=0.5)
    fleet, pipeline = result["fleet"], result["pipeline"]
    assert {"time_to_first_row_s", "history_pages_fetched", "pipelines_covered", "calls_per_s_all"} <= set(
        fleet
    )
    assert fleet["history_pages_fetched"] >= fleet["pipelines_covered"] > 0
    assert pipeline["time_to_first_chart_s"] >= 0 and pipeline["history_pages_fetched"] >= 1

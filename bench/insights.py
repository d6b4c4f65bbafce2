"""Insights at scale: Fleet health and Pipeline insights against the ``scale`` simulator, in real time.

The real App (default budget: 4 calls/s, burst 8) on the ``scale`` scenario (1,000 pipelines by
default) with a simulator quota of ``quota`` calls/s per account and region (it throttles beyond,
as AWS does). After the list has loaded and ``settle`` seconds more (the start-up burst is over),
`H` opens Fleet health for ``seconds``; then one pipeline's insights screen. Measured: time to the
first fleet row and to the first duration chart, history pages fetched, pipelines covered, the
App's calls per second over the window against its budget, and the throttles the simulator sent
(none: the budget held).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from driven import CREDENTIALS, EAST, SIZE

from tui.app.application import CptuiApp
from tui.aws import create_service
from tui.core.config import Config, GeneralConfig
from tui.sim import RealClock, Simulator

SAMPLE = 0.05


async def run(
    pipelines: int = 1000, seconds: float = 30.0, quota: int = 10, settle: float = 8.0
) -> dict[str, Any]:
    from tui.ui.screens.fleet_health import FleetHealthScreen
    from tui.ui.screens.insights import InsightsScreen

    sim = Simulator(scenario="scale", seed=7, clock=RealClock(), pipelines=pipelines, faults=f"tps={quota}")
    await sim.start()
    service = create_service(EAST, endpoint_url=sim.url, credentials=CREDENTIALS)
    result: dict[str, Any] = {"pipelines": pipelines, "quota_calls_per_s": quota, "seconds": seconds}
    with tempfile.TemporaryDirectory(prefix="cptui-bench-") as tmp:
        config = Config(general=GeneralConfig(audit_log=Path(tmp) / "audit.jsonl"))
        app = CptuiApp([service], config)
        try:
            async with app.run_test(size=SIZE) as pilot:
                deadline = time.monotonic() + 60
                while len(app.store.rows()) < pipelines and time.monotonic() < deadline:
                    await pilot.pause(SAMPLE)
                # The start-up burst (the rows on screen, read at once) is over before the window.
                settle_end = time.monotonic() + settle
                while time.monotonic() < settle_end:
                    await pilot.pause(SAMPLE)
                calls_before = sum(app.poller.calls.values())
                throttles_before = sim.fault_counts.get("tps", 0)
                opened = time.monotonic()
                fleet = FleetHealthScreen()
                await app.push_screen(fleet)
                first_row = None
                end = opened + seconds
                while time.monotonic() < end:
                    await pilot.pause(SAMPLE)
                    if first_row is None and app.insights.fleet_rows:
                        first_row = time.monotonic() - opened
                elapsed = time.monotonic() - opened
                covered = sum(1 for r in app.insights.fleet_snapshot() if r.known)
                calls = sum(app.poller.calls.values()) - calls_before
                result["fleet"] = {
                    "time_to_first_row_s": round(first_row, 3) if first_row is not None else None,
                    "history_pages_fetched": app.insights.pages,
                    "pipelines_covered": covered,
                    "coverage_share": round(covered / pipelines, 4),
                    "calls_per_s_all": round(calls / elapsed, 3),
                    "budget_calls_per_s": config.polling.tps,
                    "throttles_sent_by_simulator": sim.fault_counts.get("tps", 0) - throttles_before,
                }
                fleet.workers.cancel_all()
                await app.pop_screen()
                name = app.store.rows()[0].name
                pages = app.insights.pages
                opened = time.monotonic()
                screen = InsightsScreen(EAST, name)
                await app.push_screen(screen)
                while screen.insights is None and time.monotonic() - opened < 60:
                    await pilot.pause(0.01)
                chart = time.monotonic() - opened
                while screen.busy_note and time.monotonic() - opened < 120:
                    await pilot.pause(SAMPLE)
                result["pipeline"] = {
                    "time_to_first_chart_s": round(chart, 3),
                    "time_to_all_actions_s": round(time.monotonic() - opened, 3),
                    "history_pages_fetched": app.insights.pages - pages,
                    "action_pages": app.insights.action_pages,
                    "action_reads": app.insights.action_reads,
                }
        finally:
            await service.close()
            await sim.stop()
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(asyncio.run(run(seconds=15.0)), indent=2))

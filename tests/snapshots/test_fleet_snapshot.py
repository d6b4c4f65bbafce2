"""SVG snapshot of the fleet list (the demo's two accounts and two regions, grouped by target) at
120x36; the simulator's ManualClock never moves, so relative times stay still."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.support.apps import PIPELINES, SHARED_ACCOUNT, sim_app, wait_fleet
from tests.support.wait import wait_until
from tui.sim import Simulator
from tui.ui.screens.pipelines import PipelinesScreen


def test_fleet_grouped_120x36(snap_compare: Any, threaded_sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(threaded_sim, tmp_path, fleet=True)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_fleet(pilot, app)
        await wait_until(pilot, lambda: SHARED_ACCOUNT in app.targets_view.aliases)
        await pilot.press("g")
        screen = app.screen
        assert isinstance(screen, PipelinesScreen)
        rows = sum(PIPELINES.values()) + 3  # every pipeline and a heading per target
        await wait_until(pilot, lambda: screen.grouped and screen.table.row_count == rows)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)

"""SVG snapshots of the pipeline, history and execution screens, clock frozen.

``snap_compare`` runs the app on its own event loop, so the simulator serves from a thread; its
ManualClock never moves, which keeps "3m ago" still. The App's clock is that same ManualClock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.apps import EAST, open_pipeline, sim_app
from tests.support.wait import wait_until
from tui.app.application import CptuiApp
from tui.core.model import ExecutionSummary
from tui.sim import Simulator
from tui.ui.screens.execution import ExecutionScreen
from tui.ui.screens.history import PAGE_SIZE, HistoryScreen


async def latest_of(pilot: Pilot[Any], app: CptuiApp, pipeline: str) -> ExecutionSummary:
    """The pipeline's latest execution, once the app has read it."""
    await wait_until(pilot, lambda: app.store.latest_execution(EAST, pipeline) is not None, timeout=10)
    latest = app.store.latest_execution(EAST, pipeline)
    assert latest is not None
    return latest


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
def test_pipeline_screen(
    snap_compare: Any, threaded_sim: Simulator, tmp_path: Path, size: tuple[int, int]
) -> None:
    """order-service: eight stages, parallel actions, the failed Integration stage selected."""
    app = sim_app(threaded_sim, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_pipeline(pilot, app, "order-service")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_pipeline_screen_disabled_transition(
    snap_compare: Any, threaded_sim: Simulator, tmp_path: Path
) -> None:
    """infra-network: the Production transition disabled with a reason, one execution waiting."""
    app = sim_app(threaded_sim, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_pipeline(pilot, app, "infra-network")

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_history_screen(snap_compare: Any, threaded_sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(threaded_sim, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await latest_of(pilot, app, "web-frontend")
        screen = HistoryScreen(EAST, "web-frontend")
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.table.row_count == PAGE_SIZE, timeout=10)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_execution_screen(snap_compare: Any, threaded_sim: Simulator, tmp_path: Path) -> None:
    """web-frontend's latest execution: E2E-Tests failed, diff against the last success."""
    app = sim_app(threaded_sim, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        latest = await latest_of(pilot, app, "web-frontend")
        screen = ExecutionScreen(EAST, "web-frontend", latest.execution_id)
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.diff is not None and screen.table.row_count > 0, timeout=10)

        def in_stage_order() -> bool:
            # Once the definition is in the store the rows follow the pipeline's stage order.
            stages = [screen.actions[k].stage_name for k in screen.table.row_keys_in_order()]
            return stages == ["Test", "Source", "Build", "Test"]

        await wait_until(pilot, in_stage_order, timeout=10)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)

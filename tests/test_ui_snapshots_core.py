"""SVG snapshots of the pipelines list at 120x36 and 80x24, and the help screen; clock frozen.

``snap_compare`` runs the app on its own event loop, so the simulator serves from a thread; its
ManualClock never moves (the app shares it), which keeps "12m ago" and "updated 0s ago" still.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from uifixtures import make_app, threaded_sim, wait_loaded  # noqa: F401  (threaded_sim: a fixture)
from uiwait import wait_until

from tui.sim import Simulator
from tui.ui.screens.help import HelpScreen


def test_pipelines_120x36(snap_compare: Any, threaded_sim: Simulator, tmp_path: Path) -> None:  # noqa: F811
    app = make_app(threaded_sim, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot, app)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_pipelines_80x24(snap_compare: Any, threaded_sim: Simulator, tmp_path: Path) -> None:  # noqa: F811
    app = make_app(threaded_sim, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot, app)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_pipelines_filtered(snap_compare: Any, threaded_sim: Simulator, tmp_path: Path) -> None:  # noqa: F811
    app = make_app(threaded_sim, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"status:failed")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_help(snap_compare: Any, threaded_sim: Simulator, tmp_path: Path) -> None:  # noqa: F811
    app = make_app(threaded_sim, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot, app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)

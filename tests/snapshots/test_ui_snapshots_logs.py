"""Snapshot of the log screen opened for triage (the rest of the log screen: tests/ui/test_ui_logs.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.support.apps import EAST
from tests.support.wait import wait_until
from tests.ui.test_ui_logs import ACTION_ERROR, failed_e2e_build, logs_app
from tui.sim import Simulator
from tui.ui.screens.logs import LogScreen


def test_triage_snapshot(snap_compare: Any, threaded_sim: Simulator, tmp_path: Path) -> None:
    """A failed test build opened for triage: header, phases, the failure callout, the first error."""
    app = logs_app(threaded_sim, tmp_path)
    build = failed_e2e_build(threaded_sim)

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = LogScreen(EAST, build.id, error_message=ACTION_ERROR, jump_to_error=True)
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.finished and screen.view.cursor is not None, timeout=10)
        await pilot.pause()
        # The jump centres the error line in the view as laid out at that moment; the header can
        # still grow by a row afterwards, which would shift the picture by one line between runs.
        screen.view.center_cursor()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)

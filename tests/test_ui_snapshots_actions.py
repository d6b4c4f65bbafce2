"""SVG snapshots of the approval dialog and the approvals inbox, 120x36, clock frozen.

``snap_compare`` runs the app on its own event loop, so the simulator serves from a thread here; its
ManualClock never moves, which keeps "12m ago" and "time left" still.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from action_helpers import EAST, WEST, make_app, open_pipeline, wait_for_screen
from simfixtures import START
from textual.pilot import Pilot
from uiwait import wait_until

from tui.sim import ManualClock, Simulator
from tui.ui.screens.approvals import ApprovalsScreen
from tui.ui.screens.dialogs import ApprovalDialog

SIZE = (120, 36)


@pytest.fixture
def threaded_sim() -> Iterator[Simulator]:
    simulator = Simulator(scenario="demo", seed=7, clock=ManualClock(start=START))
    handle = simulator.start_in_thread()
    yield simulator
    handle.stop()


def test_approval_dialog(snap_compare: Any, threaded_sim: Simulator, tmp_path: Path) -> None:
    app = make_app(threaded_sim, tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await open_pipeline(pilot, app, "payments-api-prod", "Approval", "Approve-Production")
        # Everything under the dialog loaded too, so the picture does not depend on timing.
        await wait_until(pilot, lambda: screen.execution is not None, timeout=10)
        await pilot.press("a")
        await wait_for_screen(pilot, app, ApprovalDialog)
        await pilot.press(*"Staging p99 flat for 1h")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_approvals_inbox(snap_compare: Any, threaded_sim: Simulator, tmp_path: Path) -> None:
    app = make_app(threaded_sim, tmp_path, targets=(EAST, WEST))

    async def run_before(pilot: Pilot[Any]) -> None:
        def loaded() -> bool:
            approvals = app.store.approvals()
            return len(approvals) == 2 and all(
                app.store.latest_execution(a.target, a.pipeline_name) is not None and a.expires_at is not None
                for a in approvals
            )

        await wait_until(pilot, loaded, timeout=10)
        # Every pipeline read: the title says "2", not "2 known" with a line on what is not read.
        await wait_until(pilot, lambda: app.store.coverage(app.now()).complete, timeout=10)
        await pilot.press("A")
        inbox = await wait_for_screen(pilot, app, ApprovalsScreen)
        await wait_until(pilot, lambda: inbox.table.row_count == 2)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

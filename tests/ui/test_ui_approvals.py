"""The approvals inbox (`A`): every pending approval across targets, answered through the same dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.support.apps import EAST, WEST, operator_notices, sim_app, wait_for_result, wait_for_screen
from tests.support.dialogs import answer_approval
from tests.support.notices import told
from tests.support.wait import wait_for_text, wait_until
from tui.app.application import CptuiApp
from tui.core.actions import Outcome
from tui.sim import Simulator
from tui.ui.screens.approvals import NONE_WAITING, ApprovalsScreen
from tui.ui.screens.dialogs import ApprovalDialog


async def open_inbox(pilot: Pilot[Any], app: CptuiApp, count: int) -> ApprovalsScreen:
    await wait_until(pilot, lambda: len(app.store.approvals()) >= count, timeout=10)
    await pilot.press("A")
    inbox: ApprovalsScreen = await wait_for_screen(pilot, app, ApprovalsScreen)
    await wait_until(pilot, lambda: inbox.table.row_count == count)
    return inbox


async def test_inbox_lists_pending_approvals_of_every_target_oldest_first(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path, targets=(EAST, WEST))
    async with app.run_test(size=(120, 36)) as pilot:
        inbox = await open_inbox(pilot, app, 2)
        rows = [inbox._approvals[key] for key in inbox.table.row_keys_in_order()]
        assert {(r.target, r.pipeline_name) for r in rows} == {
            (EAST, "payments-api-prod"),
            (WEST, "payments-api-dr"),
        }
        since = [r.waiting_since for r in rows]
        assert None not in since and since == sorted(since)  # type: ignore[type-var]
        # (every pipeline read: "2", not "2 known")
        text = await wait_for_text(pilot, "Approvals waiting  2 ", timeout=15)
        assert "Approval / Approve-Production" in text
        assert "Time left" in text and "Waiting" in text
        # The hidden "none" line holds no "none" either: a frame drawn before the layout drops it
        # must not say "No approval is waiting." under two listed approvals.
        empty = inbox.query_one("#approvals-empty", Static)
        assert not empty.display and NONE_WAITING not in str(empty.render())


@pytest.mark.slow
async def test_approve_from_the_inbox_and_the_row_goes(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, targets=(EAST, WEST))
    async with app.run_test(size=(120, 36)) as pilot:
        inbox = await open_inbox(pilot, app, 2)
        first = inbox.selected
        assert first is not None
        await pilot.press("a")
        dialog = await wait_for_screen(pilot, app, ApprovalDialog)
        assert dialog.approval == first
        await answer_approval(pilot, "checked dashboards")
        result = await wait_for_result(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED, operator_notices(app)
        await wait_until(pilot, lambda: app.screen is inbox and inbox.table.row_count == 1, timeout=10)
        (left,) = inbox._approvals.values()
        assert (left.target, left.pipeline_name) != (first.target, first.pipeline_name)
    assert sim.calls["PutApprovalResult"] == 1
    world = sim.engine.world(region=first.target.region)
    assert all(p.pipeline != first.pipeline_name for p in world.pending_approvals())


@pytest.mark.slow
async def test_enter_opens_the_same_dialog_and_escape_sends_nothing(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        inbox = await open_inbox(pilot, app, 1)
        await pilot.press("enter")
        await wait_for_screen(pilot, app, ApprovalDialog)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is inbox)
    assert sim.calls["PutApprovalResult"] == 0


async def test_inbox_in_read_only_mode_offers_no_answer(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        inbox = await open_inbox(pilot, app, 1)
        assert inbox.check_action("approve", ()) is False
        await pilot.press("a", "enter")
        await pilot.pause()
        assert app.screen is inbox
        # Each key says why it does nothing, in one line.
        await wait_until(
            pilot,
            lambda: sum(str(n.message).startswith("read-only: approving") for n in told(app)) >= 1,
        )
    assert sim.calls["PutApprovalResult"] == 0

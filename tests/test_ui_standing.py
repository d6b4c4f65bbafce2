"""One status derivation (``Standing``): the list, the pipeline screen's graph and panel, and the
approvals inbox say the same thing about a pipeline; and the inbox's layout (80x24, widen, `g`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from action_helpers import EAST, close_services, make_app, open_pipeline, wait_for_screen
from screen_text import screen_lines, screen_text
from textual.geometry import Region
from textual.pilot import Pilot
from uifixtures import wait_loaded
from uiwait import wait_for_text, wait_until

from tui.app.application import CptuiApp
from tui.core.model import StandingKind
from tui.sim import Simulator
from tui.ui.screens.approvals import ApprovalsScreen
from tui.ui.screens.dialogs import ApprovalDialog, time_left
from tui.ui.screens.pipeline import PipelineScreen
from tui.ui.widgets.execution_panel import ExecutionPanel

HELD = "infra-network"  # held before Production by a disabled transition (demo world)
WAITING = "payments-api-prod"  # a manual approval waits in its Approval stage


@pytest.fixture(autouse=True)
async def _close_services() -> AsyncIterator[None]:
    yield
    await close_services()


def row_line(app: CptuiApp, name: str) -> str:
    return next(line for line in screen_lines(app) if f" {name} " in line)


def panel_text(screen: PipelineScreen) -> str:
    return "\n".join(line.plain for line in screen.query_one(ExecutionPanel).lines())


def box_text(screen: PipelineScreen, stage: str) -> str:
    return "\n".join(line.plain for line in screen.graph.boxes[stage]._lines())


async def test_list_and_pipeline_screen_agree_on_an_execution_held_at_a_disabled_transition(
    sim: Simulator, tmp_path: Path
) -> None:
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        # (held is known once the state is read too, which may come a poll after the row loads)
        await wait_until(pilot, lambda: app.store.row(EAST, HELD).standing.kind is StandingKind.HELD)  # type: ignore[union-attr]
        await wait_until(pilot, lambda: "⊘ Held" in row_line(app, HELD))
        line = row_line(app, HELD)
        assert "Production" in line and "Running" not in line
        screen = await open_pipeline(pilot, app, HELD)
        text = await wait_for_text(pilot, "⊘ Held at the disabled transition into Production")
        await wait_until(pilot, lambda: "⊘ Held" in panel_text(screen))  # the panel repaints after the title
        assert "● Running" not in panel_text(screen)
        assert "inbound disabled" in text


async def test_list_and_pipeline_screen_agree_on_a_waiting_approval_with_its_time_left(
    sim: Simulator, tmp_path: Path
) -> None:
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await wait_until(pilot, lambda: "⏸ Approval" in row_line(app, WAITING))
        screen = await open_pipeline(pilot, app, WAITING)
        (approval,) = [a for a in app.store.approvals(EAST) if a.pipeline_name == WAITING]
        left = time_left(approval, app.now()).plain
        await wait_for_text(pilot, f"⏸ Waiting for approval in {approval.stage_name} · {left} left")
        await wait_until(pilot, lambda: "⏸ Approval" in box_text(screen, approval.stage_name))
        box = box_text(screen, approval.stage_name)
        assert left in box and "Running" not in box
        assert "⏸ Approval" in panel_text(screen) and "● Running" not in panel_text(screen)


# --- the inbox's layout ----------------------------------------------------------------------------


async def open_inbox(pilot: Pilot[Any], app: CptuiApp) -> ApprovalsScreen:
    await wait_until(pilot, lambda: bool(app.store.approvals()), timeout=10)
    await pilot.press("A")
    inbox: ApprovalsScreen = await wait_for_screen(pilot, app, ApprovalsScreen)
    await wait_until(pilot, lambda: inbox.table.row_count >= 1)
    return inbox


async def test_inbox_at_80x24_shows_the_time_left(sim: Simulator, tmp_path: Path) -> None:
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = await open_inbox(pilot, app)
        approval = inbox.selected
        assert approval is not None
        left = time_left(approval, app.now()).plain
        header = await wait_for_text(pilot, "Time left")
        line = next(line for line in header.splitlines() if WAITING in line)
        assert left in line


async def test_inbox_after_a_widen_is_not_left_scrolled_sideways(sim: Simulator, tmp_path: Path) -> None:
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = await open_inbox(pilot, app)
        await pilot.press("right", "right", "right", "right", "right")
        await wait_until(pilot, lambda: inbox.table.scroll_x > 0)
        await pilot.resize_terminal(120, 36)  # wider, but not wide enough for every column
        await wait_until(pilot, lambda: inbox.table.scroll_x == 0)
        await wait_for_text(pilot, " Pipeline ", WAITING)


async def test_approval_dialog_opens_at_the_top_on_a_short_terminal(sim: Simulator, tmp_path: Path) -> None:
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_inbox(pilot, app)
        await pilot.press("enter")
        dialog = await wait_for_screen(pilot, app, ApprovalDialog)
        await wait_for_text(pilot, "Pipeline", "Stage", "Action")
        for _ in range(5):  # and stays there (no late scroll to the focused field)
            await pilot.pause(0.02)
        body = dialog.query_one("#dialog-body")
        assert body.scroll_y == 0
        text = screen_text(app)
        assert f"Pipeline     {WAITING}" in text
        # The focused summary and the buttons are in view too, below the scrolling details: the
        # first key typed lands in a field the approver can see.
        screen = Region(0, 0, 80, 24)
        field = dialog.query_one("#approval-summary")
        assert app.focused is field
        for widget in (field, dialog.query_one("#choice-approve"), dialog.query_one("#choice-reject")):
            assert widget.region.height > 0 and screen.contains_region(widget.region), widget
        assert "Summary (required)" in text and "Approve" in text and "Reject" in text
        await pilot.press("x")
        await wait_until(pilot, lambda: dialog.summary == "x")
        assert body.scroll_y == 0  # typing did not scroll the details away
        await pilot.press("escape")
    assert sim.calls["PutApprovalResult"] == 0


async def test_g_or_enter_on_the_pipeline_column_opens_the_pipeline(sim: Simulator, tmp_path: Path) -> None:
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        inbox = await open_inbox(pilot, app)
        await pilot.press("g")
        screen = await wait_for_screen(pilot, app, PipelineScreen)
        assert screen.pipeline_name == WAITING
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is inbox)
        await pilot.press("left", "enter")
        screen = await wait_for_screen(pilot, app, PipelineScreen)
        assert screen.pipeline_name == WAITING
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is inbox)
        await pilot.press("right", "enter")  # off the Pipeline column, enter answers the approval
        await wait_for_screen(pilot, app, ApprovalDialog)
        await pilot.press("escape")
    assert sim.calls["PutApprovalResult"] == 0

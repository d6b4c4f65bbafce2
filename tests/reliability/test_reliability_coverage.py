"""Unknown is never drawn as "none": the approvals inbox and the summary line against a closed port,
a denied GetPipelineState, heavy throttling and a failing service — while an approval is waiting
(payments-api-prod / Approval / Approve-Production in the demo world).

The inbox may say "No approval is waiting." only when every pipeline in scope was read successfully
and recently; otherwise it shows what it knows and how many pipelines are not read, and why.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.apps import EAST, service_at
from tests.support.rig import Rig, drive, make_rig, running, step
from tests.support.strips import settled
from tests.support.wait import flat_text
from tui.sim import Simulator
from tui.ui.screens.approvals import NONE_WAITING, ApprovalsScreen
from tui.ui.screens.pipelines import PipelinesScreen

APPROVAL = "payments-api-prod"


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def open_inbox(pilot: Pilot[Any], rig: Rig) -> ApprovalsScreen:
    app = rig.app
    await drive(pilot, rig, lambda: isinstance(app.screen, PipelinesScreen), every=0.5)
    await pilot.press("A")
    await drive(pilot, rig, lambda: isinstance(app.screen, ApprovalsScreen), every=0.5)
    screen = app.screen
    assert isinstance(screen, ApprovalsScreen)
    return screen


def inbox_says(rig: Rig, *words: str) -> bool:
    text = flat_text(rig.app)
    return all(word in text for word in words)


async def test_closed_port_the_inbox_says_nothing_was_read_and_why(sim: Simulator, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    service = service_at(url, read_timeout=2.0)
    rig = make_rig(sim, tmp_path, services=[service])
    app = rig.app
    async with app.run_test(size=(120, 36)) as pilot:
        await drive(pilot, rig, lambda: app.store.freshness(EAST).stale_reason is not None, every=0.5)
        await open_inbox(pilot, rig)
        await drive(pilot, rig, lambda: inbox_says(rig, "not read"), every=0.5)
        text = flat_text(app)
        assert NONE_WAITING not in text
        assert "pipeline list of" in text and "cannot reach" in text
        assert "approvals may be waiting" in text
    assert not rig.unexpected()


@pytest.mark.parametrize(
    ("faults", "why"),
    [
        ("deny=GetPipelineState", "access denied"),
        ("throttle=1@GetPipelineState", "throttled"),
        ("5xx=1@GetPipelineState", "service unavailable"),
    ],
)
async def test_a_failing_get_pipeline_state_is_not_counted_as_no_approval(
    sim: Simulator, tmp_path: Path, faults: str, why: str
) -> None:
    async with running(sim, tmp_path, faults=faults) as (rig, app, pilot):
        # The list and the latest executions come; the state (where approvals are) never does.
        await drive(
            pilot,
            rig,
            lambda: bool(app.store.rows()) and all(r.loaded for r in app.store.rows()),
            every=0.5,
        )
        assert app.store.state(EAST, APPROVAL) is None
        await open_inbox(pilot, rig)

        # Time passes under the fault: the inbox must never say "none" meanwhile, and soon says why.
        def never_none_and_says_why() -> bool:
            text = flat_text(app)
            assert NONE_WAITING not in text
            return why in text and "not read" in text

        await drive(pilot, rig, never_none_and_says_why, every=0.5, seconds=300)
        for _ in range(20):  # and it stays so
            await drive(pilot, rig, lambda: True, every=0.5)
            rig.clock.advance(1.0)
            rig.mono.advance(1.0)
            assert NONE_WAITING not in flat_text(app)
        assert "Approvals waiting 0 known" in flat_text(app)
        assert "approvals may be waiting there" in flat_text(app)
        # The list's summary line does not count it as "0 waiting" either.
        await pilot.press("escape")
        await drive(pilot, rig, lambda: isinstance(app.screen, PipelinesScreen), every=0.5)
        await drive(pilot, rig, lambda: inbox_says(rig, "waiting for approval", "not read:", why), every=0.5)
        text = flat_text(app)
        assert "⏸ 0+? waiting for approval" in text
        assert "not read:" in text and why in text


async def test_all_read_the_inbox_lists_the_approval_and_no_warning(sim: Simulator, tmp_path: Path) -> None:
    async with running(sim, tmp_path) as (rig, app, pilot):
        await drive(pilot, rig, lambda: bool(app.store.approvals()), every=0.5)
        await drive(pilot, rig, lambda: app.store.coverage(app.now()).complete, every=0.5)
        await open_inbox(pilot, rig)
        await drive(pilot, rig, lambda: inbox_says(rig, APPROVAL), every=0.5)
        text = flat_text(app)
        assert "Approvals waiting 1 oldest first" in text
        assert "not read" not in text and NONE_WAITING not in text


@pytest.mark.slow
async def test_under_heavy_throttling_the_inbox_shows_the_approval_or_says_what_is_not_read(
    sim: Simulator, tmp_path: Path
) -> None:
    async with running(sim, tmp_path, faults="throttle=0.8") as (rig, app, pilot):
        await open_inbox(pilot, rig)

        checked = 0

        def never_says_none() -> bool:
            # Only a settled screen: one read while a layout is pending shows the new rows in the
            # old layout (the table's row not placed yet), a frame nobody is left looking at.
            nonlocal checked
            if not settled(app):
                return False
            checked += 1
            text = flat_text(app)
            assert NONE_WAITING not in text
            assert APPROVAL in text or "not read" in text, text
            return APPROVAL in text

        # Five simulated minutes of 80% throttling, checked at every settled step: never "none",
        # always the approval or why not. (Whether the approval gets through in that time depends
        # on botocore's retries, which sleep in real time: not something to wait for.)
        for _ in range(600):
            never_says_none()
            await step(pilot, rig, 0.5)
        assert checked >= 100, checked  # the steps were checked, not skipped
        # The throttling ends: the approval is read and shown, and still never "none" meanwhile.
        sim.set_faults("")
        await drive(pilot, rig, never_says_none, every=0.5, seconds=600)

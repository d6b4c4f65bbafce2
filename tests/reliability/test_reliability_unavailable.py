"""An endpoint that lacks one operation (issue 11, section 2).

An emulator answered every GetPipelineState with 500 and cptui said "service unavailable,
retrying" forever (60 calls in 70 s for 2 pipelines). Through the real aiobotocore client against
the simulator's ``unimplemented=GetPipelineState`` fault: after three identical failures while
other calls work, the operation rests for minutes, the user is told once that the endpoint does
not offer it, and it is tried again afterwards (it works once the endpoint has it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.support.apps import EAST
from tests.support.rig import Rig, drive, open_pipeline, running, step
from tests.support.wait import flat_text
from tui.app.application import CptuiApp
from tui.sim import Simulator

SAYS = "GetPipelineState is not available from this endpoint"
PAUSE = 300.0  # PollSettings.unavailable_pause: "trying again every 5 min"


def state_calls(rig: Rig) -> int:
    """GetPipelineState calls the poller started (one may finish later: botocore retries a 500)."""
    return rig.app.poller.calls["GetPipelineState"]


def told(rig: Rig) -> list[str]:
    return [message for message, *_ in rig.notices if SAYS in message]


@asynccontextmanager
async def told_it_is_missing(
    sim: Simulator, tmp_path: Path
) -> AsyncIterator[tuple[Rig, CptuiApp, Pilot[None]]]:
    """The app on an endpoint without GetPipelineState, once the user has been told (nothing else
    unexpected by the end)."""
    async with running(sim, tmp_path, faults="unimplemented=GetPipelineState") as (rig, app, pilot):
        await drive(pilot, rig, lambda: told(rig), seconds=300, every=0.5)
        yield rig, app, pilot


@pytest.mark.slow
async def test_an_operation_the_endpoint_lacks_rests_for_minutes_and_is_named_once(
    sim: Simulator, tmp_path: Path
) -> None:
    async with told_it_is_missing(sim, tmp_path) as (rig, app, pilot):
        assert told(rig) == [f"{SAYS} (InternalFailure); trying again every 5 min"]
        assert "service unavailable" not in told(rig)[0]
        # (Calls already under way finish - botocore retries a 500 in real time - before counting.)
        await drive(pilot, rig, lambda: app.poller.in_flight == 0, seconds=5, every=0.01)
        before = state_calls(rig)
        assert before <= 25  # a few at start-up (the first loads went out together), then it stopped
        # Resting: nothing for most of the pause, however many pipelines run.
        for _ in range(int((PAUSE - 60) / 5)):
            await step(pilot, rig, 5)
        assert state_calls(rig) == before, "GetPipelineState was called while resting"
        # Tried again after the pause, failing the same way: rested again at once, not told again.
        await drive(pilot, rig, lambda: state_calls(rig) > before, seconds=PAUSE + 60, every=5)
        again = state_calls(rig)
        assert again - before <= 6  # (one dispatch burst)
        # The endpoint learns the operation: the next try after the pause brings the state.
        sim.set_faults("")
        await drive(
            pilot,
            rig,
            lambda: any(app.store.state(EAST, row.name) is not None for row in app.store.rows()),
            seconds=PAUSE + 60,
            every=5,
        )
        assert len(told(rig)) == 1


@pytest.mark.slow
async def test_the_pipeline_screen_says_the_state_is_not_available_rather_than_loading(
    sim: Simulator, tmp_path: Path
) -> None:
    async with told_it_is_missing(sim, tmp_path) as (rig, app, pilot):
        screen = await open_pipeline(pilot, rig, "web-frontend")
        await drive(pilot, rig, lambda: SAYS in flat_text(app), seconds=30, every=0.5)
        await drive(pilot, rig, lambda: "state not read" in flat_text(app), seconds=10, every=0.5)
        assert "loading state" not in flat_text(app)  # unknown, and said why: not "loading"
        assert screen.is_mounted

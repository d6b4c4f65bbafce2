"""Errors and loading markers belong to the datum they describe (issue 11, section 2).

Through the real aiobotocore client against the simulator: a read fails (the simulator refuses
it), its error shows and no "Loading…" stands under it; the fault goes, and the error goes as soon
as the poller shows the endpoint answering and the read is made again - not when the execution
next changes (it showed for 25 s after the data refreshed). Simulated time moves; the pipelines
used here have finished, so nothing about them changes meanwhile.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.apps import EAST, all_loaded
from tests.support.rig import Rig, drive, open_pipeline, running
from tests.support.wait import flat_text
from tui.sim import Simulator
from tui.ui.screens.execution import ExecutionScreen
from tui.ui.screens.history import HistoryScreen

PIPELINE = "web-frontend"  # its latest execution failed: it stays as it is


async def _latest_id(pilot: object, rig: Rig) -> str:
    app = rig.app
    await drive(pilot, rig, lambda: all_loaded(app), every=0.5)  # type: ignore[arg-type]
    latest = app.store.latest_execution(EAST, PIPELINE)
    assert latest is not None and latest.status.is_terminal
    return latest.execution_id


async def test_pipeline_screen_execution_error_goes_when_the_read_succeeds_again(
    sim: Simulator, tmp_path: Path
) -> None:
    async with running(sim, tmp_path, faults="deny=GetPipelineExecution") as (rig, app, pilot):
        latest = await _latest_id(pilot, rig)
        screen = await open_pipeline(pilot, rig, PIPELINE)
        await drive(
            pilot, rig, lambda: "Could not load execution" in (screen.execution_note or ""), every=0.5
        )
        await drive(pilot, rig, lambda: "Could not load execution" in flat_text(app), seconds=5, every=0.1)
        assert "Loading execution details…" not in flat_text(app)
        sim.set_faults("")
        await drive(
            pilot,
            rig,
            lambda: screen.execution is not None and "Could not load execution" not in flat_text(app),
            seconds=20,
            every=0.5,
        )
        assert screen.execution_note is None
        assert app.store.latest_execution(EAST, PIPELINE).execution_id == latest  # type: ignore[union-attr]


async def test_execution_screen_shows_no_loading_marker_under_its_error_and_recovers(
    sim: Simulator, tmp_path: Path
) -> None:
    async with running(sim, tmp_path) as (rig, app, pilot):
        latest = await _latest_id(pilot, rig)
        sim.set_faults("deny=ListActionExecutions")
        screen = ExecutionScreen(EAST, PIPELINE, latest)
        await app.push_screen(screen)
        await drive(pilot, rig, lambda: "Could not load execution" in flat_text(app), seconds=10, every=0.2)
        text = flat_text(app)
        assert "Loading…" not in text
        assert "Looking for the last successful execution" not in text
        sim.set_faults("")
        await drive(
            pilot,
            rig,
            lambda: screen.table.row_count > 0 and "Could not load execution" not in flat_text(app),
            seconds=20,
            every=0.5,
        )
        await drive(pilot, rig, lambda: screen.diff is not None, seconds=20, every=0.5)
        assert "Looking for the last successful execution" not in flat_text(app)


async def test_history_shows_no_loading_marker_under_its_error_and_recovers(
    sim: Simulator, tmp_path: Path
) -> None:
    async with running(sim, tmp_path) as (rig, app, pilot):
        await _latest_id(pilot, rig)
        sim.set_faults("deny=ListPipelineExecutions")
        screen = HistoryScreen(EAST, PIPELINE)
        await app.push_screen(screen)
        await drive(pilot, rig, lambda: "Could not list executions" in flat_text(app), seconds=10, every=0.2)
        assert "Loading executions…" not in flat_text(app)
        sim.set_faults("")
        await drive(
            pilot,
            rig,
            lambda: screen.table.row_count > 0 and "Could not list executions" not in flat_text(app),
            seconds=30,
            every=0.5,
        )


@pytest.mark.slow
async def test_pipeline_graph_says_the_definition_could_not_be_read_rather_than_loading(
    sim: Simulator, tmp_path: Path
) -> None:
    from tui.ui.screens.pipeline import PipelineScreen

    async with running(sim, tmp_path, faults="deny=GetPipeline") as (rig, app, pilot):
        await _latest_id(pilot, rig)
        screen = PipelineScreen(EAST, PIPELINE)
        await app.push_screen(screen)
        await drive(pilot, rig, lambda: "could not be read" in flat_text(app), seconds=30, every=0.5)
        text = flat_text(app)
        assert "access denied: missing codepipeline:GetPipeline" in text
        assert "Loading the pipeline definition…" not in text
        sim.set_faults("")
        # (A denied poll waits its pause; the definition comes with the next try. The bound is
        # generous: on a busy machine simulated time ran past 400 s before the read was answered.)
        await drive(pilot, rig, lambda: bool(screen.graph.boxes), seconds=1200, every=5)
        # The marker goes with the repaint that draws the boxes (wait for it, not one frame early).
        await drive(pilot, rig, lambda: "could not be read" not in flat_text(app), seconds=10, every=0.5)

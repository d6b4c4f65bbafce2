"""`f` in the history: only the executions that succeeded in a chosen stage (ListPipelineExecutions'
succeededInStage filter), through the real client against the simulator; esc shows all again."""

from __future__ import annotations

from pathlib import Path

from tests.support.apps import open_dialog, sim_app, wait_for_screen
from tests.support.sim import aio_client
from tests.support.wait import wait_for_text, wait_until
from tui.sim import Simulator
from tui.ui.screens.history import HistoryScreen, StageChooser


async def test_history_filtered_to_executions_that_succeeded_in_a_stage(
    sim: Simulator, tmp_path: Path
) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        every = (await cp.list_pipeline_executions(pipelineName="web-frontend", maxResults=100))[
            "pipelineExecutionSummaries"
        ]
        passed = (
            await cp.list_pipeline_executions(
                pipelineName="web-frontend",
                maxResults=100,
                filter={"succeededInStage": {"stageName": "Test"}},
            )
        )["pipelineExecutionSummaries"]
    expected = {e["pipelineExecutionId"] for e in passed}
    assert 0 < len(expected) < len(every)  # the filter leaves some out
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        history = await open_dialog(pilot, app, "h", HistoryScreen, "web-frontend")
        await wait_until(pilot, lambda: len(history.executions) >= min(len(every), 25), timeout=10)
        await pilot.press("f")
        await wait_for_screen(pilot, app, StageChooser)
        await pilot.press("down", "down", "down", "enter")  # All, Source, Build, Test
        await wait_until(pilot, lambda: history.succeeded_in == "Test")
        await wait_until(pilot, lambda: set(history.executions) == expected, timeout=10)
        await wait_for_text(pilot, "succeeded in Test")
        await pilot.press("escape")  # clears the filter first
        await wait_until(
            pilot, lambda: history.succeeded_in is None and len(history.executions) > len(expected)
        )
        assert app.screen is history

"""Access denied for one IAM action: the screen that needed it names the missing permission and
everything else keeps working (the list, the graph, the other screens)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.apps import EAST, all_loaded
from tests.support.rig import Rig, drive, open_pipeline, running
from tests.support.wait import flat_text, wait_until
from tui.sim import Simulator
from tui.ui.screens.execution import ExecutionScreen
from tui.ui.screens.history import HistoryScreen
from tui.ui.screens.logs import LogScreen

PIPELINE = "ml-training"  # runs a CodeBuild build at the start


def codebuild_action(rig: Rig, name: str = PIPELINE) -> tuple[str, str]:
    """A CodeBuild action of ``name`` that has run (it has a build id)."""
    definition, state = rig.app.store.definition(EAST, name), rig.app.store.state(EAST, name)
    assert definition is not None and state is not None
    for stage in definition.stages:
        stage_state = state.stage(stage.name)
        for action in stage.actions:
            action_state = stage_state.action(action.name) if stage_state else None
            if action.provider == "CodeBuild" and action_state and action_state.external_execution_id:
                return stage.name, action.name
    raise AssertionError(f"{name} has no CodeBuild action with a build")


def loaded_and_fresh(rig: Rig) -> bool:
    return all_loaded(rig.app) and rig.app.store.freshness(EAST).stale_reason is None


async def test_denied_get_pipeline_execution_is_named_in_the_panel_and_the_graph_renders(
    sim: Simulator, tmp_path: Path
) -> None:
    async with running(sim, tmp_path, faults="deny=GetPipelineExecution") as (rig, app, pilot):
        await drive(pilot, rig, lambda: loaded_and_fresh(rig), every=0.5)
        screen = await open_pipeline(pilot, rig, PIPELINE)
        missing = "access denied: missing codepipeline:GetPipelineExecution"
        await drive(pilot, rig, lambda: missing in (screen.execution_note or ""), every=0.5)
        await wait_until(pilot, lambda: missing in flat_text(app))
        text = flat_text(app)
        definition = app.store.definition(EAST, PIPELINE)
        assert definition is not None and len(screen.graph.boxes) == len(definition.stages)
        assert "… loading state" not in text  # the state came: the graph is drawn
        assert app.store.freshness(EAST).stale_reason is None  # the rest is current


async def test_denied_batch_get_builds_is_named_on_the_log_screen(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LogScreen, "LIVE_TAIL", False)
    async with running(sim, tmp_path, faults="deny=BatchGetBuilds") as (rig, app, pilot):
        await drive(pilot, rig, lambda: loaded_and_fresh(rig), every=0.5)
        screen = await open_pipeline(pilot, rig, PIPELINE)
        stage, action = codebuild_action(rig)
        screen.graph.select(stage, action)
        await pilot.press("l")
        await drive(pilot, rig, lambda: isinstance(app.screen, LogScreen), every=0.5)
        logs = app.screen
        assert isinstance(logs, LogScreen)
        await drive(pilot, rig, lambda: logs.failure is not None, every=0.5)
        await pilot.pause()
        assert "Could not read the log: access denied: missing codebuild:BatchGetBuilds" in flat_text(app)
        assert "⚠ log unavailable" in flat_text(app)
        # The header's marker belongs to the build it describes: not "Loading…" under the error.
        await drive(pilot, rig, lambda: "Build not loaded." in flat_text(app), seconds=5, every=0.1)
        assert "Loading the build…" not in flat_text(app)
        await pilot.press("escape")
        await drive(pilot, rig, lambda: app.screen is screen, every=0.5)


async def test_denied_list_executions_names_it_in_the_header_and_the_history(
    sim: Simulator, tmp_path: Path
) -> None:
    missing = "access denied: missing codepipeline:ListPipelineExecutions"
    async with running(sim, tmp_path, faults="deny=ListPipelineExecutions") as (rig, app, pilot):
        await drive(pilot, rig, lambda: missing in flat_text(app), every=0.5)
        assert app.store.freshness(EAST).stale_reason is None  # the list itself works
        assert len(app.store.rows()) == len(sim.engine.world().pipelines)
        assert [m for m, *_ in rig.notices if missing in m] == [missing]  # told once
        screen = await open_pipeline(pilot, rig, PIPELINE)
        assert missing in flat_text(app)  # the pipeline screen's banner names it too
        await pilot.press("h")
        await drive(pilot, rig, lambda: isinstance(app.screen, HistoryScreen), every=0.5)
        await drive(pilot, rig, lambda: f"Could not list executions: {missing}" in flat_text(app), every=0.5)
        await pilot.press("escape")
        await drive(pilot, rig, lambda: app.screen is screen, every=0.5)


async def test_denied_state_names_it_on_the_pipeline_screen_and_clears_when_allowed(
    sim: Simulator, tmp_path: Path
) -> None:
    missing = "access denied: missing codepipeline:GetPipelineState"
    async with running(sim, tmp_path, faults="deny=GetPipelineState") as (rig, app, pilot):
        await drive(
            pilot, rig, lambda: all(r.loaded for r in app.store.rows()) and app.store.rows(), every=0.5
        )
        screen = await open_pipeline(pilot, rig, PIPELINE)
        await drive(pilot, rig, lambda: missing in flat_text(app), every=0.5)
        # The graph is drawn from the definition; its boxes say the state is not read (not "loading").
        await drive(pilot, rig, lambda: "state not read" in flat_text(app), seconds=5, every=0.5)
        assert "loading state" not in flat_text(app)
        sim.set_faults("")
        await pilot.press("r")  # (the policy also asks again by itself after denied_pause)
        await drive(pilot, rig, lambda: app.store.state(EAST, PIPELINE) is not None, every=0.5)
        await drive(pilot, rig, lambda: missing not in flat_text(app), every=0.5)
        assert app.store.freshness(EAST).denied == ()
        assert screen.graph.boxes


async def test_denied_action_executions_are_named_on_the_execution_screen(
    sim: Simulator, tmp_path: Path
) -> None:
    async with running(sim, tmp_path, faults="deny=ListActionExecutions") as (rig, app, pilot):
        await drive(pilot, rig, lambda: loaded_and_fresh(rig), every=0.5)
        latest = app.store.latest_execution(EAST, PIPELINE)
        assert latest is not None
        await app.push_screen(ExecutionScreen(EAST, PIPELINE, latest.execution_id))
        missing = "access denied: missing codepipeline:ListActionExecutions"
        await drive(pilot, rig, lambda: missing in flat_text(app), every=0.5)
        assert app.store.freshness(EAST).stale_reason is None


async def test_denied_identity_keeps_the_rows_and_says_so_in_the_header(
    sim: Simulator, tmp_path: Path
) -> None:
    async with running(sim, tmp_path, faults="deny=GetCallerIdentity") as (rig, app, pilot):
        await drive(pilot, rig, lambda: all_loaded(app), every=0.5)
        await drive(pilot, rig, lambda: "missing sts:GetCallerIdentity" in flat_text(app), every=0.5)
        assert app.store.freshness(EAST).stale_reason is None
        assert app.store.freshness(EAST).updated_at is not None

"""PipelineScreen on the real App, real aiobotocore, the demo simulator (clock frozen unless advanced)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.apps import EAST, open_pipeline, sim_app
from tests.support.wait import screen_text, wait_for_text, wait_until
from tui.core.model import Status
from tui.sim import Simulator
from tui.ui.screens.execution import ExecutionScreen
from tui.ui.screens.history import HistoryScreen
from tui.ui.screens.pipeline import PipelineScreen
from tui.ui.widgets.stage_box import MIN_BOX_WIDTH


async def test_wide_pipeline_scrolls_to_the_selected_stage_at_80_columns(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_pipeline(pilot, app, "order-service")
        graph = screen.graph
        assert len(graph.boxes) == 8
        visible = [b for b in graph.boxes.values() if graph.region.contains_region(b.region)]
        assert len(visible) == 3
        assert all(b.region.width >= MIN_BOX_WIDTH for b in graph.boxes.values())
        for _ in range(8):
            await pilot.press("right")
        await pilot.pause()
        assert screen.selected_stage == "Production-eu-west-1"
        assert screen.selected_action == "Deploy-ECS"
        assert graph.region.contains_region(graph.boxes["Production-eu-west-1"].region)
        await wait_for_text(pilot, "Production-eu-west-1")


async def test_disabled_transition_shows_reason_and_who(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, "infra-network")
        text = screen_text(app)
        assert "⊘ inbound disabled" in text
        assert "Change freeze" in text
        assert "by alice" in text
        assert "─✕─" in text
        assert not screen.graph.arrows["Production"].enabled
        # The execution held at the disabled transition is listed as waiting.
        latest = app.store.latest_execution(EAST, "infra-network")
        assert latest is not None and latest.status == Status.IN_PROGRESS
        assert "⏸ 1 waiting:" in text and latest.execution_id[:8] in text


@pytest.mark.slow
async def test_failed_stage_is_selected_with_its_error_and_the_current_execution(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, "web-frontend")
        assert (screen.selected_stage, screen.selected_action) == ("Test", "E2E-Tests")
        state = app.store.state(EAST, "web-frontend")
        assert state is not None
        test_stage = state.stage("Test")
        assert test_stage is not None and test_stage.status == Status.FAILED
        text = screen_text(app)
        assert "✖ Failed" in text
        # The execution panel: id, trigger and the commit from GetPipelineExecution.
        assert screen.execution is not None
        assert screen.execution.execution_id in text
        revision = screen.execution.artifact_revisions[0]
        assert f"commit {revision.revision_id[:8]}" in text  # type: ignore[index]
        assert "WebhookV2" in text
        assert app.poller.policy.is_polled_fast(EAST.key, "web-frontend")


async def test_keys_open_history_and_action_detail_and_go_back(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, "web-frontend")
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        # Deploy-Site is an S3 deploy: enter opens the execution detail focused on it.
        await pilot.press("right", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ExecutionScreen))
        detail = app.screen
        assert isinstance(detail, ExecutionScreen)
        await wait_until(pilot, lambda: detail.selected_action_execution is not None, timeout=10)
        selected = detail.selected_action_execution
        assert selected is not None and (selected.stage_name, selected.action_name) == (
            "Deploy",
            "Deploy-Site",
        )
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
    # Unmounted screens gave their watch back.
    assert not app.poller.policy.is_polled_fast(EAST.key, "web-frontend")


@pytest.mark.slow
async def test_a_store_change_repaints_only_the_stage_that_changed(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_pipeline(pilot, app, "order-service")
        # From here the test writes the store itself: no poll may overwrite it.
        app.poller.stop()
        counts = {name: box.refresh_count for name, box in screen.graph.boxes.items()}
        assert screen.render_from_store() == 0  # nothing new: nothing repaints
        state = app.store.state(EAST, "order-service")
        assert state is not None
        stage = state.stage("Staging")
        assert stage is not None
        moved = replace(stage.actions[0], summary="3/4 tasks up")
        changed = replace(
            state,
            stages=tuple(replace(s, actions=(moved,)) if s.name == "Staging" else s for s in state.stages),
        )
        app.store_changed.publish(app.store.set_state(EAST, "order-service", changed))
        await wait_until(pilot, lambda: "3/4 tasks up" in screen_text(app))
        repainted = {n for n, box in screen.graph.boxes.items() if box.refresh_count != counts[n]}
        assert repainted == {"Staging"}


async def test_live_progress_reaches_the_graph(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_pipeline(pilot, app, "auth-service")
        before = app.store.state(EAST, "auth-service")
        assert before is not None
        counts = {name: box.refresh_count for name, box in screen.graph.boxes.items()}
        sim.clock.advance(600)
        app.poller.refresh_now(EAST, "auth-service")
        await wait_until(pilot, lambda: app.store.state(EAST, "auth-service") != before, timeout=10)
        after = app.store.state(EAST, "auth-service")
        assert after is not None
        moved = [s.name for s in after.stages if s != before.stage(s.name)]
        assert moved
        await wait_until(pilot, lambda: all(screen.graph.boxes[n].refresh_count > counts[n] for n in moved))
        for name in moved:
            stage = after.stage(name)
            assert stage is not None
            await wait_for_text(pilot, stage.status.label)


async def test_pipeline_screen_standalone_shows_placeholder_until_data(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path, start_polling=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = PipelineScreen(EAST, "web-frontend")
        await app.push_screen(screen)
        text = await wait_for_text(pilot, "Loading the pipeline definition")
        assert "No execution yet" in text or "Loading" in text

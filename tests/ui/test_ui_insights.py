"""Pipeline insights (`i`), the history screen's panel and Fleet health (`H`): the real App on real
aiobotocore clients against the demo simulator (its history has a flaky action, a pipeline that got
slower and a recent breaking commit: tui/sim/world/trends.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.support.apps import EAST, open_pipeline, sim_app
from tests.support.sim import advance_until
from tests.support.wait import wait_for_text, wait_for_workers, wait_until
from tui.app.application import CptuiApp
from tui.core.insights import pipeline_insights
from tui.sim import Simulator
from tui.ui.screens.fleet_health import FleetHealthScreen
from tui.ui.screens.history import HistoryScreen
from tui.ui.screens.insights import InsightsScreen


async def insights_of(pilot: Pilot[Any], app: CptuiApp, pipeline: str) -> InsightsScreen:
    """`i` on the pipeline's screen, once its insights are read."""
    await open_pipeline(pilot, app, pipeline)
    await pilot.press("i")
    await wait_until(pilot, lambda: isinstance(app.screen, InsightsScreen), timeout=10)
    screen = app.screen
    assert isinstance(screen, InsightsScreen)
    await wait_until(pilot, lambda: screen.insights is not None and not screen.busy_note, timeout=60)
    return screen


async def test_i_on_the_pipeline_screen_shows_flaky_actions_and_the_chart(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await insights_of(pilot, app, "payments-api-prod")
        text = await wait_for_text(pilot, "Success rate", "Duration per execution", "p50", "Flaky actions")
        ins = screen.insights
        assert ins is not None
        flaky = {f.label: f for f in ins.flaky}
        assert flaky["Build › Unit-Tests"].retries == 3  # the demo's retried runs
        await wait_for_text(pilot, "Build › Unit-Tests  3× passed on retry")
        assert ins.with_actions == ins.read
        assert "Last 50 executions" in text
        # Finished executions are read once: reading again asks only for the running one's actions.
        # The first read paged the pipeline's action executions, 100 a call, not one per execution.
        assert 1 <= app.insights.action_pages <= 3 and app.insights.action_reads == 0
        reads, pages = app.insights.action_reads, app.insights.action_pages
        screen.action_refresh()
        await wait_for_workers(pilot, "insights", timeout=60)
        running = sum(1 for s in screen.history if not s.status.is_terminal)
        assert (app.insights.action_reads - reads, app.insights.action_pages - pages) == (running, 0)


async def test_what_broke_it_names_the_first_failure_and_the_changed_revision(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(
            pilot, lambda: app.store.latest_execution(EAST, "web-frontend") is not None, timeout=10
        )
        screen = InsightsScreen(EAST, "web-frontend")
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.diff is not None, timeout=60)
        ins = screen.insights
        assert ins is not None and ins.breakage is not None
        latest = app.store.latest_execution(EAST, "web-frontend")
        assert latest is not None and ins.breakage.first_failure_id == latest.execution_id
        changed = {c.key for c in screen.diff.revisions} if screen.diff else set()
        assert changed
        await wait_for_text(pilot, "What broke it", f"Failing since {latest.execution_id[:8]}")


async def test_order_service_build_got_slower(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, start_polling=False)
    async with app.run_test(size=(120, 36)) as pilot:
        history = await app.insights.history(EAST, "order-service")
        actions = {s.execution_id: await app.insights.actions(EAST, "order-service", s) for s in history}
        ins = pipeline_insights("order-service", history, actions, app.now())
        build = next(s for s in ins.stages if s.stage == "Build")
        assert build.slower is not None and build.slower > 1.5
        await pilot.pause()


async def test_paged_action_executions_match_the_per_execution_reads(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, start_polling=False)
    async with app.run_test(size=(120, 36)) as pilot:
        ctl = app.insights
        for name in ("payments-api-prod", "order-service"):
            history = await ctl.history(EAST, name, 30)
            paged = await ctl.window_actions(EAST, name, history)
            service = app.services[EAST.key]
            for summary in history:
                each = await service.list_action_executions(name, summary.execution_id)
                assert sorted(a.action_execution_id for a in paged[summary.execution_id]) == sorted(
                    a.action_execution_id for a in each
                ), summary.execution_id
        assert ctl.action_pages >= 2 and ctl.action_reads <= 2  # the running executions, if any
        await pilot.pause()


async def test_history_screen_panel_and_i(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(HistoryScreen(EAST, "web-frontend"))
        await wait_for_text(pilot, "Insights (i: more) · last 25", "% success", "failing since")
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, InsightsScreen), timeout=10)


async def test_fleet_health_ranks_pipelines_and_says_why_one_is_unknown(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        # The demo main world has 11 pipelines.
        await wait_until(pilot, lambda: len(app.store.rows()) >= 11, timeout=20)
        await pilot.press("H")
        await wait_until(pilot, lambda: isinstance(app.screen, FleetHealthScreen), timeout=10)
        screen = app.screen
        assert isinstance(screen, FleetHealthScreen)
        await wait_until(pilot, lambda: not screen.reading, timeout=60)
        rows = app.insights.fleet_snapshot()
        assert all(r.known for r in rows)
        n = len(rows)
        assert n == len(app.store.rows())
        await wait_for_text(pilot, "Fleet health", f"{n} of {n} pipelines read", "web-frontend")
        # The worst first: no pipeline below has a higher failure rate.
        ordered = screen.table.row_keys_in_order()
        rates = [app.insights.fleet_rows[k].failure_rate or 0.0 for k in ordered]
        assert rates == sorted(rates, reverse=True)
        # The cursor stayed on the worst row through the re-sorts: enter opens its insights.
        assert screen.table.cursor_key == ordered[0]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, InsightsScreen), timeout=10)
        opened = app.screen
        assert (
            isinstance(opened, InsightsScreen)
            and opened.pipeline_name == app.insights.fleet_rows[ordered[0]].pipeline
        )
        await wait_for_workers(pilot, "insights", timeout=60)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, timeout=10)
        # Unknown is not none: a history that cannot be read says so and why.
        sim.set_faults("deny=ListPipelineExecutions")
        await pilot.press("r")
        await wait_until(pilot, lambda: not screen.reading, timeout=60)
        await wait_for_text(pilot, "could not be read", f"0 of {n} pipelines read, {n} could not be read")
        assert all(r.error and "could not be read" in r.error for r in app.insights.fleet_snapshot())


async def test_insights_read_again_when_the_running_execution_ends(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await insights_of(pilot, app, "auth-service")
        assert screen.history[0].status.value == "InProgress"
        await wait_for_text(pilot, "This run is at")
        running = screen.history[0].execution_id
        advance_until(sim, lambda w: w.pipelines["auth-service"].executions[running].final)
        app.poller.refresh_now(EAST, "auth-service")
        await wait_until(pilot, lambda: screen.history[0].status.is_terminal, timeout=30)
        assert screen.history[0].execution_id == running

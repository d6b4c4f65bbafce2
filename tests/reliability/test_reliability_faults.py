"""Faults from the simulator: the app keeps running, says why its data is old, backs off within
its rate budget and is current again within one poll cycle after the faults stop.

The soak test runs the real App (real aiobotocore client) against 20% throttling, 5% 5xx and
random latency for ten minutes of simulated time, exercising every screen on the way, and records
its figures (``soak_figures.json`` in the test's tmp dir, also printed) for the README.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from tests.support.apps import EAST, all_loaded
from tests.support.rig import Rig, drive, make_rig, running, step
from tests.support.wait import screen_text
from tui.sim import Simulator
from tui.ui.screens.approvals import ApprovalsScreen
from tui.ui.screens.execution import ExecutionScreen
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.history import HistoryScreen
from tui.ui.screens.logs import LogScreen
from tui.ui.screens.pipeline import PipelineScreen
from tui.ui.screens.pipelines import PipelinesScreen

# The longest regular cadence (an off-screen row's idle interval): "one poll cycle".
POLL_CYCLE = 120.0
SOAK_MINUTES = 10
SOAK_FAULTS = "throttle=0.2,5xx=0.05,latency=0-30ms"
LOGS_PIPELINE = "ml-training"  # its Train action is a CodeBuild build, running at the start


@pytest.fixture(autouse=True)
def _polled_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    # The log screen follows with GetLogEvents here (live tail has its own tests): its cadence is
    # real time, so keep it short.
    monkeypatch.setattr(LogScreen, "LIVE_TAIL", False)
    monkeypatch.setattr(LogScreen, "POLL_INTERVAL", 0.2)
    monkeypatch.setattr(LogScreen, "BUILD_CHECK_INTERVAL", 0.5)


def engine_statuses(sim: Simulator) -> dict[str, str]:
    """Each pipeline's latest execution status according to the simulator's engine."""
    world = sim.engine.world()
    out = {}
    for name, pipeline in world.pipelines.items():
        latest = pipeline.latest()
        out[name] = latest.status if latest is not None else "Idle"
    return out


def mismatches(rig: Rig) -> dict[str, tuple[str, str]]:
    """Rows whose status differs from the engine's: name -> (shown, truth)."""
    shown = {row.name: str(row.status) for row in rig.app.store.rows(EAST)}
    truth = engine_statuses(rig.sim)
    return {n: (shown.get(n, "missing"), s) for n, s in truth.items() if shown.get(n) != s}


def current(rig: Rig) -> bool:
    return not mismatches(rig) and rig.app.store.freshness(EAST).stale_reason is None


async def load(pilot: Pilot[Any], rig: Rig) -> None:
    await drive(pilot, rig, lambda: all_loaded(rig.app), seconds=120, every=0.5)


# --- one fault at a time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "reason", "read_timeout"),
    [
        ("throttle=1", "stale — throttled, retrying", 10.0),
        ("5xx=1", "service unavailable, retrying", 10.0),
        ("drop=1", "cannot reach {url} (connection closed), retrying", 10.0),
        ("latency=1200ms", "{url} not answering (timeout), retrying", 0.4),
    ],
    ids=["throttling", "5xx", "dropped-connections", "latency-spike"],
)
@pytest.mark.slow
async def test_a_fault_marks_the_data_stale_and_it_recovers_within_one_poll_cycle(
    sim: Simulator, tmp_path: Path, spec: str, reason: str, read_timeout: float
) -> None:
    reason = reason.format(url=sim.url.rstrip("/"))
    async with running(sim, tmp_path, read_timeout=read_timeout) as (rig, app, pilot):
        await load(pilot, rig)
        rows = len(app.store.rows())
        sim.set_faults(spec)
        await drive(pilot, rig, lambda: app.store.freshness(EAST).stale_reason == reason, seconds=300)
        assert app.poller.calls  # it kept polling
        assert len(app.store.rows()) == rows  # nothing thrown away
        await drive(pilot, rig, lambda: reason in screen_text(app), seconds=5, every=0.1)  # the banner
        assert isinstance(app.screen, PipelinesScreen)
        assert app.screen.table.row_count == rows
        # Time moves on under the fault until the engine has changed what a row shows.
        await drive(pilot, rig, lambda: mismatches(rig), seconds=3600, every=10)
        sim.set_faults("")
        # The simulator's clock stops: the truth holds still while the app catches up.
        took = await drive(pilot, rig, lambda: current(rig), seconds=POLL_CYCLE, sim_time=False)
        assert took <= POLL_CYCLE
        # (the screen repaints a frame after the store: wait for it, do not race it)
        await drive(
            pilot,
            rig,
            lambda: "updated" in screen_text(app) and reason not in screen_text(app),
            seconds=5,
            every=0.1,
            sim_time=False,
        )


# --- the soak ------------------------------------------------------------------------------------


async def _until_screen(pilot: Pilot[Any], rig: Rig, kind: type[Screen[Any]]) -> None:
    app = rig.app
    await drive(
        pilot, rig, lambda: isinstance(app.screen, kind) and app.screen.is_mounted, seconds=60, every=0.5
    )


async def _press(pilot: Pilot[Any], rig: Rig, key: str, then: type[Screen[Any]]) -> None:
    await pilot.press(key)
    await _until_screen(pilot, rig, then)


async def exercise_screens(pilot: Pilot[Any], rig: Rig) -> list[str]:
    """Open a pipeline, its history, an execution, a build's log, the inbox and help, and back:
    every screen must answer its keys while the faults go on. Returns the screens visited."""
    app = rig.app
    visited: list[str] = []
    await _until_screen(pilot, rig, PipelinesScreen)
    listing = app.screen
    assert isinstance(listing, PipelinesScreen)
    await drive(pilot, rig, lambda: listing.table.has_row(f"{EAST.key}/{LOGS_PIPELINE}"), every=0.5)
    listing.table.focus()
    # A cursor key first: until the user moves, the list keeps its cursor on the top row as rows
    # re-sort under it, and would undo the move below before enter opens the row.
    await pilot.press("down")
    listing.table.move_cursor(row=listing.table.get_row_index(f"{EAST.key}/{LOGS_PIPELINE}"))
    await _press(pilot, rig, "enter", PipelineScreen)
    pipeline = app.screen
    assert isinstance(pipeline, PipelineScreen)
    assert pipeline.pipeline_name == LOGS_PIPELINE
    visited.append("pipeline")

    await _press(pilot, rig, "h", HistoryScreen)
    history = app.screen
    assert isinstance(history, HistoryScreen)

    def history_rows() -> bool:
        return history.table.row_count > 0

    for _ in range(5):  # a read that failed three times says so; `r` asks again
        try:
            await drive(pilot, rig, history_rows, seconds=20, every=0.5)
            break
        except AssertionError:
            await pilot.press("r")
    assert history_rows()
    visited.append("history")
    await _press(pilot, rig, "enter", ExecutionScreen)
    visited.append("execution")
    await _press(pilot, rig, "escape", HistoryScreen)
    await _press(pilot, rig, "escape", PipelineScreen)

    def build_action() -> tuple[str, str] | None:
        definition = app.store.definition(EAST, LOGS_PIPELINE)
        state = app.store.state(EAST, LOGS_PIPELINE)
        if definition is None or state is None:
            return None
        for stage in definition.stages:
            for action in stage.actions:
                stage_state = state.stage(stage.name)
                action_state = stage_state.action(action.name) if stage_state else None
                if action.provider == "CodeBuild" and action_state and action_state.external_execution_id:
                    return stage.name, action.name
        return None

    await drive(pilot, rig, lambda: build_action() is not None and pipeline.graph.boxes, every=0.5)
    found = build_action()
    assert found is not None

    def build_selected() -> bool:
        # The graph settles its first selection when the state arrives, which under faults can be
        # after our select: select again until it holds.
        if (pipeline.graph.selected_stage, pipeline.graph.selected_action) != found:
            pipeline.graph.select(*found)
            return False
        return True

    await drive(pilot, rig, build_selected, every=0.5)
    await _press(pilot, rig, "l", LogScreen)
    visited.append("logs")
    await _press(pilot, rig, "escape", PipelineScreen)
    await _press(pilot, rig, "escape", PipelinesScreen)
    await _press(pilot, rig, "A", ApprovalsScreen)
    visited.append("inbox")
    await _press(pilot, rig, "escape", PipelinesScreen)
    await _press(pilot, rig, "question_mark", HelpScreen)
    visited.append("help")
    await _press(pilot, rig, "escape", PipelinesScreen)
    return visited


def busiest_window(samples: list[tuple[float, int]], window: float) -> int:
    """The most HTTP requests the simulator received in any ``window`` seconds of poll time."""
    most = 0
    start = 0
    for end in range(len(samples)):
        while samples[end][0] - samples[start][0] > window:
            start += 1
        most = max(most, samples[end][1] - samples[start][1])
    return most


@pytest.mark.slow
async def test_soak_under_throttling_5xx_and_latency(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rig = make_rig(sim, tmp_path)
    app = rig.app
    settings = app.poller.policy.settings
    reasons: set[str] = set()
    requests: list[tuple[float, int]] = []
    visited: list[str] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await load(pilot, rig)
        calls_before = sum(sim.calls.values())
        logical_before = len(rig.log.calls)
        sim.set_faults(SOAK_FAULTS)
        exercise_at = {60 * m for m in (3, 7)}
        for second in range(SOAK_MINUTES * 60):
            await step(pilot, rig, 1.0)
            requests.append((rig.mono.now, sum(sim.calls.values())))
            if reason := app.store.freshness(EAST).stale_reason:
                reasons.add(reason)
            if second in exercise_at:
                visited += await exercise_screens(pilot, rig)
            assert app.is_running and app.return_code is None
        # It ends with an outage (every call fails) that lasts until the app's data is behind the
        # engine's, so "current again after the faults stop" is measured from a real lag.
        sim.set_faults(f"{SOAK_FAULTS},5xx=1")
        outage = await drive(pilot, rig, lambda: mismatches(rig), seconds=1800, every=5)
        faults = dict(sim.fault_counts)
        http_requests = sum(sim.calls.values()) - calls_before
        logical = len(rig.log.calls) - logical_before
        failed = rig.log.failures()
        sim.set_faults("")
        behind = len(mismatches(rig))
        took = await drive(pilot, rig, lambda: current(rig), seconds=POLL_CYCLE, sim_time=False)
        left = mismatches(rig)
        visited += await exercise_screens(pilot, rig)
        assert app.is_running and app.return_code is None
    crashes = rig.unexpected()
    budget = settings.tps * 30 + settings.burst
    figures = {
        "simulated_minutes": SOAK_MINUTES + outage / 60,
        "faults": SOAK_FAULTS,
        "faults_injected": faults,
        "http_requests": http_requests,
        "api_calls": logical,
        "retried_by_botocore": http_requests - logical,
        "failed_calls_retried_by_the_poller": {k: v for k, v in failed.items() if k != "access_denied"},
        "busiest_30s_http_requests": busiest_window(requests, 30.0),
        "budget_30s": budget,
        "stale_reasons_shown": sorted(reasons),
        "screens_exercised": len(visited),
        "outage_seconds_at_the_end": outage,
        "rows_behind_when_faults_stop": behind,
        "seconds_to_current_after_faults_stop": took,
        "crashes": len(crashes),
        "state_mismatches": len(left),
    }
    path = tmp_path / "soak_figures.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    with capsys.disabled():
        print(f"\nsoak figures ({path}):\n{json.dumps(figures, indent=2, ensure_ascii=False)}")
    assert not crashes, crashes
    assert not left, left
    assert faults.get("throttle", 0) > 0 and faults.get("5xx", 0) > 0 and faults.get("latency", 0) > 0
    assert visited.count("logs") == 3 and len(visited) == 18
    assert busiest_window(requests, 30.0) <= budget
    assert behind > 0 and took <= POLL_CYCLE

"""Notifications in the app: a notice, the bell and an OSC desktop notification, once per event even
across a restart; the watch list (`w`, `W`) follows executions to their end."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.apps import PROD_EAST, SHARED, capture_writes, follow_from_pipeline, sim_app, wait_fleet
from tests.support.notices import alerts, told_text
from tests.support.wait import screen_text, wait_for_text, wait_until
from tui.core.config import NotificationsConfig
from tui.core.model import Status
from tui.core.notify import Desktop
from tui.sim import Simulator
from tui.ui.screens.history import HistoryScreen
from tui.ui.screens.pipeline import PipelineScreen
from tui.ui.screens.watchlist import WatchListScreen

ALL_CHANNELS = NotificationsConfig(toast=True, bell=True, desktop=True, dedupe_window=30)
# When the demo's worlds have new approvals waiting: payments-api-prod starts waiting again at
# +3030 s, payments-api-shared at +4334 s (seconds after the simulator's start).
SHARED_APPROVAL_AT = 4340


async def test_a_new_approval_is_told_once_by_notice_bell_and_desktop(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, fleet=True, targets=(PROD_EAST, SHARED), notifications=ALL_CHANNELS)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_fleet(pilot, app)
        # Approvals that were already waiting long before cptui started are not news.
        assert not alerts(app)
        app.alerts.protocol, app.alerts.tmux = Desktop.OSC9, False
        written = capture_writes(app)
        sim.clock.advance(SHARED_APPROVAL_AT)
        await pilot.press("r")

        def told() -> set[str]:
            return {n.message for n in alerts(app) if n.title == "Approval waiting"}

        wanted = {
            "payments-api-prod › Approval › Approve-Production (prod/us-east-1)",
            "payments-api-shared › Approval › Approve (shared/us-east-1)",
        }
        await wait_until(pilot, lambda: told() >= wanted, timeout=15)
        polls = app.poller.calls.total()
        await pilot.press("r")  # more polls find the same approvals: nothing more is told
        await wait_until(pilot, lambda: app.poller.calls.total() > polls and app.poller.idle, timeout=15)
        # (order-service's approval, from +4100 s, is told too if its state was read meanwhile.)
        events = alerts(app)
        assert all(n.title == "Approval waiting" for n in events)
        assert len(events) == len({n.message for n in events}) >= 2
        assert written.count("\x07") == len(events)
        desktop = [w for w in written if w.startswith("\x1b]9;")]
        assert len(desktop) == len(events)
        assert any("payments-api-shared › Approval › Approve (shared/us-east-1)" in d for d in desktop)
        for sequence in desktop:
            assert sequence.startswith("\x1b]9;cptui: Approval waiting: ") and sequence.endswith("\x07")
            assert sequence.count("\x1b") == 1 and sequence.count("\x07") == 1
        shown = told_text(app)
        assert "Approval waiting: payments-api-prod › Approval › Approve-Production (prod/us-east-1)" in shown
        assert "Approval waiting: payments-api-shared › Approval › Approve (shared/us-east-1)" in shown
        assert len(shown) == len(events)


async def test_a_restart_within_the_window_does_not_tell_again(sim: Simulator, tmp_path: Path) -> None:
    sim.clock.advance(SHARED_APPROVAL_AT)  # the shared account's approval started seconds ago
    first = sim_app(sim, tmp_path, fleet=True, targets=(PROD_EAST, SHARED), notifications=ALL_CHANNELS)
    async with first.run_test(size=(120, 36)) as pilot:
        first.alerts.protocol, first.alerts.tmux = Desktop.OSC777, False
        written = capture_writes(first)
        await wait_fleet(pilot, first)
        await wait_until(pilot, lambda: any("payments-api-shared" in n.message for n in alerts(first)))
        (notice,) = [n for n in alerts(first) if "payments-api-shared" in n.message]
        assert notice.title == "Approval waiting"
        assert any(
            w.startswith("\x1b]777;notify;cptui: Approval waiting;payments-api-shared") for w in written
        )
    saved = json.loads((tmp_path / "notified.json").read_text())["notified"]
    (key,) = [k for k in saved if k.startswith(f"approval|{SHARED.key}|payments-api-shared|")]

    again = sim_app(sim, tmp_path, fleet=True, targets=(PROD_EAST, SHARED), notifications=ALL_CHANNELS)
    async with again.run_test(size=(120, 36)) as pilot:
        written = capture_writes(again)
        await wait_fleet(pilot, again)
        # Found again (it is still recent) but already told: quiet. (A poll cycle after the store
        # has it, its change has reached the alerts.)
        await wait_until(
            pilot, lambda: any(a.pipeline_name == "payments-api-shared" for a in again.store.approvals())
        )
        polls = again.poller.calls.total()
        await pilot.press("r")
        await wait_until(pilot, lambda: again.poller.calls.total() > polls and again.poller.idle, timeout=15)
        saved = json.loads((tmp_path / "notified.json").read_text())["notified"]
        assert key in saved
        assert not alerts(again)
        assert "\x07" not in written and not any(w.startswith(("\x1b]", "\x1bP")) for w in written)
        assert not any("Approval waiting" in n for n in told_text(again))


async def test_the_watch_list_follows_an_execution_to_its_end(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, fleet=True, targets=(PROD_EAST,), notifications=ALL_CHANNELS)
    async with app.run_test(size=(120, 36)) as pilot:
        latest = await follow_from_pipeline(pilot, app, PROD_EAST, "auth-service")
        assert len(app.alerts.watchlist) == 1
        assert any("Following auth-service" in n for n in told_text(app))
        await pilot.press("escape")  # the pipeline screen no longer watches it: the follow does
        await wait_until(pilot, lambda: not isinstance(app.screen, PipelineScreen))
        await pilot.press("W")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchListScreen))
        screen = app.screen
        assert isinstance(screen, WatchListScreen)
        await wait_until(pilot, lambda: screen.table.row_count == 1)
        await wait_for_text(pilot, "Following 1 running", "● Running")
        assert app.poller.policy.is_polled_fast(PROD_EAST.key, "auth-service")  # polled at the active cadence

        written = capture_writes(app)
        app.alerts.tmux = False
        sim.clock.advance(1800)  # the build ends well within half an hour
        app.poller.refresh_now(PROD_EAST, "auth-service")
        await wait_until(pilot, lambda: not app.alerts.watchlist.running(), timeout=15)
        (entry,) = app.alerts.watchlist.entries()
        assert entry.execution_id == latest.execution_id and entry.status in (Status.SUCCEEDED, Status.FAILED)
        (notice,) = alerts(app)
        assert latest.execution_id[:8] in notice.message
        assert notice.title == ("Pipeline failed" if entry.status is Status.FAILED else "Execution succeeded")
        assert written.count("\x07") == 1 and sum(w.startswith("\x1b]") for w in written) == 1
        await wait_until(pilot, lambda: "Following 0 running · 1 finished" in screen_text(app))
        assert not app.poller.policy.is_polled_fast(PROD_EAST.key, "auth-service")
        # Greyed until dismissed.
        await pilot.press("d")
        await wait_until(pilot, lambda: screen.table.row_count == 0)
        await wait_for_text(pilot, "Nothing followed")


async def test_w_in_the_history_follows_the_selected_execution(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, fleet=True, targets=(PROD_EAST,))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_fleet(pilot, app)
        app.open_pipeline(PROD_EAST, "web-frontend")
        await wait_until(pilot, lambda: isinstance(app.screen, PipelineScreen))
        await pilot.press("h")
        await wait_until(
            pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.table.row_count > 3
        )
        history = app.screen
        assert isinstance(history, HistoryScreen)
        await pilot.press("down", "down", "w")
        await wait_until(pilot, lambda: len(app.alerts.watchlist) == 1)
        (entry,) = app.alerts.watchlist.entries()
        picked = history.executions[entry.execution_id]
        assert entry.execution_id == history.table.row_keys_in_order()[2]
        # An execution that had ended already is listed as such, and nothing is told.
        assert entry.finished and entry.status == picked.status
        assert not alerts(app)

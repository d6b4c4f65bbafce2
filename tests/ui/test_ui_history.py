"""HistoryScreen: paging on demand, reconciliation by execution id, the cursor never jumps.

The first tests use a stand-in App surface (tests/support/harness.py) to pin the screen's own logic with
exact data; the simulator tests at the end drive the real App and aiobotocore.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.apps import EAST, sim_app
from tests.support.harness import TARGET, Change, FakeService, HarnessApp
from tests.support.samples import NOW, summary
from tests.support.wait import screen_text, wait_until
from tui.aws.errors import AccessDenied
from tui.core.model import ExecutionMode, ExecutionType, Status, Trigger, TriggerType
from tui.sim import Simulator
from tui.ui.screens.execution import ExecutionScreen
from tui.ui.screens.history import (
    LOADING_KEY,
    PAGE_SIZE,
    PREFETCH_ROWS,
    HistoryScreen,
)
from tui.ui.screens.history_view import history_cells, trigger_label


def _app(count: int = 60) -> tuple[HarnessApp, FakeService]:
    service = FakeService([summary(i) for i in range(count)])
    return HarnessApp(lambda: HistoryScreen(TARGET, "web-frontend"), service, NOW), service


def _screen(app: HarnessApp) -> HistoryScreen:
    assert isinstance(app.screen, HistoryScreen)
    return app.screen


async def test_first_page_shows_executions_newest_first() -> None:
    app, service = _app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: _screen(app).table.row_count == PAGE_SIZE)
        screen = _screen(app)
        assert screen.table.row_keys_in_order()[:2] == [summary(0).execution_id, summary(1).execution_id]
        text = screen_text(app)
        assert "✔ Succeeded" in text
        assert "00000000  Commit number 0" in text
        assert service.calls == [("ListPipelineExecutions", None)]
        assert app.poller.polled_fast == [(TARGET, "web-frontend")]


async def test_next_page_loads_as_the_cursor_nears_the_end() -> None:
    app, service = _app(60)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: _screen(app).table.row_count == PAGE_SIZE)
        screen = _screen(app)
        # Far from the end: nothing more is fetched.
        await pilot.press("down", "down")
        await pilot.pause()
        assert len(service.calls) == 1
        for _ in range(PAGE_SIZE - 6):
            await pilot.press("down")
        await wait_until(pilot, lambda: screen.pages_loaded == 2 and not screen.loading_more)
        assert ("ListPipelineExecutions", str(PAGE_SIZE)) in service.calls
        assert screen.table.row_count == 2 * PAGE_SIZE
        assert not screen.table.has_row(LOADING_KEY)
        assert screen.table.cursor_row == PAGE_SIZE - 4  # the cursor did not move by itself
        await pilot.press("G")
        await wait_until(pilot, lambda: screen.next_token is None and not screen.loading_more)
        assert screen.table.row_count == 60
        calls = len(service.calls)
        await pilot.press("up", "down")
        await pilot.pause()
        assert len(service.calls) == calls  # no token, no more calls


async def test_store_change_merges_first_page_without_moving_the_cursor() -> None:
    app, service = _app(40)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: _screen(app).table.row_count == PAGE_SIZE)
        screen = _screen(app)
        await pilot.press("down", "down", "down")
        focused = screen.table.cursor_key
        assert focused == summary(3).execution_id
        # Two new PARALLEL executions start, and an existing one changes status.
        newer = [
            summary(-2, Status.IN_PROGRESS, execution_mode=ExecutionMode.PARALLEL),
            summary(-1, Status.IN_PROGRESS, execution_mode=ExecutionMode.PARALLEL),
        ]
        newer[0] = replace(newer[0], start_time=NOW - timedelta(seconds=30))
        newer[1] = replace(newer[1], start_time=NOW - timedelta(seconds=60))
        changed = replace(summary(1), status=Status.FAILED)
        service.executions = [newer[0], newer[1], summary(0), changed, *service.executions[2:]]
        app.store_changed.publish(Change(TARGET, frozenset({"web-frontend"})))
        await wait_until(pilot, lambda: screen.table.row_count == PAGE_SIZE + 2)
        assert screen.table.cursor_key == focused
        assert screen.table.cursor_row == 5
        order = screen.table.row_keys_in_order()
        assert order[:2] == [newer[0].execution_id, newer[1].execution_id]
        status_cell = screen.table.get_cell(changed.execution_id, "status")
        assert "Failed" in str(status_cell)
        assert screen_text(app).count("● Running") == 2
        # Another pipeline's change does not trigger a fetch.
        calls = len(service.calls)
        app.store_changed.publish(Change(TARGET, frozenset({"other"})))
        await pilot.pause()
        assert len(service.calls) == calls


async def test_enter_opens_the_execution_under_the_cursor() -> None:
    app, _ = _app(10)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: _screen(app).table.row_count == 10)
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ExecutionScreen))
        assert isinstance(app.screen, ExecutionScreen)
        assert app.screen.execution_id == summary(1).execution_id
        assert [s.execution_id for s in app.screen.history][:2] == [
            summary(0).execution_id,
            summary(1).execution_id,
        ]


async def test_errors_show_a_notice() -> None:
    app, service = _app(10)

    async def denied(*args: object, **kwargs: object) -> None:
        raise AccessDenied("not allowed: codepipeline:ListPipelineExecutions\x1b[2J")

    service.list_executions = denied  # type: ignore[assignment, method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: "Could not list executions" in screen_text(app))
        text = screen_text(app)
        assert "not allowed: codepipeline:ListPipelineExecutions" in text
        assert "\x1b" not in text


def test_cells_show_rollback_and_trigger() -> None:
    rollback = summary(
        0,
        execution_type=ExecutionType.ROLLBACK,
        trigger=Trigger(TriggerType.MANUAL_ROLLBACK, "arn:aws:iam::1:user/bob"),
    )
    cells = history_cells(rollback, NOW)
    assert str(cells[3]) == "↶ ROLLBACK"
    assert trigger_label(rollback) == "Rollback · bob"
    assert str(cells[6]) == "7m 12s"


async def test_ranked_table_bookkeeping_survives_clear_and_remove_row() -> None:
    from textual.app import App, ComposeResult

    from tui.ui.widgets.ranked_table import RankedTable

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            table = RankedTable(id="t")
            table.add_column("A", key="a")
            table.add_column("B", key="b")
            yield table

    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(RankedTable)
        changes = table.upsert([("x", ("x", "1"), 2), ("y", ("y", "1"), 1)])
        assert (changes.added, changes.reordered) == (2, True)
        assert table.row_keys_in_order() == ["y", "x"]
        table.move_cursor(row=1)
        await pilot.pause()
        assert table.cursor_key == "x"
        # Same values: nothing to do. A new first row: the cursor stays on "x".
        assert table.upsert([("x", ("x", "1"), 2)]).updated == 0
        table.upsert([("w", ("w", "0"), 0)])
        assert table.row_keys_in_order() == ["w", "y", "x"]
        assert table.cursor_key == "x"
        assert table.upsert([("x", ("x", "2"), 2)]).updated == 1
        assert str(table.get_cell("x", "b")) == "2"
        table.remove_row("y")
        table.remove("w")
        assert table.row_keys_in_order() == ["x"] and not table.has_row("y")
        table.clear()
        assert table.upsert([("x", ("x", "3"), 0)]).added == 1
        assert table.upsert([], remove_missing=True).removed == 1
        assert table.row_count == 0


# --- the real App against the simulator --------------------------------------------------------


@pytest.mark.slow
async def test_sim_history_loads_the_second_page_as_the_cursor_goes_down(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = HistoryScreen(EAST, "web-frontend")
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.table.row_count == PAGE_SIZE, timeout=10)
        assert screen.next_token is not None and screen.pages_loaded == 1
        for _ in range(PAGE_SIZE - PREFETCH_ROWS):
            await pilot.press("down")
        await wait_until(pilot, lambda: screen.pages_loaded == 2 and not screen.loading_more, timeout=10)
        assert screen.table.row_count > PAGE_SIZE
        assert screen.table.cursor_row == PAGE_SIZE - PREFETCH_ROWS
        # Same executions, same order as the API lists them.
        listed = await app.services[EAST.key].list_executions("web-frontend", max_results=100)
        expected = [s.execution_id for s in listed.items]
        assert screen.table.row_keys_in_order() == expected[: screen.table.row_count]
        first = listed.items[0]
        text = screen_text(app)
        assert first.execution_id[:8] in text
        assert first.source_revisions[0].short_id in text

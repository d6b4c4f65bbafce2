"""ExecutionScreen: the failed action first, its error, the diff against the last success, logs key.

Stand-in App surface first (exact data, tests/support/harness.py); simulator tests further down.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen

from tests.support.apps import EAST, sim_app
from tests.support.harness import TARGET, FakeService, HarnessApp
from tests.support.notices import told
from tests.support.samples import COMMIT, NOW, action_executions, execution, summary, wide_definition
from tests.support.wait import screen_text, wait_for_text, wait_until
from tui.aws.errors import NotFound
from tui.core.execution_diff import ChangeKind, diff_executions, find_last_success
from tui.core.model import ActionExecution, Status, Target
from tui.sim import Simulator
from tui.ui.screens import logs
from tui.ui.screens.execution import ExecutionScreen
from tui.ui.screens.execution_view import latest_attempts

OLD_COMMIT = "1" * 40


def _setup(history: bool = True, focus: tuple[str, str] | None = None) -> tuple[HarnessApp, FakeService]:
    executions = [summary(0, Status.FAILED), summary(1, Status.FAILED), summary(2), summary(3)]
    service = FakeService(executions)
    current, baseline = executions[0].execution_id, executions[2].execution_id
    service.full[current] = execution(current, COMMIT, "Fix login redirect", {"ENV": "prod", "NEW": "1"})
    service.full[baseline] = execution(baseline, OLD_COMMIT, "Older commit", {"ENV": "staging", "OLD": "x"})
    service.actions[current] = action_executions(current)
    app = HarnessApp(
        lambda: ExecutionScreen(
            TARGET, "web-frontend", current, history=executions if history else (), focus=focus
        ),
        service,
        NOW,
    )
    app.store.definitions["web-frontend"] = wide_definition()
    return app, service


def _screen(app: HarnessApp) -> ExecutionScreen:
    assert isinstance(app.screen, ExecutionScreen)
    return app.screen


async def test_failed_action_is_first_with_its_error() -> None:
    app, _ = _setup()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: _screen(app).table.row_count == 4)
        screen = _screen(app)
        first = screen.table.row_keys_in_order()[0]
        assert screen.actions[first].action_name == "Lint"
        assert screen.table.cursor_row == 0
        selected = screen.selected_action_execution
        assert selected is not None and selected.action_name == "Lint"
        text = screen_text(app)
        assert "✖ Test › Lint  failed  JobFailed" in text
        assert "Build failed: 3 lint errors in src/app.ts" in text
        # The others follow in stage order.
        names = [screen.actions[k].action_name for k in screen.table.row_keys_in_order()]
        assert names == ["Lint", "Checkout", "Compile", "UnitTests"]
        assert app.screen.query_one("#execution-failure").display


async def test_diff_against_last_success_shows_changed_commit_and_variables() -> None:
    app, service = _setup()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = _screen(app)
        await wait_until(pilot, lambda: "~ SourceOutput" in screen_text(app))
        assert screen.diff is not None
        assert screen.diff.baseline_id == summary(2).execution_id  # summary(1) failed: skipped
        text = screen_text(app)
        assert "Since the last success" in text
        assert "~ SourceOutput" in text
        assert "commit 11111111  Older commit" in text
        assert "→ commit 3f2a9c1d  Fix login redirect" in text
        assert "$ENV  staging → prod" in text
        assert "+ $NEW  1" in text
        assert "− $OLD  x" in text
        # The history was given: no ListPipelineExecutions needed.
        assert not [c for c in service.calls if c[0] == "ListPipelineExecutions"]


async def test_diff_fetches_history_when_not_given() -> None:
    app, service = _setup(history=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = _screen(app)
        await wait_until(pilot, lambda: screen.diff is not None)
        assert ("ListPipelineExecutions", None) in service.calls
        assert ("GetPipelineExecution", summary(2).execution_id) in service.calls


async def test_focus_places_cursor_on_the_requested_action() -> None:
    app, _ = _setup(focus=("Build", "Compile"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = _screen(app)
        await wait_until(pilot, lambda: screen.table.row_count == 4)
        await pilot.pause()
        selected = screen.selected_action_execution
        assert selected is not None and selected.action_name == "Compile"


async def test_l_opens_logs_for_a_codebuild_action(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[tuple[Target, str]] = []

    class FakeLogScreen(Screen[None]):
        def __init__(self, target: Target, *, build_id: str, **kwargs: Any) -> None:
            super().__init__()
            opened.append((target, build_id))

    monkeypatch.setattr(logs, "LogScreen", FakeLogScreen)
    app, _ = _setup()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: _screen(app).table.row_count == 4)
        await pilot.press("l")
        await wait_until(pilot, lambda: bool(opened))
        assert opened == [(TARGET, "lint-project:0b1c2d3e")]


async def test_l_on_a_non_codebuild_action_explains() -> None:
    app, _ = _setup(focus=("Source", "Checkout"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: _screen(app).table.row_count == 4)
        await pilot.press("l")
        await pilot.pause()
        assert any("CodeBuild" in str(n.message) for n in told(app))
        assert isinstance(app.screen, ExecutionScreen)


async def test_load_error_is_shown() -> None:
    app, service = _setup()
    service.errors["GetPipelineExecution"] = NotFound("Execution not found")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: "Could not load execution" in screen_text(app))
        await wait_for_text(pilot, "Execution not found")


def test_find_last_success_rules() -> None:
    history = [summary(0, Status.FAILED), summary(1, Status.IN_PROGRESS), summary(2), summary(3)]
    assert find_last_success(history, summary(0).execution_id) == summary(2).execution_id
    assert find_last_success(history, summary(2).execution_id) == summary(3).execution_id
    assert find_last_success(history, summary(3).execution_id) is None
    assert find_last_success(history, "unknown") is False


def test_diff_kinds() -> None:
    old = execution("old", OLD_COMMIT, "a", {"A": "1", "B": "2"})
    new = execution("new", COMMIT, "b", {"A": "1", "B": "3", "C": "4"})
    diff = diff_executions(old, new)
    assert [(c.key, c.kind) for c in diff.revisions] == [("SourceOutput", ChangeKind.CHANGED)]
    assert [(c.key, c.kind) for c in diff.variables] == [("B", ChangeKind.CHANGED), ("C", ChangeKind.ADDED)]
    assert diff_executions(old, old).empty


# --- the real App against the simulator --------------------------------------------------------


async def test_sim_failed_action_first_and_diff_against_last_success(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(
            pilot, lambda: app.store.latest_execution(EAST, "web-frontend") is not None, timeout=10
        )
        latest = app.store.latest_execution(EAST, "web-frontend")
        assert latest is not None and latest.status == Status.FAILED
        screen = ExecutionScreen(EAST, "web-frontend", latest.execution_id)
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.table.row_count > 0 and screen.diff is not None, timeout=10)
        first = screen.actions[screen.table.row_keys_in_order()[0]]
        assert (first.stage_name, first.action_name, first.status) == ("Test", "E2E-Tests", Status.FAILED)
        assert first.error_message
        assert screen.selected_action_execution == first
        # The baseline is the newest older Succeeded execution, as the API lists them.
        service = app.services[EAST.key]
        history = (await service.list_executions("web-frontend", max_results=100)).items
        baseline_id = find_last_success(list(history), latest.execution_id)
        assert isinstance(baseline_id, str) and screen.diff is not None
        assert screen.diff.baseline_id == baseline_id
        old = await service.get_execution("web-frontend", baseline_id)
        new = await service.get_execution("web-frontend", latest.execution_id)
        old_rev, new_rev = old.artifact_revisions[0].revision_id, new.artifact_revisions[0].revision_id
        assert old_rev and new_rev and old_rev != new_rev
        await wait_until(pilot, lambda: f"→ commit {new_rev[:8]}" in screen_text(app))
        text = screen_text(app)
        assert f"commit {old_rev[:8]}" in text
        assert first.error_message[:30] in text


# --- a retried stage: the latest attempt per action (issue 11, section 2) -------------------------


def _retried() -> list[ActionExecution]:
    """Test › Lint failed, the stage was retried, and Lint's second attempt succeeded."""
    first = action_executions(summary(0).execution_id)
    failed = next(a for a in first if a.action_name == "Lint")
    retry = replace(
        failed,
        action_execution_id="Test-Lint-retry",
        status=Status.SUCCEEDED,
        start_time=NOW - timedelta(minutes=3),
        last_update_time=NOW - timedelta(minutes=1),
        error_code=None,
        error_message=None,
    )
    return [retry, *first]  # newest first, as AWS lists them


def test_latest_attempts_keep_one_per_action_newest_wins() -> None:
    latest, earlier = latest_attempts(_retried())
    lint = [a for a in latest if a.action_name == "Lint"]
    assert [a.action_execution_id for a in lint] == ["Test-Lint-retry"]
    assert [a.status for a in earlier[("Test", "Lint")]] == [Status.FAILED]
    assert len(latest) == 4 and set(earlier) == {("Test", "Lint")}


async def test_after_a_successful_retry_the_old_failure_is_not_the_headline() -> None:
    app, service = _setup()
    current = summary(0).execution_id
    service.actions[current] = _retried()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: _screen(app).table.row_count == 4)
        screen = _screen(app)
        names = [screen.actions[k].action_name for k in screen.table.row_keys_in_order()]
        assert sorted(names) == ["Checkout", "Compile", "Lint", "UnitTests"]  # Lint once
        await wait_for_text(pilot, "Lint  retried")
        assert not screen.query_one("#execution-failure").display or "✖ Test › Lint" not in screen_text(app)
        lint_key = next(k for k, a in screen.actions.items() if a.action_name == "Lint")
        screen.table.move_cursor(row=screen.table.get_row_index(lint_key))
        await wait_for_text(pilot, "Retried")
        assert "Failed" in screen_text(app) and "JobFailed" in screen_text(app)

"""Operator actions end to end: key -> dialog -> one API call -> notice -> audit -> refresh.

The real App drives real aiobotocore services against the simulator; the simulator's own state and
call counters prove what was (and was not) sent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyperclip
import pytest
from textual.widgets import Button, Input

from tests.support.apps import (
    APPROVAL,
    EAST,
    mutations_sent,
    open_dialog,
    open_pipeline,
    operator_notices,
    press_confirm,
    sim_app,
    wait_for_result,
    wait_for_screen,
)
from tests.support.dialogs import answer_approval, audit
from tests.support.sim import aio_client
from tests.support.wait import screen_text, wait_for_text, wait_until
from tui.core import actions
from tui.core.actions import Outcome
from tui.sim import Simulator
from tui.ui import send
from tui.ui.screens.chooser import ValueChooser
from tui.ui.screens.dialogs import (
    ApprovalDialog,
    ConfirmDialog,
    RetryDialog,
    RollbackDialog,
    StartDialog,
    StopDialog,
    TransitionDialog,
)

# --- approve -----------------------------------------------------------------------------------


async def test_approve_sends_once_moves_the_stage_on_and_audits(sim: Simulator, tmp_path: Path) -> None:
    world = sim.engine.world()
    (pending,) = [p for p in world.pending_approvals() if p.pipeline == APPROVAL[0]]
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "a", ApprovalDialog, *APPROVAL)
        await wait_for_text(pilot, "in account 123456789012, region us-east-1")
        dialog.query_one("#approval-summary", Input).value = "staging p99 fine"
        await pilot.pause()
        approve = dialog.query_one("#choice-approve", Button)
        approve.press()
        approve.press()  # a double click: one request
        result = await wait_for_result(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED
        await wait_until(pilot, lambda: "Approve — payments-api-prod" in operator_notices(app))
    assert sim.calls["PutApprovalResult"] == 1
    pipeline = sim.engine.world().pipelines[APPROVAL[0]]
    assert sim.engine.world().pending_approvals() == [
        p for p in sim.engine.world().pending_approvals() if p.pipeline != APPROVAL[0]
    ]
    assert pipeline.stage_status("Approval") == "Succeeded"
    assert pipeline.stage_latest.get("Production") == pending.execution_id  # it moved on
    (line,) = audit(tmp_path)
    assert line["operation"] == "PutApprovalResult"
    assert line["outcome"] == "succeeded"
    assert line["target"] == "payments-api-prod / Approval / Approve-Production"
    assert line["region"] == "us-east-1"
    assert line["account"] == "123456789012"
    assert str(line["identity"]).startswith("arn:aws:sts::123456789012:")
    assert re.fullmatch(r"[0-9a-f-]{36}", str(line["request_id"]))  # AWS's id of the call
    assert line["params"] == {
        "pipelineName": "payments-api-prod",
        "stageName": "Approval",
        "actionName": "Approve-Production",
        "executionId": pending.execution_id,
        "status": "Approved",
        "summary": "staging p99 fine",
    }
    assert pending.token not in (tmp_path / "audit.jsonl").read_text()


async def test_double_enter_on_approve_sends_once(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "a", ApprovalDialog, *APPROVAL)
        dialog.query_one("#approval-summary", Input).value = "ok"
        await pilot.pause()
        dialog.query_one("#choice-approve", Button).focus()
        await pilot.press("enter", "enter")
        await wait_for_result(pilot, app)
        await pilot.press("enter")  # lands on the pipeline screen: opens nothing that sends
        await pilot.pause()
    assert sim.calls["PutApprovalResult"] == 1


async def test_a_on_a_non_approval_action_opens_nothing(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, "payments-api-prod", "Build", "Build")
        assert screen.check_action("approve", ()) is None  # shown disabled, not offered
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is screen
    assert sim.calls["PutApprovalResult"] == 0


async def test_approval_already_answered_elsewhere_is_explained(sim: Simulator, tmp_path: Path) -> None:
    (pending,) = [p for p in sim.engine.world().pending_approvals() if p.pipeline == APPROVAL[0]]
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_dialog(pilot, app, "a", ApprovalDialog, *APPROVAL)
        async with aio_client(sim, "codepipeline") as other:  # a colleague answers first
            await other.put_approval_result(
                pipelineName=pending.pipeline,
                stageName=pending.stage,
                actionName=pending.action,
                token=pending.token,
                result={"summary": "mine", "status": "Approved"},
            )
        refreshes = sim.calls["GetPipelineState"]
        await answer_approval(pilot, "me too")
        result = await wait_for_result(pilot, app)
        assert result.outcome is Outcome.FAILED
        assert "already approved or rejected" in operator_notices(app)
        assert "Traceback" not in screen_text(app)
        await wait_until(pilot, lambda: sim.calls["GetPipelineState"] > refreshes)  # refreshed
    assert sim.calls["PutApprovalResult"] == 2  # the colleague's, and ours (refused by AWS)
    assert audit(tmp_path)[0]["error_code"] == "ApprovalAlreadyCompletedException"


async def test_expired_approval_token_is_stale(sim: Simulator, tmp_path: Path) -> None:
    (pending,) = [p for p in sim.engine.world().pending_approvals() if p.pipeline == APPROVAL[0]]
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_dialog(pilot, app, "a", ApprovalDialog, *APPROVAL)
        sim.clock.advance(pending.expires - sim.engine.now() + 60)  # it times out
        await answer_approval(pilot, "late")
        result = await wait_for_result(pilot, app)
        assert result.outcome is Outcome.FAILED
        assert "the approval changed since it was loaded" in operator_notices(app)


async def test_access_denied_names_the_missing_permission(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, *APPROVAL)
        sim.set_faults("deny=PutApprovalResult")
        await pilot.press("a")
        await wait_for_screen(pilot, app, ApprovalDialog)
        await answer_approval(pilot, "ok")
        result = await wait_for_result(pilot, app)
        assert result.outcome is Outcome.FAILED
        assert "codepipeline:PutApprovalResult" in operator_notices(app)
    assert sim.engine.world().pipelines[APPROVAL[0]].stage_status("Approval") == "InProgress"
    (line,) = audit(tmp_path)
    assert line["outcome"] == "failed"
    assert line["error_code"] == "AccessDeniedException"


async def test_dropped_answer_is_outcome_unknown_then_refresh(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_dialog(pilot, app, "a", ApprovalDialog, *APPROVAL)
        sim.set_faults("drop=1@PutApprovalResult")
        refreshes = sim.calls["GetPipelineState"]
        await answer_approval(pilot, "ok")
        result = await wait_for_result(pilot, app)
        assert result.outcome is Outcome.UNKNOWN
        assert "outcome unknown — refreshing to show the truth" in operator_notices(app)
        sim.set_faults("")
        await wait_until(pilot, lambda: sim.calls["GetPipelineState"] > refreshes)
    assert sim.calls["PutApprovalResult"] == 1  # sent once, never retried
    assert audit(tmp_path)[0]["outcome"] == "unknown"


# --- protected pipelines and read-only -----------------------------------------------------------


async def test_protected_pipeline_needs_its_name(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path, protected=["*-prod"])
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "a", ApprovalDialog, *APPROVAL)
        dialog.query_one("#approval-summary", Input).value = "ok"
        await pilot.pause()
        buttons = [dialog.query_one(f"#choice-{c}", Button) for c in ("approve", "reject")]
        assert all(b.disabled for b in buttons)
        await pilot.click("#choice-approve")  # disabled: nothing happens
        await pilot.pause()
        assert sim.calls["PutApprovalResult"] == 0
        dialog.query_one("#dialog-protected-name", Input).value = "payments-api-prod"
        await pilot.pause()
        assert not any(b.disabled for b in buttons)
        await pilot.click("#choice-approve")
        await wait_for_result(pilot, app)
    assert sim.calls["PutApprovalResult"] == 1


@pytest.mark.parametrize("how", ["flag", "config"])
async def test_read_only_hides_keys_and_sends_nothing(sim: Simulator, tmp_path: Path, how: str) -> None:
    app = sim_app(sim, tmp_path, read_only=how == "flag", config_read_only=how == "config")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, "web-frontend", "Test")
        for action in ("approve", "retry", "rollback", "transition", "stop", "start"):
            assert screen.check_action(action, ()) is False, action
        shown = {b.binding.action for b in app.active_bindings.values()}
        assert not shown & {"retry", "stop", "start", "transition", "rollback"}
        for key in ("R", "t", "X", "S", "B"):
            await pilot.press(key)
        await pilot.pause()
        assert app.screen is screen
        # Below the UI: the runner itself refuses, and says so in the audit log.
        request = actions.start_execution(EAST, "web-frontend")
        result = await app.actions.run(request, app.services[EAST.key])
        assert result.outcome is Outcome.REFUSED
    assert mutations_sent(sim) == 0
    assert [line["outcome"] for line in audit(tmp_path)] == ["refused"]


# --- cancel sends nothing ------------------------------------------------------------------------

CANCEL_CASES = [
    ("a", APPROVAL, ApprovalDialog),
    ("R", ("web-frontend", "Test", None), RetryDialog),
    ("B", ("order-service", "Build", None), RollbackDialog),
    ("t", ("web-frontend", "Deploy", None), TransitionDialog),
    ("X", ("auth-service", "Build", None), StopDialog),
    ("S", ("docs-site", "Build", None), StartDialog),
]


@pytest.mark.parametrize(("key", "where", "dialog"), CANCEL_CASES, ids=[c[0] for c in CANCEL_CASES])
async def test_cancel_sends_nothing(
    sim: Simulator, tmp_path: Path, key: str, where: tuple[str, str, str | None], dialog: type
) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, *where)
        before = mutations_sent(sim)
        await pilot.press(key)
        await wait_for_screen(pilot, app, dialog)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        assert mutations_sent(sim) == before == 0
    assert audit(tmp_path) == []


# --- retry ---------------------------------------------------------------------------------------


async def test_retry_failed_actions_restarts_the_stage(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, "web-frontend", "Build")
        assert screen.check_action("retry", ()) is None  # Build succeeded: not offered
        screen.graph.select("Test", None)
        screen.refresh_bindings()
        assert screen.check_action("retry", ()) is True
        await pilot.press("R")
        await wait_for_screen(pilot, app, RetryDialog)
        await wait_for_text(pilot, "Retry the failed actions of stage Test")
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED
    assert sim.calls["RetryStageExecution"] == 1
    assert sim.engine.world().pipelines["web-frontend"].stage_status("Test") == "InProgress"
    (line,) = audit(tmp_path)
    assert line["params"]["retryMode"] == "FAILED_ACTIONS"  # type: ignore[index]


async def test_retry_refused_by_aws_is_explained(sim: Simulator, tmp_path: Path) -> None:
    failure = next(f for f in sim.engine.world().retryable_failures() if f.pipeline == "web-frontend")
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_dialog(pilot, app, "R", RetryDialog, "web-frontend", "Test")
        async with aio_client(sim, "codepipeline") as other:  # someone retried it already
            await other.retry_stage_execution(
                pipelineName="web-frontend",
                stageName="Test",
                pipelineExecutionId=failure.execution_id,
                retryMode="FAILED_ACTIONS",
            )
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.FAILED
        assert "conflicts with the pipeline's current state" in operator_notices(app)


async def test_retry_of_a_stage_that_no_longer_failed(sim: Simulator, tmp_path: Path) -> None:
    failure = next(f for f in sim.engine.world().retryable_failures() if f.pipeline == "web-frontend")
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_dialog(pilot, app, "R", RetryDialog, "web-frontend", "Test")
        world = sim.engine.world()
        for action in world.pipelines["web-frontend"].spec.stage("Test").actions:  # type: ignore[union-attr]
            world.pipelines["web-frontend"].force("Test", action.name, outcome="Succeeded", duration=5)
        async with aio_client(sim, "codepipeline") as other:
            await other.retry_stage_execution(
                pipelineName="web-frontend",
                stageName="Test",
                pipelineExecutionId=failure.execution_id,
                retryMode="ALL_ACTIONS",
            )
        sim.clock.advance(600)
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.FAILED
        assert "cannot retry this stage" in operator_notices(app)


async def test_throttled_mutation_is_reported_not_repeated(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, "web-frontend", "Test")
        sim.set_faults("throttle=1@RetryStageExecution")
        await pilot.press("R")
        await wait_for_screen(pilot, app, RetryDialog)
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.FAILED
        assert "throttling" in operator_notices(app)
    assert sim.calls["RetryStageExecution"] == 1
    assert audit(tmp_path)[0]["error_code"] == "ThrottlingException"


# --- transitions ---------------------------------------------------------------------------------


async def test_disable_transition_with_a_reason(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "t", TransitionDialog, "web-frontend", "Deploy")
        assert dialog.query_one("#choice-confirm", Button).disabled  # the reason is required
        await pilot.press(*"Release freeze (INC-42)", "enter")  # enter: no confirm
        assert sim.calls["DisableStageTransition"] == 0
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED
    transition = sim.engine.world().pipelines["web-frontend"].transitions["Deploy"]
    assert transition.enabled is False
    assert transition.reason == "Release freeze (INC-42)"
    assert sim.calls["DisableStageTransition"] == 1


async def test_enable_a_disabled_transition(sim: Simulator, tmp_path: Path) -> None:
    pipeline = sim.engine.world().pipelines["infra-network"]
    assert pipeline.transitions["Production"].enabled is False
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_dialog(pilot, app, "t", TransitionDialog, "infra-network", "Production")
        await wait_for_text(pilot, "Enable the transition into stage Production")
        await press_confirm(pilot, app)
    assert sim.engine.world().pipelines["infra-network"].transitions["Production"].enabled is True
    assert sim.calls["EnableStageTransition"] == 1


# --- stop, start, rollback -----------------------------------------------------------------------


async def test_stop_and_abandon_a_running_execution(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "X", StopDialog, "auth-service", "Build")
        await pilot.click("#stop-abandon")
        dialog.query_one("#stop-reason", Input).value = "bad commit"
        await pilot.pause()
        chosen = dialog.chosen
        assert chosen is not None
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED
    execution = sim.engine.world().pipelines["auth-service"].executions[chosen.execution_id]
    assert execution.status in ("Stopping", "Stopped")
    assert execution.abandon is True
    assert execution.stop_reason == "bad commit"
    assert sim.calls["StopPipelineExecution"] == 1


async def test_start_a_release_with_a_variable(sim: Simulator, tmp_path: Path) -> None:
    before = set(sim.engine.world().pipelines["payments-api-prod"].executions)
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "S", StartDialog, "payments-api-prod", "Build")
        assert dialog.query_one("#start-var-0", Input).value == "prod"
        dialog.query_one("#start-var-1", Input).value = "hotfix 1234"
        await pilot.pause()
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED
    executions = sim.engine.world().pipelines["payments-api-prod"].executions
    (new,) = set(executions) - before
    assert executions[new].variables["RELEASE_NOTES"] == "hotfix 1234"
    assert result.value == new
    assert sim.calls["StartPipelineExecution"] == 1


async def test_a_retried_start_starts_one_execution(sim: Simulator, tmp_path: Path) -> None:
    """The idempotency token of one confirmation: sending it again (after an unknown outcome)
    starts nothing new."""
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)):
        request = actions.start_execution(EAST, "docs-site")
        service = app.services[EAST.key]
        first = await request.call(service)
        second = await request.call(service)
    assert first == second
    assert sim.calls["StartPipelineExecution"] == 2


async def test_rollback_to_an_earlier_successful_execution(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "B", RollbackDialog, "order-service", "Build")
        assert dialog.candidates, "the demo has earlier successful executions"
        target = dialog.chosen
        assert target is not None
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED, operator_notices(app)
    executions = sim.engine.world().pipelines["order-service"].executions
    rollback = executions[str(result.value)]
    assert rollback.execution_type == "ROLLBACK"
    assert rollback.rollback_target == target.execution_id
    assert sim.calls["RollbackStage"] == 1


async def test_rollback_on_a_v1_pipeline_explains(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_dialog(pilot, app, "B", RollbackDialog, "docs-site", "Deploy")
        await wait_for_text(pilot, "available only for V2 pipelines")
        await pilot.press("escape")
    assert sim.calls["RollbackStage"] == 0


# --- copy and link -------------------------------------------------------------------------------


async def test_copy_falls_back_to_osc52(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_clipboard(text: str) -> None:
        raise pyperclip.PyperclipException("no clipboard")

    monkeypatch.setattr(pyperclip, "copy", no_clipboard)
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        chooser = await open_dialog(pilot, app, "y", ValueChooser, "web-frontend", "Test")
        labels = [label for label, _ in chooser.items]
        assert labels[:2] == ["Pipeline name", "Pipeline ARN"]
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: "Copied pipeline arn" in operator_notices(app))
        assert app.clipboard == "arn:aws:codepipeline:us-east-1:123456789012:web-frontend"
        assert "OSC 52" in operator_notices(app)


async def test_link_shows_the_console_deep_links(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        chooser = await open_dialog(pilot, app, "b", ValueChooser, "web-frontend", "Test")
        values = [value for _, value in chooser.items]
        base = "https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/web-frontend"
        assert f"{base}/view?region=us-east-1" in values
        assert any(
            v.startswith(f"{base}/executions/") and v.endswith("/timeline?region=us-east-1") for v in values
        )
        await pilot.press("escape")


@pytest.mark.slow
async def test_copy_and_link_from_history_and_execution_name_the_execution(
    sim: Simulator, tmp_path: Path
) -> None:
    from tui.ui.screens.execution import ExecutionScreen
    from tui.ui.screens.history import HistoryScreen

    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        history = await open_dialog(pilot, app, "h", HistoryScreen, "web-frontend", "Test")
        await wait_until(pilot, lambda: bool(history.executions), timeout=10)
        selected = history.table.cursor_key
        await pilot.press("y")
        chooser = await wait_for_screen(pilot, app, ValueChooser)
        assert selected in [value for _, value in chooser.items]
        await pilot.press("escape")
        await pilot.press("b")
        chooser = await wait_for_screen(pilot, app, ValueChooser)
        assert any(f"/executions/{selected}/timeline" in value for _, value in chooser.items)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is history)
        await pilot.press("enter")
        execution = await wait_for_screen(pilot, app, ExecutionScreen)
        await wait_until(pilot, lambda: execution.selected_action_execution is not None, timeout=10)
        await pilot.press("y")
        chooser = await wait_for_screen(pilot, app, ValueChooser)
        values = [value for _, value in chooser.items]
        assert execution.execution_id in values
        action = execution.selected_action_execution
        assert action is not None and action.external_execution_id in values
        await pilot.press("escape")


# --- the generic glue ----------------------------------------------------------------------------


@pytest.mark.slow
async def test_perform_confirms_a_ready_request_once(sim: Simulator, tmp_path: Path) -> None:
    """``send.perform``: ConfirmDialog (protected: name first), ``y`` confirms, one call."""
    app = sim_app(sim, tmp_path, protected=["web-*"])
    async with app.run_test(size=(120, 36)) as pilot:
        await open_pipeline(pilot, app, "web-frontend", "Deploy")
        request = actions.set_transition(EAST, "web-frontend", "Deploy", enabled=False, reason="freeze")
        app.run_worker(send.perform(app, request), group="operator")
        dialog = await wait_for_screen(pilot, app, ConfirmDialog)
        await wait_for_text(pilot, "Disable the transition into stage Deploy of web-frontend")
        assert dialog.query_one("#choice-confirm", Button).disabled
        await pilot.press(*"web-frontend")
        await pilot.click("#choice-confirm")
        await pilot.press("y")  # the dialog is gone: nothing more to confirm
        result = await wait_for_result(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED
    assert sim.calls["DisableStageTransition"] == 1
    assert sim.engine.world().pipelines["web-frontend"].transitions["Deploy"].reason == "freeze"

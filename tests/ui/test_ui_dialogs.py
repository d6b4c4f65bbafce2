"""The operator dialogs on their own: what they show, what gates the confirm, and that it fires once.

A bare host App pushes one dialog and records what it dismisses with; nothing is sent anywhere (the
simulator-backed tests in test_ui_actions.py run the whole flow with the real App and client).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Input

from tests.support.wait import wait_for_text, wait_until
from tui.core import actions
from tui.core.actions import ActionRequest
from tui.core.model import (
    ActionCategory,
    ActionDef,
    ApprovalRequest,
    ExecutionMode,
    ExecutionSummary,
    Identity,
    PipelineDef,
    PipelineType,
    PipelineVariableDef,
    RetryMode,
    SourceRevision,
    StageDef,
    Status,
    Target,
    TransitionState,
)
from tui.ui.screens.dialog_base import ActionDialog
from tui.ui.screens.dialogs import (
    ApprovalDialog,
    ConfirmDialog,
    RetryDialog,
    RollbackDialog,
    StartDialog,
    StopDialog,
    TransitionDialog,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TARGET = Target(region="eu-west-1", profile="ops")
IDENTITY = Identity(account="123456789012", arn="arn:aws:sts::123456789012:assumed-role/ops/me")
UNSET = object()


class Host(App[None]):
    """Pushes one dialog and keeps what it dismissed with."""

    def __init__(self, dialog: ActionDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.results: list[ActionRequest | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.results.append)

    async def confirm(self, pilot: Pilot[None]) -> ActionRequest:
        """Nothing dismissed yet; click the confirm button: the one request it dismisses with."""
        await pilot.pause()
        assert self.results == []
        await pilot.click("#choice-confirm")
        await wait_until(pilot, lambda: bool(self.results))
        (request,) = self.results
        assert request is not None
        return request


def approval(**overrides: Any) -> ApprovalRequest:
    values: dict[str, Any] = {
        "target": TARGET,
        "pipeline_name": "payments-api-prod",
        "stage_name": "Approval",
        "action_name": "Approve-Production",
        "token": "token-1234",
        "execution_id": "fef2ec64-7593-429b-a0ae-d143182d53c1",
        "waiting_since": NOW - timedelta(minutes=12),
        "expires_at": NOW + timedelta(minutes=48),
        "custom_data": "Check [bold]p99[/] latency\x1b]52;c;ZXZpbA==\x07",
        "external_url": "https://grafana.example.com/d/payments",
        "source_revisions": (
            SourceRevision("Source", "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "Fix refunds\nbody"),
        ),
    }
    values.update(overrides)
    return ApprovalRequest(**values)


def choice_buttons(app: App[None]) -> list[Button]:
    return list(app.screen.query(".dialog-choice").results(Button))


async def test_approval_dialog_shows_what_an_approver_needs() -> None:
    app = Host(ApprovalDialog(approval(), identity=IDENTITY, now=lambda: NOW))
    async with app.run_test(size=(120, 36)) as pilot:
        text = await wait_for_text(
            pilot, "payments-api-prod", "in account 123456789012, region eu-west-1 (ops)"
        )
        for expected in (
            "payments-api-prod",
            "Approve-Production",
            "fef2ec64-7593-429b-a0ae-d143182d53c1",
            "a1b2c3d4  Fix refunds",
            "Check [bold]p99[/] latency",  # markup shown as text, never interpreted
            "https://grafana.example.com/d/payments",
            "12m ago",
            "48m 00s",
            "in account 123456789012, region eu-west-1 (ops)",
        ):
            assert expected in text, expected
        assert "ZXZpbA" not in text  # the OSC 52 sequence was stripped, payload included
        # Neither decision has the focus, and both wait for a summary.
        assert isinstance(app.focused, Input) and app.focused.id == "approval-summary"
        assert all(b.disabled for b in choice_buttons(app))


async def test_enter_in_the_summary_does_not_approve() -> None:
    app = Host(ApprovalDialog(approval(), identity=IDENTITY, now=lambda: NOW))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press(*"looks good", "enter", "enter")
        await pilot.pause()
        assert app.results == []
        assert all(not b.disabled for b in choice_buttons(app))


async def test_reject_sends_the_summary_and_fires_once() -> None:
    app = Host(ApprovalDialog(approval(), identity=IDENTITY, now=lambda: NOW))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press(*"p99 too high")
        reject = app.screen.query_one("#choice-reject", Button)
        # A double click: both presses are queued before the dialog handles the first.
        reject.press()
        reject.press()
        await wait_until(pilot, lambda: bool(app.results))
        assert len(app.results) == 1
        request = app.results[0]
        assert request is not None
        assert request.operation == "PutApprovalResult"
        assert request.params["status"] == "Rejected"
        assert request.params["summary"] == "p99 too high"


async def test_protected_pipeline_needs_its_name_typed() -> None:
    app = Host(ApprovalDialog(approval(), identity=IDENTITY, now=lambda: NOW, protected=True))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press(*"ok")
        assert all(b.disabled for b in choice_buttons(app))
        app.screen.query_one("#dialog-protected-name", Input).focus()
        await pilot.press(*"payments-api-pro")
        assert all(b.disabled for b in choice_buttons(app))
        await wait_for_text(pilot, "type payments-api-prod exactly")
        await pilot.press("d")
        assert all(not b.disabled for b in choice_buttons(app))
        await pilot.click("#choice-approve")
        await wait_until(pilot, lambda: bool(app.results))
        assert len(app.results) == 1 and app.results[0] is not None
        assert app.results[0].params["status"] == "Approved"


async def test_confirm_dialog_enter_cancels_and_its_key_confirms_once() -> None:
    request = actions.set_transition(TARGET, "web", "Deploy", enabled=True)
    app = Host(ConfirmDialog(request, identity=IDENTITY))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await wait_for_text(pilot, "in account 123456789012, region eu-west-1 (ops)")
        assert app.focused is not None and app.focused.id == "dialog-cancel-button"
        await pilot.press("enter", "enter")  # a reflex: Cancel has the focus
        await wait_until(pilot, lambda: bool(app.results))
        assert app.results == [None]
    app = Host(ConfirmDialog(request, identity=IDENTITY))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_text(pilot, "Enable transition (y)")  # the key is on the button
        await pilot.press("y", "y")
        await wait_until(pilot, lambda: bool(app.results))
        assert app.results == [request]


async def test_confirm_dialog_escape_cancels() -> None:
    request = actions.set_transition(TARGET, "web", "Deploy", enabled=True)
    app = Host(ConfirmDialog(request, identity=IDENTITY))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await wait_until(pilot, lambda: bool(app.results))
        assert app.results == [None]


async def test_retry_dialog_offers_both_modes() -> None:
    dialog = RetryDialog(TARGET, "web", "Test", "exec-1", failed_actions=("E2E",), identity=IDENTITY)
    app = Host(dialog)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await wait_for_text(pilot, "Failed actions only (E2E)")
        await pilot.press("j", "enter")  # j moves like down; enter chooses, never confirms
        request = await app.confirm(pilot)
        assert request.params["retryMode"] == RetryMode.ALL_ACTIONS.value
        assert request.params["pipelineExecutionId"] == "exec-1"


@pytest.mark.slow
async def test_transition_reason_is_required_and_checked_against_aws_rules() -> None:
    app = Host(
        TransitionDialog(TARGET, "web", "Deploy", TransitionState(), identity=IDENTITY, now=lambda: NOW)
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await wait_for_text(pilot, "a reason is required")
        await pilot.press(*"freeze: INC-1", "enter")
        await pilot.pause()
        assert app.results == []
        await wait_for_text(pilot, "AWS accepts only letters")
        for _ in range(len(": INC-1")):
            await pilot.press("backspace")
        await pilot.press(*" for INC-1", "enter")
        request = await app.confirm(pilot)  # enter in the reason never confirms
        assert request.operation == "DisableStageTransition"
        assert request.params["reason"] == "freeze for INC-1"


def _summary(eid: str, hours: int, status: Status = Status.SUCCEEDED) -> ExecutionSummary:
    return ExecutionSummary(
        "web",
        eid,
        status,
        start_time=NOW - timedelta(hours=hours),
        source_revisions=(SourceRevision("Source", f"{hours}" * 40, f"commit {hours}"),),
    )


def rollback_host(pipeline_type: PipelineType, candidates: list[ExecutionSummary]) -> Host:
    return Host(
        RollbackDialog(
            TARGET,
            "web",
            "Deploy",
            candidates,
            pipeline_type=pipeline_type,
            identity=IDENTITY,
            now=lambda: NOW,
        )
    )


async def test_rollback_lists_revisions_and_explains_v1() -> None:
    candidates = [_summary("exec-a", 1), _summary("exec-b", 2)]
    app = rollback_host(PipelineType.V2, candidates)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_text(pilot, "11111111 commit 1", "22222222 commit 2")
        await pilot.press("j", "enter")
        request = await app.confirm(pilot)  # enter on the list chose exec-b; it did not roll back
        assert request.params["targetPipelineExecutionId"] == "exec-b"

    v1 = rollback_host(PipelineType.V1, candidates)
    async with v1.run_test(size=(120, 36)) as pilot:
        await wait_for_text(pilot, "available only for V2 pipelines")
        assert choice_buttons(v1) == []


async def test_stop_dialog_chooses_among_parallel_executions_and_abandons() -> None:
    running = [_summary("exec-a", 1, Status.IN_PROGRESS), _summary("exec-b", 2, Status.IN_PROGRESS)]
    app = Host(StopDialog(TARGET, "web", running, identity=IDENTITY, now=lambda: NOW))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # exec-b, then on to the mode
        await pilot.click("#stop-abandon")
        app.screen.query_one("#stop-reason", Input).focus()
        await pilot.press(*"bad build", "enter")
        request = await app.confirm(pilot)
        assert request.params == {
            "pipelineName": "web",
            "pipelineExecutionId": "exec-b",
            "abandon": True,
            "reason": "bad build",
        }


async def test_start_dialog_prefills_variables_and_sends_only_changes() -> None:
    definition = PipelineDef(
        "web",
        3,
        PipelineType.V2,
        ExecutionMode.QUEUED,
        (StageDef("Source", (ActionDef("Source", ActionCategory.SOURCE, "AWS", "CodeCommit"),)),),
        variables=(PipelineVariableDef("ENV", "prod"), PipelineVariableDef("NOTES", "routine")),
    )
    app = Host(StartDialog(TARGET, "web", definition, identity=IDENTITY))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#start-var-0", Input).value == "prod"
        app.screen.query_one("#start-var-1", Input).focus()
        await pilot.press("ctrl+u", *"hotfix")
        app.screen.query_one("#start-rev-0", Input).focus()
        await pilot.press(*"abc123", "enter")
        request = await app.confirm(pilot)
        assert request.params["variables"] == {"NOTES": "hotfix"}
        assert request.params["sourceRevisions"] == {"Source": "abc123"}
        assert "NOTES=hotfix" in request.confirmation

"""Operator actions under faults: never lost, never doubled, always audited.

tests/ui/test_ui_actions.py covers a dropped PutApprovalResult, a throttled retry and an idempotent
start; here: a mutation whose answer comes after the client gave up (it did happen), a 5xx answer
(it may have happened), a second key press while the first request hangs, and the wording of a
throttled mutation. Each time the next poll shows the truth and the audit log has every attempt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.support.apps import EAST, operator_notices
from tests.support.dialogs import answer_approval, audit
from tests.support.outcomes import results as recorded
from tests.support.rig import Rig, drive, open_pipeline, running
from tui.core.actions import ActionResult, Outcome
from tui.sim import Simulator
from tui.ui import operations as operator
from tui.ui.screens.dialogs import ApprovalDialog, RetryDialog
from tui.ui.screens.pipeline import PipelineScreen

APPROVAL = ("payments-api-prod", "Approval", "Approve-Production")
FAILED = ("web-frontend", "Test")


async def result_of(pilot: Pilot[Any], rig: Rig, count: int = 1) -> ActionResult:
    results = recorded(rig.app)
    await drive(pilot, rig, lambda: len(results) >= count, every=0.2, seconds=60)
    return results[-1]


async def approve(pilot: Pilot[Any], rig: Rig) -> None:
    screen = await open_pipeline(pilot, rig, APPROVAL[0])
    await drive(pilot, rig, lambda: rig.app.store.approvals(), every=0.5)
    screen.graph.select(APPROVAL[1], APPROVAL[2])
    await pilot.press("a")
    await drive(pilot, rig, lambda: isinstance(rig.app.screen, ApprovalDialog), every=0.2)
    await answer_approval(pilot, "checked the canary")


async def failed_stage_selected(pilot: Pilot[Any], rig: Rig) -> PipelineScreen:
    """The failed pipeline's screen, its state read, the failed stage selected."""
    screen = await open_pipeline(pilot, rig, FAILED[0])
    await drive(pilot, rig, lambda: rig.app.store.state(EAST, FAILED[0]) is not None, every=0.5)
    screen.graph.select(FAILED[1], None)
    return screen


async def press_retry(pilot: Pilot[Any], rig: Rig) -> None:
    """``R``, and the retry dialog is up."""
    await pilot.press("R")
    await drive(pilot, rig, lambda: isinstance(rig.app.screen, RetryDialog), every=0.2)


async def test_an_answer_that_comes_after_the_timeout_is_unknown_then_the_poll_shows_it_happened(
    sim: Simulator, tmp_path: Path
) -> None:
    """The request reached AWS and was applied; the answer came too late. The operator is told
    "outcome unknown", nothing is re-sent, and the refresh shows the approval went through."""
    world = sim.engine.world()
    pipeline = world.pipelines[APPROVAL[0]]
    async with running(sim, tmp_path, read_timeout=0.5) as (rig, _, pilot):
        sim.set_faults("latency=1500ms@PutApprovalResult")
        await approve(pilot, rig)
        result = await result_of(pilot, rig)
        assert result.outcome is Outcome.UNKNOWN
        assert "outcome unknown — refreshing to show the truth" in operator_notices(rig.app)
        # The server finishes the request it was still holding: the approval is given.
        await drive(pilot, rig, lambda: pipeline.stage_status(APPROVAL[1]) != "InProgress", every=0.2)
        assert pipeline.stage_status(APPROVAL[1]) == "Succeeded"
        await drive(pilot, rig, lambda: not rig.app.store.approvals(), every=0.5)
        state = rig.app.store.state(EAST, APPROVAL[0])
        stage = state.stage(APPROVAL[1]) if state else None
        assert stage is not None and str(stage.status) == "Succeeded"
    assert sim.calls["PutApprovalResult"] == 1  # sent once, never retried
    (line,) = audit(tmp_path)
    assert line["outcome"] == "unknown" and line["operation"] == "PutApprovalResult"
    assert line["error_code"] == "ReadTimeoutError"


async def test_a_5xx_answer_to_a_mutation_is_unknown_sent_once_and_the_poll_shows_the_truth(
    sim: Simulator, tmp_path: Path
) -> None:
    async with running(sim, tmp_path) as (rig, _, pilot):
        await failed_stage_selected(pilot, rig)
        sim.set_faults("5xx=1@RetryStageExecution")
        refreshes = sim.calls["GetPipelineState"]
        await press_retry(pilot, rig)
        await pilot.click("#choice-confirm")
        result = await result_of(pilot, rig)
        assert result.outcome is Outcome.UNKNOWN
        assert "outcome unknown" in operator_notices(rig.app)
        sim.set_faults("")
        await drive(pilot, rig, lambda: sim.calls["GetPipelineState"] > refreshes, every=0.5)
        await drive(pilot, rig, lambda: rig.app.poller.idle, every=0.5)
        state = rig.app.store.state(EAST, FAILED[0])
        stage = state.stage(FAILED[1]) if state else None
        assert stage is not None and str(stage.status) == "Failed"  # it did not happen
    assert sim.calls["RetryStageExecution"] == 1
    (line,) = audit(tmp_path)
    assert line["outcome"] == "unknown"
    assert line["error_code"] in ("InternalFailure", "ServiceUnavailable")


async def test_a_second_key_press_while_the_first_request_hangs_sends_nothing(
    sim: Simulator, tmp_path: Path
) -> None:
    async with running(sim, tmp_path) as (rig, _, pilot):
        screen = await failed_stage_selected(pilot, rig)
        sim.set_faults("latency=1500ms@RetryStageExecution")
        await press_retry(pilot, rig)
        dialog = rig.app.screen
        await pilot.click("#choice-confirm")
        await drive(pilot, rig, lambda: sim.calls["RetryStageExecution"] == 1, every=0.1)
        # The request is still on its way; the dialog stays up ("Sending…") until its answer.
        await pilot.press("R", "enter", "space", "escape")  # nothing here sends or closes
        assert rig.app.screen is dialog
        assert not operator.open_retry(rig.app, EAST, *FAILED)  # nor a second flow
        assert "already open or being sent — nothing sent twice" in operator_notices(rig.app)
        result = await result_of(pilot, rig)
        assert result.outcome is Outcome.SUCCEEDED
        await drive(pilot, rig, lambda: rig.app.screen is screen, every=0.2)  # closed by success
    assert sim.calls["RetryStageExecution"] == 1
    assert [line["outcome"] for line in audit(tmp_path)] == ["succeeded"]


async def test_a_throttled_mutation_says_it_was_not_applied(sim: Simulator, tmp_path: Path) -> None:
    """Reads retry by themselves; a mutation never does, so its notice must not promise it."""
    async with running(sim, tmp_path) as (rig, _, pilot):
        sim.set_faults("throttle=1@PutApprovalResult")
        await approve(pilot, rig)
        result = await result_of(pilot, rig)
        assert result.outcome is Outcome.FAILED
        assert "it was not applied; try again in a moment" in operator_notices(rig.app)
        assert "trying again shortly" not in operator_notices(rig.app)
        assert rig.app.store.approvals()  # still waiting, still offered
    assert sim.calls["PutApprovalResult"] == 1
    assert [line["outcome"] for line in audit(tmp_path)] == ["failed"]

"""The flows from a key press to a dialog for the stage and pipeline actions: approve, retry, roll
back, enable/disable a transition, stop, start.

Screens call the ``open_*`` functions (synchronous: they start a worker and return). Each flow gathers
what its dialog needs from the store (or, for history-based choices, one on-demand read through
``Host.reads``) and pushes the dialog; how it is confirmed, sent once, told and refreshed — and the
one-flow-per-subject guard — is ``tui.ui.send``.
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from tui.aws.errors import AwsError
from tui.core.error_text import error_text
from tui.core.model import (
    ApprovalRequest,
    ExecutionSummary,
    ExecutionType,
    Page,
    PipelineDef,
    PipelineType,
    SourceRevision,
    Status,
    Target,
)
from tui.core.sanitize import clean
from tui.core.store import approvals_from_state
from tui.ui.host import Host, host_of
from tui.ui.screens.dialogs import (
    ApprovalDialog,
    RetryDialog,
    RollbackDialog,
    StartDialog,
    StopDialog,
    TransitionDialog,
)
from tui.ui.send import attach, confirm_and_run, is_protected, launch, tell

ROLLBACK_HISTORY = 50  # executions read to find rollback targets (one ListPipelineExecutions call)
STOP_HISTORY = 25


def _key(target: Target, *parts: str) -> str:
    return "|".join((target.key, *parts))


# --- approvals ---------------------------------------------------------------------------------


def approval_for(
    host: Host, target: Target, pipeline: str, stage: str | None, action: str | None
) -> ApprovalRequest | None:
    """The waiting approval at that action, from the store (None if the action is not waiting)."""
    if stage is None or action is None:
        return None
    for approval in host.store.approvals():
        if (approval.target, approval.pipeline_name, approval.stage_name, approval.action_name) == (
            target,
            pipeline,
            stage,
            action,
        ):
            return approval
    # The approvals list may lag the state by a poll; the state's token is what AWS wants anyway.
    waiting = approvals_from_state(
        target,
        host.store.state(target, pipeline),
        host.store.definition(target, pipeline),
        host.store.latest_execution(target, pipeline),
    )
    return next((a for a in waiting if (a.stage_name, a.action_name) == (stage, action)), None)


def _known_revisions(host: Host, approval: ApprovalRequest) -> tuple[SourceRevision, ...] | None:
    """The source revisions of the execution being approved, if known without a read."""
    if approval.source_revisions or not approval.execution_id:
        return approval.source_revisions
    latest = host.store.latest_execution(approval.target, approval.pipeline_name)
    if latest is not None and latest.execution_id == approval.execution_id and latest.source_revisions:
        return latest.source_revisions
    return None


async def _revisions_of(
    host: Host, approval: ApprovalRequest
) -> tuple[tuple[SourceRevision, ...], str | None]:
    """The source revisions of the execution being approved (store first, else one read), and why
    they could not be read (None when they were, or there is nothing to read)."""
    known = _known_revisions(host, approval)
    execution_id = approval.execution_id
    if known is not None or not execution_id:
        return known or (), None
    try:
        execution = await host.reads.execution(
            approval.target,
            approval.pipeline_name,
            execution_id,
        )
    except AwsError as exc:
        # Unknown is not none: the dialog says the read failed and why (deciding does not
        # depend on it; the approver can still check the pipeline).
        return (), error_text(exc, max_len=120)
    revisions = tuple(
        SourceRevision(
            action_name=a.name,
            revision_id=a.revision_id,
            revision_summary=a.revision_summary,
            revision_url=a.revision_url,
        )
        for a in execution.artifact_revisions
    )
    return revisions, None


def open_approval(app: App[Any], approval: ApprovalRequest) -> bool:
    """Open the approval dialog for ``approval``; Approve/Reject sends PutApprovalResult once."""
    host = host_of(app)

    async def flow() -> None:
        # The dialog goes up at once with what the store knows; the execution's revisions (maybe
        # one read) fill in when they arrive. Keys typed meanwhile go to what is on screen.
        known = _known_revisions(host, approval)
        dialog = ApprovalDialog(
            approval,
            identity=host.store.identity(approval.target),
            now=host.now,
            protected=is_protected(host, approval.target, approval.pipeline_name),
            definition=host.store.definition(approval.target, approval.pipeline_name),
            revisions=known or (),
            loading=known is None,
        )
        attach(app, dialog)
        closed = app.push_screen(dialog, wait_for_dismiss=True)
        if known is None:
            revisions, problem = await _revisions_of(host, approval)
            dialog.set_revisions(revisions, problem=problem)
        await closed

    subject = _key(approval.target, approval.pipeline_name, approval.stage_name, approval.action_name)
    return launch(app, "approve|" + subject, flow)


# --- stage actions -----------------------------------------------------------------------------


def retry_blocker(host: Host, target: Target, pipeline: str, stage: str | None) -> str | None:
    """Why retry is not offered for this stage now (None: AWS would accept it)."""
    if stage is None:
        return "Select a failed stage to retry"
    pstate = host.store.state(target, pipeline)
    stage_state = pstate.stage(stage) if pstate else None
    if stage_state is None or stage_state.latest is None:
        return f"Stage {clean(stage)} has not run yet: nothing to retry"
    if stage_state.status != Status.FAILED:
        return f"Stage {clean(stage)} has not failed ({stage_state.status.label}): nothing to retry"
    return None


def open_retry(app: App[Any], target: Target, pipeline: str, stage: str | None) -> bool:
    """Retry the selected failed stage (failed actions only, or all)."""
    host = host_of(app)
    blocker = retry_blocker(host, target, pipeline, stage)
    pstate = host.store.state(target, pipeline)
    stage_state = pstate.stage(stage) if pstate and stage else None
    if blocker is not None or stage is None or stage_state is None or stage_state.latest is None:
        tell(app, blocker or "nothing to retry", "warning")
        return False
    failed = tuple(a.name for a in stage_state.actions if a.status == Status.FAILED)
    dialog = RetryDialog(
        target,
        pipeline,
        stage,
        stage_state.latest.execution_id,
        failed_actions=failed,
        identity=host.store.identity(target),
        protected=is_protected(host, target, pipeline),
    )
    return launch(app, "retry|" + _key(target, pipeline, stage), lambda: confirm_and_run(app, dialog))


def rollback_candidates(
    history: Page[ExecutionSummary] | tuple[ExecutionSummary, ...], current_id: str | None
) -> list[ExecutionSummary]:
    """Earlier executions that succeeded (hence succeeded in every stage), newest first."""
    items = history.items if isinstance(history, Page) else history
    current = next((e for e in items if e.execution_id == current_id), None)
    out = []
    for execution in items:
        if execution.execution_id == current_id or execution.status != Status.SUCCEEDED:
            continue
        if execution.execution_type == ExecutionType.ROLLBACK:
            continue
        if (
            current is not None
            and current.start_time is not None
            and execution.start_time is not None
            and execution.start_time >= current.start_time
        ):
            continue
        out.append(execution)
    return out


async def _definition(host: Host, target: Target, pipeline: str) -> PipelineDef:
    definition = host.store.definition(target, pipeline)
    if definition is not None:
        return definition
    return await host.reads.pipeline(target, pipeline)


def open_rollback(app: App[Any], target: Target, pipeline: str, stage: str | None) -> bool:
    """Roll the selected stage back to an earlier successful execution (V2)."""
    host = host_of(app)
    if stage is None:
        tell(app, "select a stage to roll back", "warning")
        return False

    async def flow() -> None:
        definition = await _definition(host, target, pipeline)
        candidates: list[ExecutionSummary] = []
        if definition.pipeline_type == PipelineType.V2:
            pstate = host.store.state(target, pipeline)
            stage_state = pstate.stage(stage) if pstate else None
            current = stage_state.latest.execution_id if stage_state and stage_state.latest else None
            page = await host.reads.executions(
                target,
                pipeline,
                max_results=ROLLBACK_HISTORY,
            )
            candidates = rollback_candidates(page, current)
        dialog = RollbackDialog(
            target,
            pipeline,
            stage,
            candidates,
            pipeline_type=definition.pipeline_type,
            identity=host.store.identity(target),
            now=host.now,
            protected=is_protected(host, target, pipeline),
        )
        await confirm_and_run(app, dialog)

    return launch(app, "rollback|" + _key(target, pipeline, stage), flow)


def open_transition(app: App[Any], target: Target, pipeline: str, stage: str | None) -> bool:
    """Enable the stage's inbound transition, or disable it with a reason."""
    host = host_of(app)
    definition = host.store.definition(target, pipeline)
    pstate = host.store.state(target, pipeline)
    if stage is None or pstate is None:
        tell(app, "select a stage", "warning")
        return False
    if definition is not None and definition.stages and definition.stages[0].name == stage:
        tell(app, f"{clean(stage)} is the first stage: it has no inbound transition", "warning")
        return False
    stage_state = pstate.stage(stage)
    if stage_state is None:
        tell(app, f"stage {clean(stage)} is not known yet; refresh first", "warning")
        return False
    dialog = TransitionDialog(
        target,
        pipeline,
        stage,
        stage_state.transition,
        identity=host.store.identity(target),
        now=host.now,
        protected=is_protected(host, target, pipeline),
    )
    return launch(app, "transition|" + _key(target, pipeline, stage), lambda: confirm_and_run(app, dialog))


# --- pipeline actions --------------------------------------------------------------------------


def _running_from_store(host: Host, target: Target, pipeline: str) -> list[ExecutionSummary]:
    latest = host.store.latest_execution(target, pipeline)
    if latest is not None and latest.status in (Status.IN_PROGRESS, Status.STOPPING):
        return [latest]
    return []


def open_stop(app: App[Any], target: Target, pipeline: str) -> bool:
    """Stop (or abandon) a running execution; asks which one when several run (PARALLEL)."""
    host = host_of(app)

    async def flow() -> None:
        try:
            page = await host.reads.executions(
                target,
                pipeline,
                max_results=STOP_HISTORY,
            )
            running = [e for e in page.items if e.status in (Status.IN_PROGRESS, Status.STOPPING)]
        except AwsError:
            running = _running_from_store(host, target, pipeline)
        dialog = StopDialog(
            target,
            pipeline,
            running,
            identity=host.store.identity(target),
            now=host.now,
            protected=is_protected(host, target, pipeline),
        )
        await confirm_and_run(app, dialog)

    return launch(app, "stop|" + _key(target, pipeline), flow)


def open_start(app: App[Any], target: Target, pipeline: str) -> bool:
    """Start a new execution (release change), with V2 variables and revision overrides."""
    host = host_of(app)

    async def flow() -> None:
        definition = await _definition(host, target, pipeline)
        dialog = StartDialog(
            target,
            pipeline,
            definition,
            identity=host.store.identity(target),
            protected=is_protected(host, target, pipeline),
        )
        await confirm_and_run(app, dialog)

    return launch(app, "start|" + _key(target, pipeline), flow)

"""The glue between a key press and ``tui.core.actions``: dialog -> confirm -> run once -> notify -> refresh.

Screens call the ``open_*`` functions (synchronous: they start a worker and return). Each flow gathers
what its dialog needs from the store (or, for history-based choices, one on-demand read through
``Host.call``), pushes the dialog, and on confirmation hands the request to ``Host.actions`` — the
``ActionRunner`` that refuses in read-only mode, sends at most once and audits every attempt. Then it
tells the operator what happened (sanitized) and asks the poller for a refresh so the screen shows the
truth, whatever the outcome.

A flow per subject at a time: a second key press while a dialog for the same thing is opening or its
request is being sent does nothing but say so, so a double key press cannot stack two dialogs.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from textual.app import App

from tui.aws.errors import AwsError, ErrorKind
from tui.core.actions import ActionRequest, ActionResult, Outcome
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

ROLLBACK_HISTORY = 50  # executions read to find rollback targets (one ListPipelineExecutions call)
STOP_HISTORY = 25


@dataclass
class OperatorState:
    """Per-app bookkeeping: which subjects have a flow open."""

    busy: set[str] = field(default_factory=set)


_STATES: weakref.WeakKeyDictionary[App[Any], OperatorState] = weakref.WeakKeyDictionary()


def state(app: App[Any]) -> OperatorState:
    """The operator bookkeeping of ``app`` (created on first use)."""
    found = _STATES.get(app)
    if found is None:
        found = _STATES[app] = OperatorState()
    return found


def is_protected(host: Host, target: Target, pipeline: str) -> bool:
    """Whether a mutation of ``pipeline`` needs its name typed (``PipelinesConfig.is_protected``)."""
    return host.config.pipelines.is_protected(pipeline, target)


def read_only(host: Host) -> bool:
    """True when mutations are off (``--read-only`` or ``read_only = true``)."""
    return bool(host.read_only or host.actions.read_only)


# --- running a confirmed request ---------------------------------------------------------------


def tell(app: App[Any], text: str, severity: str = "information") -> None:
    """A notice from an operator flow."""
    app.notify(text, severity=severity, markup=False)  # type: ignore[arg-type]


def describe_result(result: ActionResult) -> tuple[str, str]:
    """The notice text and severity for a result; AWS text already went through ``clean``."""
    request, error = result.request, result.error
    where = clean(request.subject)
    if result.outcome is Outcome.SUCCEEDED:
        if request.done is not None:  # the request says what its success means (e.g. the versions)
            return f"{result.message} — {where}", "information"
        extra = ""
        if request.operation in ("StartPipelineExecution", "RollbackStage") and result.value:
            extra = f": execution {clean(result.value)}"
        return f"{request.title} — {where}{extra}", "information"
    if result.outcome is Outcome.UNKNOWN:
        text = result.message
        if "outcome unknown" not in text:
            text += " — outcome unknown — refreshing to show the truth"
        return f"{request.title} — {where}: {text}", "warning"
    if result.outcome is Outcome.REFUSED:
        return f"{request.title} — {where}: {result.message}", "warning"
    message = result.message
    if error is not None and error.kind is ErrorKind.ACCESS_DENIED:
        action = error.missing_action or f"codepipeline:{request.operation}"
        if action not in message:
            message = f"access denied: missing {action}"
    elif error is not None and error.kind in (ErrorKind.STALE_APPROVAL, ErrorKind.APPROVAL_COMPLETED):
        message += " (refreshing)"
    return f"{request.title} failed — {where}: {message}", "error"


async def run_confirmed(app: App[Any], request: ActionRequest) -> ActionResult:
    """Send a confirmed request once through ``Host.actions``, notify, then refresh the pipeline."""
    host = host_of(app)
    service = host.services.get(request.target.key)
    if service is None:
        result = ActionResult(request, Outcome.REFUSED, f"no AWS connection for {request.target.label}")
    else:
        result = await host.actions.run(request, service)
    text, severity = describe_result(result)
    if result.audit_error is not None:
        # The call's outcome first (it happened), then that it is not in the audit log.
        audit = host.actions.audit
        text += f" — the audit line was NOT written to {audit.path} ({result.audit_error})"
        severity = "error"
    tell(app, text, severity)
    if result.outcome is not Outcome.REFUSED:
        # Whatever happened (done, failed, unknown), the next poll shows the truth on screen.
        host.poller.refresh_now(request.target, request.pipeline)
    return result


def explain(result: ActionResult) -> str:
    """A failure, as the dialog shows it (the notice's text without the title and subject)."""
    text, _severity = describe_result(result)
    where = f" — {clean(result.request.subject)}: "
    return text.split(where, 1)[1] if where in text else text


def attach(app: App[Any], dialog: ActionDialog) -> ActionDialog:
    """Let ``dialog`` send its confirmed request itself, so a definite failure keeps it open."""

    async def send(request: ActionRequest) -> ActionResult:
        return await run_confirmed(app, request)

    dialog.sender = send
    dialog.explain = explain
    return dialog


async def confirm_and_run(app: App[Any], dialog: ActionDialog) -> ActionResult | None:
    """Push ``dialog`` and wait until it closes; the result of what it sent, or None (cancelled).

    The dialog sends its request through ``run_confirmed`` and closes on success or an unknown
    outcome; on a definite failure it stays open (text kept) so the operator can fix and resend
    or cancel. Must run inside a worker.
    """
    await app.push_screen(attach(app, dialog), wait_for_dismiss=True)
    return dialog.result


async def perform(app: App[Any], request: ActionRequest) -> ActionResult | None:
    """Confirm a ready-made request with ``ConfirmDialog``, then run it. Must run inside a worker."""
    host = host_of(app)
    dialog = ConfirmDialog(
        request,
        identity=host.store.identity(request.target),
        protected=is_protected(host, request.target, request.pipeline),
    )
    return await confirm_and_run(app, dialog)


def launch(app: App[Any], subject: str, flow: Callable[[], Awaitable[object]]) -> bool:
    """Run ``flow`` in a worker unless a flow for ``subject`` is already open; False if refused."""
    if read_only(host_of(app)):
        tell(app, "read-only mode: actions are off", "warning")
        return False
    busy = state(app).busy
    if subject in busy:
        tell(app, "already open or being sent — nothing sent twice", "warning")
        return False
    busy.add(subject)

    async def guarded() -> None:
        try:
            await flow()
        except AwsError as error:
            tell(app, clean(str(error)), "error")
        finally:
            busy.discard(subject)

    app.run_worker(guarded(), group="operator", exit_on_error=False)
    return True


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

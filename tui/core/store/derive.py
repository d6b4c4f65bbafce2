"""What the store derives from AWS's answers, pure functions: which stages changed, whether the
known latest execution is out of date, and the manual approvals that wait in a state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from tui.core.model import (
    RUNNING_STATUSES,
    ApprovalRequest,
    ExecutionSummary,
    PipelineDef,
    PipelineState,
    SourceRevision,
    Target,
    inbound_stage,
)

# CodePipeline's default for a manual approval that nobody answers.
DEFAULT_APPROVAL_TIMEOUT = timedelta(days=7)


def changed_stages(old: PipelineState | None, new: PipelineState) -> frozenset[str]:
    """Names of the stages whose state differs (added and removed stages included)."""
    before = {s.name: s for s in old.stages} if old else {}
    after = {s.name: s for s in new.stages}
    return frozenset(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))


def stage_statuses_changed(old: PipelineState | None, new: PipelineState) -> bool:
    """True when any stage's latest execution (id or status) differs: what the list cares about."""
    before = [(s.name, s.latest) for s in old.stages] if old else None
    return before != [(s.name, s.latest) for s in new.stages]


def latest_outdated(latest: ExecutionSummary | None, state: PipelineState) -> bool:
    """True when GetPipelineState shows the known latest execution (ListPipelineExecutions) out of
    date: a stage runs another execution (a newer one started), the known one is running but no
    stage runs or holds it (it ended), or it ended but a stage runs it again (a retry). The poller
    then asks for the latest execution once instead of every cycle."""
    if latest is None:
        return any(s.latest for s in state.stages)
    mine = latest.execution_id
    running = {
        s.latest.execution_id for s in state.stages if s.latest and s.latest.status in RUNNING_STATUSES
    }
    if running - {mine}:
        return True
    if latest.status in RUNNING_STATUSES:
        return mine not in running and inbound_stage(state, mine) is None
    return mine in running


def approvals_from_state(
    target: Target,
    state: PipelineState | None,
    definition: PipelineDef | None,
    latest: ExecutionSummary | None = None,
    *,
    default_timeout: timedelta = DEFAULT_APPROVAL_TIMEOUT,
) -> list[ApprovalRequest]:
    """Manual approvals that wait in this state (an action with a token).

    The expiry is the action's ``timeoutInMinutes`` from the definition, else CodePipeline's default
    of 7 days, counted from when the action started waiting; None until the definition is known.
    """
    if state is None:
        return []
    found: list[ApprovalRequest] = []
    for stage in state.stages:
        stage_def = definition.stage(stage.name) if definition else None
        for action in stage.actions:
            if not action.token:
                continue
            action_def = stage_def.action(action.name) if stage_def else None
            config: Mapping[str, str] = action_def.configuration if action_def else {}
            # Without the definition the timeout is unknown: showing the 7-day default could tell
            # an approver they have days left when the action expires in minutes.
            timeout: timedelta | None = None
            if action_def is not None:
                timeout = (
                    timedelta(minutes=action_def.timeout_minutes)
                    if action_def.timeout_minutes
                    else default_timeout
                )
            since = action.last_status_change
            execution_id = stage.latest.execution_id if stage.latest else None
            revisions: tuple[SourceRevision, ...] = ()
            if latest is not None and latest.execution_id == execution_id:
                revisions = latest.source_revisions
            found.append(
                ApprovalRequest(
                    target=target,
                    pipeline_name=state.name,
                    stage_name=stage.name,
                    action_name=action.name,
                    token=action.token,
                    execution_id=execution_id,
                    waiting_since=since,
                    expires_at=since + timeout if since and timeout else None,
                    custom_data=config.get("CustomData"),
                    external_url=config.get("ExternalEntityLink") or action.entity_url,
                    source_revisions=revisions,
                )
            )
    return found

"""GetPipelineState: each stage's latest and inbound executions, its transition, its action states
and its condition states. Stages come in the state's order, whatever the definition says."""

from __future__ import annotations

from datetime import datetime

from tui.aws.convert.readers import (
    Json,
    Outcome,
    condition_blocks,
    dicts,
    integer,
    member,
    named,
    outcome,
    required,
    status,
    text,
    timestamp,
)
from tui.core.model import (
    ActionState,
    ConditionKind,
    ConditionState,
    ConditionStatus,
    ExecutionRef,
    ExecutionType,
    PipelineState,
    RuleState,
    StageConditionState,
    StageState,
    Status,
    TransitionState,
)


class _LatestRun(Outcome):
    status: Status
    summary: str | None
    last_status_change: datetime | None


def _latest_run(latest: Json) -> _LatestRun:
    """An action's or a rule's ``latestExecution`` in GetPipelineState: status, summary, when it
    changed, external execution and error."""
    return _LatestRun(
        status=status(latest.get("status")),
        summary=text(latest, "summary"),
        last_status_change=timestamp(latest, "lastStatusChange"),
        **outcome(latest),
    )


def _execution_ref(data: Json) -> ExecutionRef | None:
    execution_id = data.get("pipelineExecutionId")
    if not execution_id:
        return None
    return ExecutionRef(
        execution_id=str(execution_id),
        status=status(data.get("status"), Status.IN_PROGRESS),
        execution_type=ExecutionType(data.get("type") or "STANDARD"),
    )


def action_state(data: Json) -> ActionState:
    latest = member(data, "latestExecution")
    revision = member(data, "currentRevision")
    return ActionState(
        name=str(required(data, "actionName")),
        **_latest_run(latest),
        token=text(latest, "token"),
        percent_complete=integer(latest, "percentComplete"),
        action_execution_id=text(latest, "actionExecutionId"),
        revision_id=text(revision, "revisionId"),
        revision_change_id=text(revision, "revisionChangeId"),
        entity_url=text(data, "entityUrl"),
        revision_url=text(data, "revisionUrl"),
    )


def _rule_state(data: Json) -> RuleState:
    latest = member(data, "latestExecution")
    return RuleState(
        name=str(required(data, "ruleName")),
        **_latest_run(latest),
        rule_execution_id=text(latest, "ruleExecutionId"),
        last_updated_by=text(latest, "lastUpdatedBy"),
        entity_url=text(data, "entityUrl"),
    )


def _condition_status(data: Json) -> ConditionStatus | None:
    value = data.get("status")
    return ConditionStatus(value) if isinstance(value, str) and value else None


def stage_condition_state(data: Json, kind: ConditionKind) -> StageConditionState:
    latest = member(data, "latestExecution")
    return StageConditionState(
        kind=kind,
        status=_condition_status(latest),
        summary=text(latest, "summary"),
        conditions=tuple(
            ConditionState(
                status=_condition_status(member(c, "latestExecution")),
                summary=text(member(c, "latestExecution"), "summary"),
                last_status_change=timestamp(member(c, "latestExecution"), "lastStatusChange"),
                rules=tuple(_rule_state(r) for r in named(dicts(c, "ruleStates"), "ruleName")),
            )
            for c in dicts(data, "conditionStates")
        ),
    )


def stage_state(data: Json) -> StageState:
    before_entry, on_success, on_failure = condition_blocks(data, "ConditionState", stage_condition_state)
    transition = member(data, "inboundTransitionState")
    # V2 pipelines report every held execution in inboundExecutions; V1 (and older
    # responses) report the single one in inboundExecution. Some responses carry both.
    inbound: list[ExecutionRef] = []
    for raw in [*dicts(data, "inboundExecutions"), member(data, "inboundExecution")]:
        ref = _execution_ref(raw)
        if ref and all(ref.execution_id != seen.execution_id for seen in inbound):
            inbound.append(ref)
    return StageState(
        name=str(required(data, "stageName")),
        transition=TransitionState(
            enabled=bool(transition.get("enabled", True)),
            last_changed_by=text(transition, "lastChangedBy"),
            last_changed_at=timestamp(transition, "lastChangedAt"),
            disabled_reason=text(transition, "disabledReason"),
        ),
        latest=_execution_ref(member(data, "latestExecution")),
        inbound=tuple(inbound),
        actions=tuple(action_state(a) for a in named(dicts(data, "actionStates"), "actionName")),
        before_entry=before_entry,
        on_success=on_success,
        on_failure=on_failure,
    )


def pipeline_state(response: Json, name: str | None = None) -> PipelineState:
    """GetPipelineState's response. Stages come in the state's order, whatever the definition.

    ``name`` is the pipeline the request asked for: used when the response does not say."""
    return PipelineState(
        name=str(response.get("pipelineName") or name or required(response, "pipelineName")),
        version=integer(response, "pipelineVersion") or 1,
        stages=tuple(stage_state(s) for s in named(dicts(response, "stageStates"), "stageName")),
        created=timestamp(response, "created"),
        updated=timestamp(response, "updated"),
    )

"""CodePipeline executions: ListPipelineExecutions, GetPipelineExecution, ListActionExecutions and
ListRuleExecutions. An item without its id is left out; ids the request carried fill in missing ones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tui.aws.convert.readers import (
    Json,
    Outcome,
    dicts,
    having,
    integer,
    member,
    names,
    outcome,
    required,
    status,
    strings,
    text,
    timestamp,
)
from tui.core.model import (
    ActionCategory,
    ActionExecution,
    ArtifactRevision,
    Execution,
    ExecutionMode,
    ExecutionSummary,
    ExecutionType,
    RuleExecution,
    SourceRevision,
    Status,
    Trigger,
    TriggerType,
)


def rule_execution(data: Json, execution_id: str | None = None) -> RuleExecution:
    """One item of ListRuleExecutions' ``ruleExecutionDetails``."""
    given = member(data, "input")
    result = member(member(data, "output"), "executionResult")
    return RuleExecution(
        execution_id=_pipeline_execution_id(data, execution_id),
        rule_execution_id=str(required(data, "ruleExecutionId")),
        rule_name=str(data.get("ruleName") or ""),
        pipeline_version=integer(data, "pipelineVersion"),
        provider=str(member(given, "ruleTypeId").get("provider") or ""),
        configuration=strings(given, "configuration"),
        resolved_configuration=strings(given, "resolvedConfiguration"),
        **_run_detail(data, result),
    )


def rule_executions(items: Iterable[Json], execution_id: str | None = None) -> list[RuleExecution]:
    """ListRuleExecutions' items (all pages); one without its ids cannot be shown and is left out."""
    return [
        rule_execution(d, execution_id)
        for d in items
        if d.get("ruleExecutionId") and (d.get("pipelineExecutionId") or execution_id)
    ]


def _trigger(data: Json) -> Trigger | None:
    trigger = member(data, "trigger")
    if not trigger.get("triggerType"):
        return None
    return Trigger(
        trigger_type=TriggerType(trigger["triggerType"]),
        detail=str(trigger.get("triggerDetail") or ""),
    )


def _mode(data: Json) -> ExecutionMode | None:
    value = data.get("executionMode")
    return ExecutionMode(value) if isinstance(value, str) and value else None


def source_revision(data: Json) -> SourceRevision:
    return SourceRevision(
        action_name=str(data.get("actionName") or ""),
        revision_id=text(data, "revisionId"),
        revision_summary=text(data, "revisionSummary"),
        revision_url=text(data, "revisionUrl"),
    )


def execution_summary(pipeline_name: str, data: Json) -> ExecutionSummary:
    """One item of ListPipelineExecutions' ``pipelineExecutionSummaries``."""
    return ExecutionSummary(
        pipeline_name=pipeline_name,
        execution_id=str(required(data, "pipelineExecutionId")),
        status=status(data.get("status"), Status.IN_PROGRESS),
        start_time=timestamp(data, "startTime"),
        last_update_time=timestamp(data, "lastUpdateTime"),
        status_summary=text(data, "statusSummary"),
        source_revisions=tuple(source_revision(r) for r in dicts(data, "sourceRevisions")),
        trigger=_trigger(data),
        stop_reason=text(member(data, "stopTrigger"), "reason"),
        execution_mode=_mode(data),
        execution_type=ExecutionType(data.get("executionType") or "STANDARD"),
        rollback_target=text(member(data, "rollbackMetadata"), "rollbackTargetPipelineExecutionId"),
    )


def execution(response: Json, pipeline_name: str | None = None, execution_id: str | None = None) -> Execution:
    """GetPipelineExecution's response; the names the request carried fill in missing ones."""
    data = required(response, "pipelineExecution")
    return Execution(
        pipeline_name=str(data.get("pipelineName") or pipeline_name or required(data, "pipelineName")),
        pipeline_version=integer(data, "pipelineVersion") or 1,
        execution_id=str(
            data.get("pipelineExecutionId") or execution_id or required(data, "pipelineExecutionId")
        ),
        status=status(data.get("status"), Status.IN_PROGRESS),
        status_summary=text(data, "statusSummary"),
        artifact_revisions=tuple(
            ArtifactRevision(
                name=str(r.get("name") or ""),
                revision_id=text(r, "revisionId"),
                revision_change_identifier=text(r, "revisionChangeIdentifier"),
                revision_summary=text(r, "revisionSummary"),
                created=timestamp(r, "created"),
                revision_url=text(r, "revisionUrl"),
            )
            for r in dicts(data, "artifactRevisions")
        ),
        variables={
            str(v["name"]): str(v.get("resolvedValue") or "")
            for v in dicts(data, "variables")
            if v.get("name") is not None
        },
        trigger=_trigger(data),
        execution_mode=_mode(data),
        execution_type=ExecutionType(data.get("executionType") or "STANDARD"),
        rollback_target=text(member(data, "rollbackMetadata"), "rollbackTargetPipelineExecutionId"),
    )


def action_execution(data: Json, execution_id: str | None = None) -> ActionExecution:
    """One item of ListActionExecutions' ``actionExecutionDetails`` (``execution_id``: the
    filter the request carried, for an item that does not name its pipeline execution)."""
    given = member(data, "input")
    output = member(data, "output")
    result = member(output, "executionResult")
    type_id = member(given, "actionTypeId")
    category = type_id.get("category")
    # resolvedConfiguration has the variables substituted: what the action actually ran with.
    configuration = strings(given, "resolvedConfiguration") or strings(given, "configuration")
    return ActionExecution(
        pipeline_execution_id=_pipeline_execution_id(data, execution_id),
        action_execution_id=str(required(data, "actionExecutionId")),
        action_name=str(data.get("actionName") or ""),
        provider=str(type_id.get("provider") or ""),
        category=ActionCategory(category) if isinstance(category, str) and category else None,
        input_artifacts=names(dicts(given, "inputArtifacts")),
        output_artifacts=names(dicts(output, "outputArtifacts")),
        configuration=configuration,
        output_variables=strings(output, "outputVariables"),
        **_run_detail(data, result),
    )


def _pipeline_execution_id(data: Json, execution_id: str | None) -> str:
    """An item's pipeline execution, else the one the request's filter named."""
    return str(data.get("pipelineExecutionId") or execution_id or required(data, "pipelineExecutionId"))


class _RunDetail(Outcome):
    stage_name: str
    status: Status
    start_time: datetime | None
    last_update_time: datetime | None
    updated_by: str | None
    summary: str | None


def _run_detail(data: Json, result: Json) -> _RunDetail:
    """What an action's and a rule's execution detail (ListActionExecutions, ListRuleExecutions)
    share: stage, status, times, who updated it, and its ``executionResult``."""
    return _RunDetail(
        stage_name=str(data.get("stageName") or ""),
        status=status(data.get("status"), Status.IN_PROGRESS),
        start_time=timestamp(data, "startTime"),
        last_update_time=timestamp(data, "lastUpdateTime"),
        updated_by=text(data, "updatedBy"),
        summary=text(result, "externalExecutionSummary"),
        **outcome(result),
    )


def execution_summaries(pipeline_name: str, response: Json) -> list[ExecutionSummary]:
    """One ListPipelineExecutions page: executions without an id are left out."""
    return [
        execution_summary(pipeline_name, item)
        for item in having(response.get("pipelineExecutionSummaries"), "pipelineExecutionId")
    ]


def action_executions(items: Any, execution_id: str) -> list[ActionExecution]:
    """ListActionExecutions' ``actionExecutionDetails`` (every page) for one pipeline execution:
    items without their own id are left out."""
    return [action_execution(a, execution_id) for a in having(items, "actionExecutionId")]


def pipeline_action_executions(items: Any) -> list[ActionExecution]:
    """ListActionExecutions' ``actionExecutionDetails`` without a filter (a page of the whole
    pipeline's, newest first): items without their own id or their pipeline execution's are left out."""
    return [
        action_execution(a)
        for a in having(items, "actionExecutionId")
        if isinstance(a.get("pipelineExecutionId"), str) and a.get("pipelineExecutionId")
    ]

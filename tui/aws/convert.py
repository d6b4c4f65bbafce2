"""API response dicts (as botocore parses them) -> ``tui.core.model`` objects.

Defensive by design: AWS omits optional members freely, adds enum values over time, and a
pipeline's state can name stages its definition no longer has (an edit while an execution runs).
botocore's model marks almost every member optional, and each may be absent: a name or id the
request already carried is taken from the request (``GetPipelineState`` without ``pipelineName``
is still that pipeline's state), an item of a list that lacks its name or id is left out (the rest
of the list still shows), and anything else takes its documented default. Only a response without
its payload (GetPipeline without ``pipeline``) raises ``MalformedResponse``, which the service
reports as an ``AwsError``. The ``*_response`` functions take a whole response (or all the items
of a paginated list) and are what the service uses; tests/test_reliability_shapes.py removes each
optional member in turn from full responses and runs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from tui.core.model import (
    ActionCategory,
    ActionDef,
    ActionExecution,
    ActionState,
    ArtifactRevision,
    Build,
    BuildLogs,
    BuildPhase,
    BuildStatus,
    ConditionDef,
    ConditionKind,
    ConditionResult,
    ConditionState,
    ConditionStatus,
    Execution,
    ExecutionMode,
    ExecutionRef,
    ExecutionSummary,
    ExecutionType,
    GitFilter,
    GitPullRequestFilter,
    GitPushFilter,
    Identity,
    LogEvent,
    LogPage,
    PipelineDeclaration,
    PipelineDef,
    PipelineState,
    PipelineSummary,
    PipelineTriggerDef,
    PipelineType,
    PipelineVariableDef,
    RetryMode,
    RuleDef,
    RuleExecution,
    RuleState,
    SourceRevision,
    StageConditions,
    StageConditionState,
    StageDef,
    StageState,
    Status,
    TransitionState,
    Trigger,
    TriggerType,
)

Json = Mapping[str, Any]


class MalformedResponse(ValueError):
    """A response lacks a member cptui cannot do without."""


# --- small readers ----------------------------------------------------------------------------


def _req(data: Json, key: str) -> Any:
    value = data.get(key)
    if value is None:
        raise MalformedResponse(f"response has no {key!r}")
    return value


def _str(data: Json, key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _int(data: Json, key: str) -> int | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _time(data: Json, key: str) -> datetime | None:
    """Timestamps as aware UTC datetimes, whatever zone botocore's parser picked."""
    value = data.get(key)
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


def _map(data: Json, key: str) -> dict[str, str]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _list(data: Json, key: str) -> list[Json]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _dict(data: Json, key: str) -> Json:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def _names(items: Iterable[Json]) -> tuple[str, ...]:
    return tuple(str(item["name"]) for item in items if item.get("name") is not None)


def _named(items: Iterable[Json], key: str = "name") -> list[Json]:
    """The items that carry their ``key``: one without a name cannot be shown or addressed, and
    must not take the rest of the response down with it."""
    return [item for item in items if item.get(key)]


def _status(value: object, default: Status = Status.IDLE) -> Status:
    return Status(value) if isinstance(value, str) and value else default


# --- CodePipeline: pipelines ------------------------------------------------------------------


def pipeline_summary(data: Json) -> PipelineSummary:
    """One item of ListPipelines' ``pipelines``."""
    return PipelineSummary(
        name=str(_req(data, "name")),
        version=_int(data, "version") or 1,
        pipeline_type=PipelineType(data.get("pipelineType") or "V1"),
        execution_mode=ExecutionMode(data.get("executionMode") or "SUPERSEDED"),
        created=_time(data, "created"),
        updated=_time(data, "updated"),
    )


def action_def(data: Json) -> ActionDef:
    type_id = _dict(data, "actionTypeId")
    return ActionDef(
        name=str(_req(data, "name")),
        category=ActionCategory(type_id.get("category") or "Unknown"),
        owner=str(type_id.get("owner") or ""),
        provider=str(type_id.get("provider") or ""),
        run_order=_int(data, "runOrder") or 1,
        version=str(type_id.get("version") or "1"),
        configuration=_map(data, "configuration"),
        input_artifacts=_names(_list(data, "inputArtifacts")),
        output_artifacts=_names(_list(data, "outputArtifacts")),
        region=_str(data, "region"),
        timeout_minutes=_int(data, "timeoutInMinutes"),
    )


def pipeline_def(response: Json) -> PipelineDef:
    """GetPipeline's whole response (``pipeline`` + ``metadata``)."""
    pipeline = _req(response, "pipeline")
    metadata = _dict(response, "metadata")
    return PipelineDef(
        name=str(_req(pipeline, "name")),
        version=_int(pipeline, "version") or 1,
        pipeline_type=PipelineType(pipeline.get("pipelineType") or "V1"),
        execution_mode=ExecutionMode(pipeline.get("executionMode") or "SUPERSEDED"),
        stages=tuple(stage_def(stage) for stage in _named(_list(pipeline, "stages"))),
        variables=tuple(
            PipelineVariableDef(
                name=str(_req(v, "name")),
                default=_str(v, "defaultValue"),
                description=_str(v, "description"),
            )
            for v in _named(_list(pipeline, "variables"))
        ),
        role_arn=str(pipeline.get("roleArn") or ""),
        arn=str(metadata.get("pipelineArn") or ""),
        created=_time(metadata, "created"),
        updated=_time(metadata, "updated"),
        triggers=tuple(t for t in (trigger_def(t) for t in _list(pipeline, "triggers")) if t is not None),
    )


def _result(data: Json, key: str = "result") -> ConditionResult | None:
    value = data.get(key)
    return ConditionResult(value) if isinstance(value, str) and value else None


def rule_def(data: Json) -> RuleDef:
    type_id = _dict(data, "ruleTypeId")
    commands = data.get("commands")
    return RuleDef(
        name=str(_req(data, "name")),
        provider=str(type_id.get("provider") or ""),
        category=str(type_id.get("category") or "Rule"),
        owner=str(type_id.get("owner") or "AWS"),
        version=str(type_id.get("version") or "1"),
        configuration=_map(data, "configuration"),
        input_artifacts=_names(_list(data, "inputArtifacts")),
        commands=tuple(str(c) for c in commands) if isinstance(commands, list) else (),
        region=_str(data, "region"),
        role_arn=_str(data, "roleArn"),
        timeout_minutes=_int(data, "timeoutInMinutes"),
    )


def stage_conditions(data: Json, kind: ConditionKind) -> StageConditions:
    """A stage's beforeEntry / onSuccess / onFailure block."""
    retry = _dict(data, "retryConfiguration")
    mode = retry.get("retryMode")
    return StageConditions(
        kind=kind,
        conditions=tuple(
            ConditionDef(result=_result(c), rules=tuple(rule_def(r) for r in _named(_list(c, "rules"))))
            for c in _list(data, "conditions")
        ),
        result=_result(data),
        retry_mode=RetryMode(mode) if isinstance(mode, str) and mode else None,
    )


_CONDITION_MEMBERS = (
    ("beforeEntry", ConditionKind.BEFORE_ENTRY),
    ("onSuccess", ConditionKind.ON_SUCCESS),
    ("onFailure", ConditionKind.ON_FAILURE),
)


def stage_def(data: Json) -> StageDef:
    blocks = {
        kind: stage_conditions(data[member], kind)
        for member, kind in _CONDITION_MEMBERS
        if isinstance(data.get(member), Mapping)
    }
    return StageDef(
        name=str(_req(data, "name")),
        actions=tuple(action_def(a) for a in _named(_list(data, "actions"))),
        before_entry=blocks.get(ConditionKind.BEFORE_ENTRY),
        on_success=blocks.get(ConditionKind.ON_SUCCESS),
        on_failure=blocks.get(ConditionKind.ON_FAILURE),
    )


def _git_filter(data: Json, key: str) -> GitFilter | None:
    value = data.get(key)
    if not isinstance(value, Mapping):
        return None
    includes, excludes = value.get("includes"), value.get("excludes")
    return GitFilter(
        includes=tuple(str(i) for i in includes) if isinstance(includes, list) else (),
        excludes=tuple(str(e) for e in excludes) if isinstance(excludes, list) else (),
    )


def trigger_def(data: Json) -> PipelineTriggerDef | None:
    """One V2 trigger; None when it names no source action (nothing to show it on)."""
    git = _dict(data, "gitConfiguration")
    action = git.get("sourceActionName")
    if not action:
        return None
    push = tuple(
        GitPushFilter(
            branches=_git_filter(f, "branches"),
            tags=_git_filter(f, "tags"),
            file_paths=_git_filter(f, "filePaths"),
        )
        for f in _list(git, "push")
    )
    pulls = []
    for f in _list(git, "pullRequest"):
        events = f.get("events")
        pulls.append(
            GitPullRequestFilter(
                events=tuple(str(e) for e in events) if isinstance(events, list) else (),
                branches=_git_filter(f, "branches"),
                file_paths=_git_filter(f, "filePaths"),
            )
        )
    return PipelineTriggerDef(
        provider_type=str(data.get("providerType") or ""),
        source_action=str(action),
        push=push,
        pull_request=tuple(pulls),
    )


def _jsonable(value: Any) -> Any:
    """A copy of ``value`` with only JSON types (botocore gives dicts, lists, str, int, bool)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def pipeline_declaration(response: Json) -> PipelineDeclaration:
    """GetPipeline's (or UpdatePipeline's) response, the declaration kept as AWS sent it."""
    pipeline = _req(response, "pipeline")
    metadata = _dict(response, "metadata")
    return PipelineDeclaration(
        name=str(_req(pipeline, "name")),
        version=_int(pipeline, "version") or 1,
        document=_jsonable(pipeline),
        arn=str(metadata.get("pipelineArn") or ""),
        created=_time(metadata, "created"),
        updated=_time(metadata, "updated"),
    )


def tags(items: Iterable[Json]) -> dict[str, str]:
    """ListTagsForResource's ``tags`` (all pages) as a dict, in the order AWS listed them."""
    return {str(t["key"]): str(t.get("value") or "") for t in items if t.get("key") is not None}


def rule_execution(data: Json, execution_id: str | None = None) -> RuleExecution:
    """One item of ListRuleExecutions' ``ruleExecutionDetails``."""
    given = _dict(data, "input")
    result = _dict(_dict(data, "output"), "executionResult")
    error = _dict(result, "errorDetails")
    return RuleExecution(
        execution_id=str(
            data.get("pipelineExecutionId") or execution_id or _req(data, "pipelineExecutionId")
        ),
        rule_execution_id=str(_req(data, "ruleExecutionId")),
        stage_name=str(data.get("stageName") or ""),
        rule_name=str(data.get("ruleName") or ""),
        status=_status(data.get("status"), Status.IN_PROGRESS),
        pipeline_version=_int(data, "pipelineVersion"),
        provider=str(_dict(given, "ruleTypeId").get("provider") or ""),
        start_time=_time(data, "startTime"),
        last_update_time=_time(data, "lastUpdateTime"),
        updated_by=_str(data, "updatedBy"),
        configuration=_map(given, "configuration"),
        resolved_configuration=_map(given, "resolvedConfiguration"),
        external_execution_id=_str(result, "externalExecutionId"),
        summary=_str(result, "externalExecutionSummary"),
        external_execution_url=_str(result, "externalExecutionUrl"),
        error_code=_str(error, "code"),
        error_message=_str(error, "message"),
    )


def rule_executions(items: Iterable[Json], execution_id: str | None = None) -> list[RuleExecution]:
    """ListRuleExecutions' items (all pages); one without its ids cannot be shown and is left out."""
    return [
        rule_execution(d, execution_id)
        for d in items
        if d.get("ruleExecutionId") and (d.get("pipelineExecutionId") or execution_id)
    ]


# --- CodePipeline: state ----------------------------------------------------------------------


def _execution_ref(data: Json) -> ExecutionRef | None:
    execution_id = data.get("pipelineExecutionId")
    if not execution_id:
        return None
    return ExecutionRef(
        execution_id=str(execution_id),
        status=_status(data.get("status"), Status.IN_PROGRESS),
        execution_type=ExecutionType(data.get("type") or "STANDARD"),
    )


def action_state(data: Json) -> ActionState:
    latest = _dict(data, "latestExecution")
    revision = _dict(data, "currentRevision")
    error = _dict(latest, "errorDetails")
    return ActionState(
        name=str(_req(data, "actionName")),
        status=_status(latest.get("status")),
        last_status_change=_time(latest, "lastStatusChange"),
        summary=_str(latest, "summary"),
        external_execution_id=_str(latest, "externalExecutionId"),
        external_execution_url=_str(latest, "externalExecutionUrl"),
        error_code=_str(error, "code"),
        error_message=_str(error, "message"),
        token=_str(latest, "token"),
        percent_complete=_int(latest, "percentComplete"),
        action_execution_id=_str(latest, "actionExecutionId"),
        revision_id=_str(revision, "revisionId"),
        revision_change_id=_str(revision, "revisionChangeId"),
        entity_url=_str(data, "entityUrl"),
        revision_url=_str(data, "revisionUrl"),
    )


def _rule_state(data: Json) -> RuleState:
    latest = _dict(data, "latestExecution")
    error = _dict(latest, "errorDetails")
    return RuleState(
        name=str(_req(data, "ruleName")),
        status=_status(latest.get("status")),
        summary=_str(latest, "summary"),
        last_status_change=_time(latest, "lastStatusChange"),
        rule_execution_id=_str(latest, "ruleExecutionId"),
        last_updated_by=_str(latest, "lastUpdatedBy"),
        external_execution_id=_str(latest, "externalExecutionId"),
        external_execution_url=_str(latest, "externalExecutionUrl"),
        error_code=_str(error, "code"),
        error_message=_str(error, "message"),
        entity_url=_str(data, "entityUrl"),
    )


def _condition_status(data: Json) -> ConditionStatus | None:
    value = data.get("status")
    return ConditionStatus(value) if isinstance(value, str) and value else None


def stage_condition_state(data: Json, kind: ConditionKind) -> StageConditionState:
    latest = _dict(data, "latestExecution")
    return StageConditionState(
        kind=kind,
        status=_condition_status(latest),
        summary=_str(latest, "summary"),
        conditions=tuple(
            ConditionState(
                status=_condition_status(_dict(c, "latestExecution")),
                summary=_str(_dict(c, "latestExecution"), "summary"),
                last_status_change=_time(_dict(c, "latestExecution"), "lastStatusChange"),
                rules=tuple(_rule_state(r) for r in _named(_list(c, "ruleStates"), "ruleName")),
            )
            for c in _list(data, "conditionStates")
        ),
    )


_CONDITION_STATES = (
    ("beforeEntryConditionState", ConditionKind.BEFORE_ENTRY),
    ("onSuccessConditionState", ConditionKind.ON_SUCCESS),
    ("onFailureConditionState", ConditionKind.ON_FAILURE),
)


def stage_state(data: Json) -> StageState:
    conditions = {
        kind: stage_condition_state(data[member], kind)
        for member, kind in _CONDITION_STATES
        if isinstance(data.get(member), Mapping)
    }
    transition = _dict(data, "inboundTransitionState")
    # V2 pipelines report every held execution in inboundExecutions; V1 (and older
    # responses) report the single one in inboundExecution. Some responses carry both.
    inbound: list[ExecutionRef] = []
    for raw in [*_list(data, "inboundExecutions"), _dict(data, "inboundExecution")]:
        ref = _execution_ref(raw)
        if ref and all(ref.execution_id != seen.execution_id for seen in inbound):
            inbound.append(ref)
    return StageState(
        name=str(_req(data, "stageName")),
        transition=TransitionState(
            enabled=bool(transition.get("enabled", True)),
            last_changed_by=_str(transition, "lastChangedBy"),
            last_changed_at=_time(transition, "lastChangedAt"),
            disabled_reason=_str(transition, "disabledReason"),
        ),
        latest=_execution_ref(_dict(data, "latestExecution")),
        inbound=tuple(inbound),
        actions=tuple(action_state(a) for a in _named(_list(data, "actionStates"), "actionName")),
        before_entry=conditions.get(ConditionKind.BEFORE_ENTRY),
        on_success=conditions.get(ConditionKind.ON_SUCCESS),
        on_failure=conditions.get(ConditionKind.ON_FAILURE),
    )


def pipeline_state(response: Json, name: str | None = None) -> PipelineState:
    """GetPipelineState's response. Stages come in the state's order, whatever the definition.

    ``name`` is the pipeline the request asked for: used when the response does not say."""
    return PipelineState(
        name=str(response.get("pipelineName") or name or _req(response, "pipelineName")),
        version=_int(response, "pipelineVersion") or 1,
        stages=tuple(stage_state(s) for s in _named(_list(response, "stageStates"), "stageName")),
        created=_time(response, "created"),
        updated=_time(response, "updated"),
    )


# --- CodePipeline: executions -----------------------------------------------------------------


def _trigger(data: Json) -> Trigger | None:
    trigger = _dict(data, "trigger")
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
        revision_id=_str(data, "revisionId"),
        revision_summary=_str(data, "revisionSummary"),
        revision_url=_str(data, "revisionUrl"),
    )


def execution_summary(pipeline_name: str, data: Json) -> ExecutionSummary:
    """One item of ListPipelineExecutions' ``pipelineExecutionSummaries``."""
    return ExecutionSummary(
        pipeline_name=pipeline_name,
        execution_id=str(_req(data, "pipelineExecutionId")),
        status=_status(data.get("status"), Status.IN_PROGRESS),
        start_time=_time(data, "startTime"),
        last_update_time=_time(data, "lastUpdateTime"),
        status_summary=_str(data, "statusSummary"),
        source_revisions=tuple(source_revision(r) for r in _list(data, "sourceRevisions")),
        trigger=_trigger(data),
        stop_reason=_str(_dict(data, "stopTrigger"), "reason"),
        execution_mode=_mode(data),
        execution_type=ExecutionType(data.get("executionType") or "STANDARD"),
        rollback_target=_str(_dict(data, "rollbackMetadata"), "rollbackTargetPipelineExecutionId"),
    )


def execution(response: Json, pipeline_name: str | None = None, execution_id: str | None = None) -> Execution:
    """GetPipelineExecution's response; the names the request carried fill in missing ones."""
    data = _req(response, "pipelineExecution")
    return Execution(
        pipeline_name=str(data.get("pipelineName") or pipeline_name or _req(data, "pipelineName")),
        pipeline_version=_int(data, "pipelineVersion") or 1,
        execution_id=str(
            data.get("pipelineExecutionId") or execution_id or _req(data, "pipelineExecutionId")
        ),
        status=_status(data.get("status"), Status.IN_PROGRESS),
        status_summary=_str(data, "statusSummary"),
        artifact_revisions=tuple(
            ArtifactRevision(
                name=str(r.get("name") or ""),
                revision_id=_str(r, "revisionId"),
                revision_change_identifier=_str(r, "revisionChangeIdentifier"),
                revision_summary=_str(r, "revisionSummary"),
                created=_time(r, "created"),
                revision_url=_str(r, "revisionUrl"),
            )
            for r in _list(data, "artifactRevisions")
        ),
        variables={
            str(v["name"]): str(v.get("resolvedValue") or "")
            for v in _list(data, "variables")
            if v.get("name") is not None
        },
        trigger=_trigger(data),
        execution_mode=_mode(data),
        execution_type=ExecutionType(data.get("executionType") or "STANDARD"),
        rollback_target=_str(_dict(data, "rollbackMetadata"), "rollbackTargetPipelineExecutionId"),
    )


def action_execution(data: Json, execution_id: str | None = None) -> ActionExecution:
    """One item of ListActionExecutions' ``actionExecutionDetails`` (``execution_id``: the
    filter the request carried, for an item that does not name its pipeline execution)."""
    given = _dict(data, "input")
    output = _dict(data, "output")
    result = _dict(output, "executionResult")
    error = _dict(result, "errorDetails")
    type_id = _dict(given, "actionTypeId")
    category = type_id.get("category")
    # resolvedConfiguration has the variables substituted: what the action actually ran with.
    configuration = _map(given, "resolvedConfiguration") or _map(given, "configuration")
    return ActionExecution(
        pipeline_execution_id=str(
            data.get("pipelineExecutionId") or execution_id or _req(data, "pipelineExecutionId")
        ),
        action_execution_id=str(_req(data, "actionExecutionId")),
        stage_name=str(data.get("stageName") or ""),
        action_name=str(data.get("actionName") or ""),
        status=_status(data.get("status"), Status.IN_PROGRESS),
        start_time=_time(data, "startTime"),
        last_update_time=_time(data, "lastUpdateTime"),
        provider=str(type_id.get("provider") or ""),
        category=ActionCategory(category) if isinstance(category, str) and category else None,
        input_artifacts=_names(_list(given, "inputArtifacts")),
        output_artifacts=_names(_list(output, "outputArtifacts")),
        configuration=configuration,
        output_variables=_map(output, "outputVariables"),
        summary=_str(result, "externalExecutionSummary"),
        external_execution_id=_str(result, "externalExecutionId"),
        external_execution_url=_str(result, "externalExecutionUrl"),
        error_code=_str(error, "code"),
        error_message=_str(error, "message"),
        updated_by=_str(data, "updatedBy"),
    )


# --- CodeBuild --------------------------------------------------------------------------------


def _build_status(value: object) -> BuildStatus | None:
    return BuildStatus(value) if isinstance(value, str) and value else None


def build_logs(data: Json) -> BuildLogs:
    cloudwatch = _dict(data, "cloudWatchLogs")
    s3 = _dict(data, "s3Logs")
    s3_enabled = bool(s3) and s3.get("status") != "DISABLED"
    return BuildLogs(
        group_name=_str(data, "groupName") or _str(cloudwatch, "groupName"),
        stream_name=_str(data, "streamName") or _str(cloudwatch, "streamName"),
        deep_link=_str(data, "deepLink"),
        # Absent status means the project default, which is enabled.
        cloudwatch_enabled=cloudwatch.get("status") != "DISABLED",
        s3_location=(_str(s3, "location") or _str(data, "s3DeepLink")) if s3_enabled else None,
        s3_deep_link=_str(data, "s3DeepLink") if s3_enabled else None,
    )


def build(data: Json) -> Build:
    """One item of BatchGetBuilds' ``builds``."""
    build_id = str(_req(data, "id"))
    return Build(
        build_id=build_id,
        arn=str(data.get("arn") or ""),
        project=str(data.get("projectName") or build_id.split(":", 1)[0]),
        status=_build_status(data.get("buildStatus")) or BuildStatus.IN_PROGRESS,
        current_phase=str(data.get("currentPhase") or ""),
        start_time=_time(data, "startTime"),
        end_time=_time(data, "endTime"),
        initiator=str(data.get("initiator") or ""),
        source_version=_str(data, "sourceVersion"),
        resolved_source_version=_str(data, "resolvedSourceVersion"),
        phases=tuple(
            BuildPhase(
                phase_type=str(p.get("phaseType") or ""),
                status=_build_status(p.get("phaseStatus")),
                start_time=_time(p, "startTime"),
                end_time=_time(p, "endTime"),
                duration_seconds=_int(p, "durationInSeconds"),
                messages=tuple(str(c["message"]) for c in _list(p, "contexts") if c.get("message")),
            )
            for p in _list(data, "phases")
        ),
        logs=build_logs(_dict(data, "logs")),
    )


# --- CloudWatch Logs --------------------------------------------------------------------------


def log_event(data: Json) -> LogEvent:
    """An OutputLogEvent (GetLogEvents) or a LiveTailSessionLogEvent (StartLiveTail)."""
    return LogEvent(
        timestamp=_int(data, "timestamp") or 0,
        message=str(data.get("message") or ""),
        ingestion_time=_int(data, "ingestionTime"),
    )


def log_page(response: Json) -> LogPage:
    """GetLogEvents' response."""
    return LogPage(
        events=tuple(log_event(e) for e in _list(response, "events")),
        next_forward_token=_str(response, "nextForwardToken"),
        next_backward_token=_str(response, "nextBackwardToken"),
    )


# --- STS --------------------------------------------------------------------------------------


def identity(response: Json) -> Identity:
    """GetCallerIdentity's response."""
    arn = str(response.get("Arn") or "")
    # arn:aws:sts::123456789012:assumed-role/...: the account is the ARN's fifth field.
    from_arn = arn.split(":")[4] if arn.count(":") >= 5 else ""
    return Identity(
        account=str(response.get("Account") or from_arn or _req(response, "Account")),
        arn=str(response.get("Arn") or ""),
        user_id=str(response.get("UserId") or ""),
    )


# --- whole responses (what the service converts) ----------------------------------------------


def _with(items: Any, *keys: str) -> list[Json]:
    """The items of a list that carry ``keys``: one odd item must not hide the whole list."""
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, Mapping) and all(i.get(k) for k in keys)]


def pipeline_summaries(items: Any) -> list[PipelineSummary]:
    """ListPipelines' ``pipelines`` (every page): those without a name are left out."""
    return [pipeline_summary(p) for p in _with(items, "name")]


def execution_summaries(pipeline_name: str, response: Json) -> list[ExecutionSummary]:
    """One ListPipelineExecutions page: executions without an id are left out."""
    return [
        execution_summary(pipeline_name, item)
        for item in _with(response.get("pipelineExecutionSummaries"), "pipelineExecutionId")
    ]


def action_executions(items: Any, execution_id: str) -> list[ActionExecution]:
    """ListActionExecutions' ``actionExecutionDetails`` (every page) for one pipeline execution:
    items without their own id are left out."""
    return [action_execution(a, execution_id) for a in _with(items, "actionExecutionId")]


def pipeline_action_executions(items: Any) -> list[ActionExecution]:
    """ListActionExecutions' ``actionExecutionDetails`` without a filter (a page of the whole
    pipeline's, newest first): items without their own id or their pipeline execution's are left out."""
    return [
        action_execution(a)
        for a in _with(items, "actionExecutionId")
        if isinstance(a.get("pipelineExecutionId"), str) and a.get("pipelineExecutionId")
    ]


def builds(response: Json) -> list[Build]:
    """BatchGetBuilds' response: builds without an id are left out."""
    return [build(b) for b in _with(response.get("builds"), "id")]

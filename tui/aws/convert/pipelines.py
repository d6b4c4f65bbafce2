"""CodePipeline pipelines: ListPipelines' summaries, GetPipeline's definition (stages, actions, V2
conditions, triggers, variables) and its declaration as AWS sent it, and a resource's tags."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypedDict

from tui.aws.convert.readers import (
    Json,
    condition_blocks,
    dicts,
    having,
    integer,
    member,
    named,
    names,
    required,
    strings,
    text,
    timestamp,
)
from tui.core.model import (
    ActionCategory,
    ActionDef,
    ConditionDef,
    ConditionKind,
    ConditionResult,
    ExecutionMode,
    GitFilter,
    GitPullRequestFilter,
    GitPushFilter,
    PipelineDeclaration,
    PipelineDef,
    PipelineSummary,
    PipelineTriggerDef,
    PipelineType,
    PipelineVariableDef,
    RetryMode,
    RuleDef,
    StageConditions,
    StageDef,
)


class _Kind(TypedDict):
    name: str
    version: int
    pipeline_type: PipelineType
    execution_mode: ExecutionMode


def _kind(pipeline: Json) -> _Kind:
    """A pipeline's name, version, type and execution mode (ListPipelines' item, GetPipeline's
    ``pipeline``)."""
    return _Kind(
        name=str(required(pipeline, "name")),
        version=integer(pipeline, "version") or 1,
        pipeline_type=PipelineType(pipeline.get("pipelineType") or "V1"),
        execution_mode=ExecutionMode(pipeline.get("executionMode") or "SUPERSEDED"),
    )


class _Stored(TypedDict):
    arn: str
    created: datetime | None
    updated: datetime | None


def _stored(metadata: Json) -> _Stored:
    """GetPipeline's (or UpdatePipeline's) ``metadata``: the pipeline's ARN and when it was made
    and last changed."""
    return _Stored(
        arn=str(metadata.get("pipelineArn") or ""),
        created=timestamp(metadata, "created"),
        updated=timestamp(metadata, "updated"),
    )


def pipeline_summary(data: Json) -> PipelineSummary:
    """One item of ListPipelines' ``pipelines``."""
    return PipelineSummary(
        **_kind(data),
        created=timestamp(data, "created"),
        updated=timestamp(data, "updated"),
    )


def action_def(data: Json) -> ActionDef:
    type_id = member(data, "actionTypeId")
    return ActionDef(
        name=str(required(data, "name")),
        category=ActionCategory(type_id.get("category") or "Unknown"),
        owner=str(type_id.get("owner") or ""),
        provider=str(type_id.get("provider") or ""),
        run_order=integer(data, "runOrder") or 1,
        version=str(type_id.get("version") or "1"),
        configuration=strings(data, "configuration"),
        input_artifacts=names(dicts(data, "inputArtifacts")),
        output_artifacts=names(dicts(data, "outputArtifacts")),
        region=text(data, "region"),
        timeout_minutes=integer(data, "timeoutInMinutes"),
    )


def pipeline_def(response: Json) -> PipelineDef:
    """GetPipeline's whole response (``pipeline`` + ``metadata``)."""
    pipeline = required(response, "pipeline")
    metadata = member(response, "metadata")
    return PipelineDef(
        **_kind(pipeline),
        stages=tuple(stage_def(stage) for stage in named(dicts(pipeline, "stages"))),
        variables=tuple(
            PipelineVariableDef(
                name=str(required(v, "name")),
                default=text(v, "defaultValue"),
                description=text(v, "description"),
            )
            for v in named(dicts(pipeline, "variables"))
        ),
        role_arn=str(pipeline.get("roleArn") or ""),
        **_stored(metadata),
        triggers=tuple(t for t in (trigger_def(t) for t in dicts(pipeline, "triggers")) if t is not None),
    )


def _result(data: Json, key: str = "result") -> ConditionResult | None:
    value = data.get(key)
    return ConditionResult(value) if isinstance(value, str) and value else None


def rule_def(data: Json) -> RuleDef:
    type_id = member(data, "ruleTypeId")
    commands = data.get("commands")
    return RuleDef(
        name=str(required(data, "name")),
        provider=str(type_id.get("provider") or ""),
        category=str(type_id.get("category") or "Rule"),
        owner=str(type_id.get("owner") or "AWS"),
        version=str(type_id.get("version") or "1"),
        configuration=strings(data, "configuration"),
        input_artifacts=names(dicts(data, "inputArtifacts")),
        commands=tuple(str(c) for c in commands) if isinstance(commands, list) else (),
        region=text(data, "region"),
        role_arn=text(data, "roleArn"),
        timeout_minutes=integer(data, "timeoutInMinutes"),
    )


def stage_conditions(data: Json, kind: ConditionKind) -> StageConditions:
    """A stage's beforeEntry / onSuccess / onFailure block."""
    retry = member(data, "retryConfiguration")
    mode = retry.get("retryMode")
    return StageConditions(
        kind=kind,
        conditions=tuple(
            ConditionDef(result=_result(c), rules=tuple(rule_def(r) for r in named(dicts(c, "rules"))))
            for c in dicts(data, "conditions")
        ),
        result=_result(data),
        retry_mode=RetryMode(mode) if isinstance(mode, str) and mode else None,
    )


def stage_def(data: Json) -> StageDef:
    before_entry, on_success, on_failure = condition_blocks(data, "", stage_conditions)
    return StageDef(
        name=str(required(data, "name")),
        actions=tuple(action_def(a) for a in named(dicts(data, "actions"))),
        before_entry=before_entry,
        on_success=on_success,
        on_failure=on_failure,
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
    git = member(data, "gitConfiguration")
    action = git.get("sourceActionName")
    if not action:
        return None
    push = tuple(
        GitPushFilter(
            branches=_git_filter(f, "branches"),
            tags=_git_filter(f, "tags"),
            file_paths=_git_filter(f, "filePaths"),
        )
        for f in dicts(git, "push")
    )
    pulls = []
    for f in dicts(git, "pullRequest"):
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
    pipeline = required(response, "pipeline")
    metadata = member(response, "metadata")
    return PipelineDeclaration(
        name=str(required(pipeline, "name")),
        version=integer(pipeline, "version") or 1,
        document=_jsonable(pipeline),
        **_stored(metadata),
    )


def tags(items: Iterable[Json]) -> dict[str, str]:
    """ListTagsForResource's ``tags`` (all pages) as a dict, in the order AWS listed them."""
    return {str(t["key"]): str(t.get("value") or "") for t in items if t.get("key") is not None}


def pipeline_summaries(items: Any) -> list[PipelineSummary]:
    """ListPipelines' ``pipelines`` (every page): those without a name are left out."""
    return [pipeline_summary(p) for p in having(items, "name")]

"""convert: API dicts -> model objects, defensively (missing members, new enum values, odd states)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tui.aws import convert
from tui.core.model import (
    ActionCategory,
    BuildStatus,
    ExecutionMode,
    ExecutionType,
    PipelineType,
    Status,
    TriggerType,
)

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_pipeline_summary_defaults_and_unknown_values() -> None:
    minimal = convert.pipeline_summary({"name": "web"})
    assert minimal.version == 1
    assert minimal.pipeline_type == PipelineType.V1
    assert minimal.execution_mode == ExecutionMode.SUPERSEDED
    newer = convert.pipeline_summary(
        {"name": "web", "version": 4, "pipelineType": "V3", "executionMode": "BATCHED"}
    )
    assert newer.pipeline_type == "V3" and not newer.pipeline_type.known
    assert newer.execution_mode == "BATCHED" and not newer.execution_mode.known


def test_timestamps_become_aware_utc() -> None:
    local = datetime(2026, 11, 26, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    summary = convert.pipeline_summary({"name": "a", "created": local, "updated": 1_795_000_000})
    assert summary.created == T0 and summary.created.tzinfo is UTC
    assert summary.updated is not None and summary.updated.tzinfo is UTC


def test_pipeline_def() -> None:
    response = {
        "pipeline": {
            "name": "web",
            "version": 7,
            "pipelineType": "V2",
            "executionMode": "QUEUED",
            "roleArn": "arn:role",
            "variables": [{"name": "env", "defaultValue": "dev"}, {"name": "x"}],
            "stages": [
                {
                    "name": "Build",
                    "actions": [
                        {
                            "name": "Unit",
                            "actionTypeId": {
                                "category": "Test",
                                "owner": "AWS",
                                "provider": "CodeBuild",
                                "version": "1",
                            },
                            "runOrder": 2,
                            "configuration": {"ProjectName": "unit"},
                            "inputArtifacts": [{"name": "Src"}],
                        },
                        {"name": "Compile", "actionTypeId": {"category": "NewThing"}},
                    ],
                }
            ],
        },
        "metadata": {"pipelineArn": "arn:aws:codepipeline:us-east-1:1:web", "created": T0},
    }
    definition = convert.pipeline_def(response)
    assert definition.arn.endswith(":web") and definition.created == T0
    assert definition.execution_mode == ExecutionMode.QUEUED
    assert [v.default for v in definition.variables] == ["dev", None]
    build = definition.stages[0]
    unit, compile_ = build.actions
    assert unit.category == ActionCategory.TEST and unit.run_order == 2
    assert unit.configuration == {"ProjectName": "unit"} and unit.input_artifacts == ("Src",)
    assert compile_.category == "NewThing" and not compile_.category.known
    assert compile_.run_order == 1 and compile_.provider == ""
    assert [tuple(a.name for a in group) for group in build.run_orders] == [("Compile",), ("Unit",)]


def test_pipeline_state_v1_v2_inbound_and_extra_stages() -> None:
    response = {
        "pipelineName": "web",
        "pipelineVersion": 3,
        "stageStates": [
            {
                "stageName": "Deploy",
                "inboundTransitionState": {
                    "enabled": False,
                    "lastChangedBy": "arn:user/ana",
                    "lastChangedAt": T0,
                    "disabledReason": "freeze",
                },
                # V2 lists every held execution; the single V1 member repeats one of them.
                "inboundExecutions": [
                    {"pipelineExecutionId": "e1", "status": "InProgress", "type": "STANDARD"},
                    {"pipelineExecutionId": "e2", "status": "InProgress"},
                ],
                "inboundExecution": {"pipelineExecutionId": "e1", "status": "InProgress"},
                "latestExecution": {"pipelineExecutionId": "e0", "status": "Succeeded"},
                "actionStates": [
                    {
                        "actionName": "Approve",
                        "latestExecution": {
                            "actionExecutionId": "ae1",
                            "status": "InProgress",
                            "token": "tok-1",
                            "summary": "please look",
                            "lastStatusChange": T0,
                            "percentComplete": 40,
                            "externalExecutionId": "x1",
                            "externalExecutionUrl": "https://x",
                            "errorDetails": {"code": "E", "message": "m"},
                        },
                        "currentRevision": {"revisionId": "r1", "revisionChangeId": "c1"},
                        "entityUrl": "https://entity",
                        "revisionUrl": "https://rev",
                    },
                    {"actionName": "NeverRan"},
                ],
            },
            # A stage the current definition may no longer have, and one with a new status.
            {"stageName": "Removed", "latestExecution": {"pipelineExecutionId": "e9", "status": "Paused"}},
            {
                "stageName": "Legacy",
                "inboundExecution": {"pipelineExecutionId": "v1", "status": "InProgress"},
            },
        ],
    }
    state = convert.pipeline_state(response)
    deploy = state.stage("Deploy")
    assert deploy is not None
    assert [ref.execution_id for ref in deploy.inbound] == ["e1", "e2"]
    assert deploy.transition.enabled is False and deploy.transition.disabled_reason == "freeze"
    assert deploy.status == Status.SUCCEEDED
    approve = deploy.action("Approve")
    assert approve is not None
    assert approve.token == "tok-1" and approve.percent_complete == 40
    assert (approve.error_code, approve.error_message) == ("E", "m")
    assert (approve.revision_id, approve.revision_change_id) == ("r1", "c1")
    assert approve.external_execution_url == "https://x" and approve.entity_url == "https://entity"
    never = deploy.action("NeverRan")
    assert never is not None and never.status == Status.IDLE and never.token is None
    removed = state.stage("Removed")
    assert removed is not None and removed.status == "Paused" and not removed.status.known
    legacy = state.stage("Legacy")
    assert legacy is not None and legacy.status == Status.IDLE
    assert [ref.execution_id for ref in legacy.inbound] == ["v1"]
    assert legacy.transition.enabled is True


def test_execution_summary_and_execution() -> None:
    summary = convert.execution_summary(
        "web",
        {
            "pipelineExecutionId": "e1",
            "status": "Stopped",
            "startTime": T0,
            "lastUpdateTime": T0 + timedelta(minutes=3),
            "sourceRevisions": [{"actionName": "Source", "revisionId": "a" * 40}],
            "trigger": {"triggerType": "WebhookV2", "triggerDetail": "push"},
            "stopTrigger": {"reason": "bad deploy"},
            "executionMode": "QUEUED",
            "executionType": "ROLLBACK",
            "rollbackMetadata": {"rollbackTargetPipelineExecutionId": "e0"},
        },
    )
    assert summary.duration_seconds == 180
    assert summary.source_revisions[0].short_id == "aaaaaaaa"
    assert summary.trigger is not None and summary.trigger.trigger_type == TriggerType.WEBHOOK_V2
    assert summary.stop_reason == "bad deploy" and summary.rollback_target == "e0"
    assert summary.execution_type == ExecutionType.ROLLBACK

    execution = convert.execution(
        {
            "pipelineExecution": {
                "pipelineName": "web",
                "pipelineExecutionId": "e1",
                "status": "InProgress",
                "variables": [{"name": "env", "resolvedValue": "prod"}],
                "artifactRevisions": [{"name": "Src", "revisionId": "r1"}],
            }
        }
    )
    assert execution.variables == {"env": "prod"}
    assert execution.artifact_revisions[0].revision_id == "r1"
    assert execution.trigger is None and execution.execution_mode is None


def test_action_execution_prefers_resolved_configuration() -> None:
    detail = convert.action_execution(
        {
            "pipelineExecutionId": "e1",
            "actionExecutionId": "a1",
            "stageName": "Build",
            "actionName": "Compile",
            "status": "Failed",
            "input": {
                "actionTypeId": {"category": "Build", "provider": "CodeBuild"},
                "configuration": {"ProjectName": "#{vars.p}"},
                "resolvedConfiguration": {"ProjectName": "web-build"},
                "inputArtifacts": [{"name": "Src", "s3location": {"bucket": "b", "key": "k"}}],
            },
            "output": {
                "outputArtifacts": [{"name": "Out"}],
                "outputVariables": {"IMAGE": "web:1"},
                "executionResult": {
                    "externalExecutionId": "web-build:1",
                    "externalExecutionSummary": "Build failed",
                    "errorDetails": {"code": "JobFailed", "message": "exit status 2"},
                },
            },
        }
    )
    assert detail.configuration == {"ProjectName": "web-build"}
    assert detail.input_artifacts == ("Src",) and detail.output_artifacts == ("Out",)
    assert detail.output_variables == {"IMAGE": "web:1"}
    assert detail.summary == "Build failed" and detail.error_code == "JobFailed"
    assert detail.category == ActionCategory.BUILD


def test_build_logs_disabled_and_s3() -> None:
    build = convert.build(
        {
            "id": "proj:1234",
            "buildStatus": "TIMED_OUT",
            "phases": [
                {"phaseType": "BUILD", "phaseStatus": "FAILED", "contexts": [{"message": "exit 2"}]},
                {"phaseType": "POST_BUILD"},
            ],
            "logs": {
                "cloudWatchLogs": {"status": "DISABLED"},
                "s3Logs": {"status": "ENABLED", "location": "bucket/logs"},
            },
        }
    )
    assert build.project == "proj"
    assert build.status == BuildStatus.TIMED_OUT and build.status.as_status() == Status.FAILED
    assert build.phases[0].messages == ("exit 2",) and build.phases[1].status is None
    assert build.logs.cloudwatch_enabled is False
    assert build.logs.s3_location == "bucket/logs"
    default = convert.build({"id": "p:1", "logs": {"groupName": "g", "streamName": "s"}})
    assert default.logs.cloudwatch_enabled is True and default.logs.s3_location is None
    assert default.status == BuildStatus.IN_PROGRESS


def test_log_page_and_identity() -> None:
    page = convert.log_page(
        {
            "events": [{"timestamp": 1, "message": "hi\n", "ingestionTime": 2}, {"message": "x"}],
            "nextForwardToken": "f/1",
        }
    )
    assert page.events[0].message == "hi\n" and page.events[1].timestamp == 0
    assert page.next_forward_token == "f/1" and page.next_backward_token is None
    assert convert.identity({"Account": "1", "Arn": "arn"}).account == "1"


@pytest.mark.parametrize(
    ("fn", "data"),
    [
        (convert.pipeline_summary, {}),
        (convert.pipeline_state, {"stageStates": []}),
        (convert.action_execution, {"pipelineExecutionId": "e"}),
        (convert.build, {"buildStatus": "SUCCEEDED"}),
        (convert.identity, {}),
    ],
)
def test_missing_required_members_raise_malformed(fn: object, data: dict[str, object]) -> None:
    assert callable(fn)
    with pytest.raises(convert.MalformedResponse):
        fn(data)

"""The AWS layer's pipeline-management methods (AwsPipelineService on real aiobotocore) against
the simulator: the declaration kept as AWS sent it, UpdatePipeline and its refusals as domain
errors, tags (the CloudFormation marker), V2 conditions and triggers in the model, rule
executions, OverrideStageCondition, DeletePipeline, the succeeded-in-stage history filter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from awsfixtures import isolate_aws_env
from botocore.exceptions import ClientError
from simfixtures import advance_until

from tui.aws import create_service
from tui.aws import errors as e
from tui.aws.client import AwsPipelineService
from tui.aws.errormap import map_error
from tui.core.model import (
    ConditionKind,
    ConditionResult,
    ConditionStatus,
    Status,
    Target,
    cloudformation_stack,
)
from tui.sim import Simulator

TARGET = Target(region="us-east-1", profile=None, name="test")
CREDENTIALS = ("AKID123456789012", "x", None)
WINDOW = {
    "name": "Night-Window",
    "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": "DeploymentWindow", "version": "1"},
    "configuration": {"Cron": "0 22-23 ? * MON-FRI *", "TimeZone": "UTC"},
}


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws_env(monkeypatch, tmp_path)


@pytest.fixture
async def service(sim: Simulator) -> AsyncIterator[AwsPipelineService]:
    made = create_service(TARGET, endpoint_url=sim.url, credentials=CREDENTIALS)
    yield made
    await made.close()


async def test_declaration_edit_update_and_delete(sim: Simulator, service: AwsPipelineService) -> None:
    decl = await service.get_pipeline_declaration("docs-site")
    assert decl.name == "docs-site" and decl.arn.endswith(":docs-site") and decl.updated is not None
    assert "metadata" not in decl.document and decl.document["version"] == decl.version
    edited = decl.editable()
    edited["stages"][2]["actions"][0]["configuration"]["Extract"] = "false"
    assert decl.document["stages"][2]["actions"][0]["configuration"]["Extract"] == "true"
    stored = await service.update_pipeline(edited)
    assert stored.version == decl.version + 1
    assert stored.document["stages"][2]["actions"][0]["configuration"]["Extract"] == "false"
    assert (await service.get_pipeline("docs-site")).version == decl.version + 1
    with pytest.raises(e.ValidationFailed, match="metadata"):
        await service.update_pipeline({**edited, "metadata": {}})
    broken = decl.editable()
    broken["stages"] = broken["stages"][:1]
    with pytest.raises(e.InvalidDefinition) as info:
        await service.update_pipeline(broken)
    assert info.value.code == "InvalidStructureException"
    assert "at least two stages" in info.value.aws_message
    assert str(info.value) == (
        "codepipeline:UpdatePipeline refused the definition — the pipeline's structure is not valid "
        "(InvalidStructureException): A pipeline must contain at least two stages. "
        "Nothing was changed: correct it and send it again"
    )
    await service.delete_pipeline("docs-site")
    with pytest.raises(e.NotFound):
        await service.get_pipeline("docs-site")


async def test_tags_and_the_cloudformation_marker(sim: Simulator, service: AwsPipelineService) -> None:
    arn = "arn:aws:codepipeline:us-east-1:123456789012:web-frontend"
    sim.engine.world().pipelines["web-frontend"].tags = {
        "aws:cloudformation:stack-name": "web-frontend-pipeline",
        "team": "web",
    }
    tags = await service.list_tags_for_resource(arn)
    assert tags == {"aws:cloudformation:stack-name": "web-frontend-pipeline", "team": "web"}
    assert cloudformation_stack(tags) == "web-frontend-pipeline"
    assert cloudformation_stack({"team": "web"}) is None
    with pytest.raises(e.NotFound):
        await service.list_tags_for_resource("arn:aws:codepipeline:us-east-1:123456789012:nope")


async def test_conditions_rule_executions_and_override(sim: Simulator, service: AwsPipelineService) -> None:
    decl = (await service.get_pipeline_declaration("auth-service")).editable()
    decl["stages"][2]["beforeEntry"] = {"conditions": [{"result": "FAIL", "rules": [WINDOW]}]}
    decl["stages"][1]["onFailure"] = {
        "result": "RETRY",
        "retryConfiguration": {"retryMode": "FAILED_ACTIONS"},
    }
    decl["triggers"] = [
        {
            "providerType": "CodeStarSourceConnection",
            "gitConfiguration": {
                "sourceActionName": "Source",
                "push": [
                    {"branches": {"includes": ["main", "release/*"]}, "filePaths": {"excludes": ["docs/**"]}}
                ],
                "pullRequest": [{"events": ["OPEN", "UPDATED"], "branches": {"includes": ["main"]}}],
            },
        }
    ]
    await service.update_pipeline(decl)
    definition = await service.get_pipeline("auth-service")
    deploy = definition.stage("Deploy")
    assert deploy is not None and deploy.before_entry is not None
    assert deploy.before_entry.effective_result == ConditionResult.FAIL
    assert [r.provider for r in deploy.before_entry.rules] == ["DeploymentWindow"]
    build = definition.stage("Build")
    assert build is not None and build.on_failure is not None
    assert build.on_failure.result == ConditionResult.RETRY and not build.on_failure.conditions
    [trigger] = definition.triggers
    assert trigger.source_action == "Source"
    assert trigger.push[0].branches is not None and trigger.push[0].branches.includes == ("main", "release/*")
    assert trigger.push[0].file_paths is not None and trigger.push[0].file_paths.excludes == ("docs/**",)
    assert trigger.pull_request[0].events == ("OPEN", "UPDATED")

    world = sim.engine.world()
    world.pipelines["auth-service"].force("Build", "Build", "Succeeded", 60)
    world.pipelines["auth-service"].force("Deploy", "Deploy-ECS", "Succeeded", 60)
    eid = await service.start_execution("auth-service")
    advance_until(sim, lambda w: w.pipelines["auth-service"].stage_latest.get("Deploy") == eid, step=10)
    state = await service.get_pipeline_state("auth-service")
    stage = state.stage("Deploy")
    assert stage is not None and stage.before_entry is not None
    blocked = stage.blocked_by_condition
    assert blocked is not None and blocked.kind == ConditionKind.BEFORE_ENTRY
    assert blocked.status == ConditionStatus.IN_PROGRESS
    assert [(r.name, r.status) for r in blocked.rules] == [("Night-Window", Status.IN_PROGRESS)]
    rules = await service.list_rule_executions("auth-service", eid)
    assert [(r.rule_name, r.provider, r.status) for r in rules] == [
        ("Night-Window", "DeploymentWindow", Status.IN_PROGRESS)
    ]
    with pytest.raises(e.ValidationFailed):
        await service.override_stage_condition("auth-service", "Deploy", eid, ConditionKind.ON_FAILURE)
    with pytest.raises(e.ConditionNotOverridable):
        await service.override_stage_condition("auth-service", "Deploy", eid, ConditionKind.ON_SUCCESS)
    await service.override_stage_condition("auth-service", "Deploy", eid, ConditionKind.BEFORE_ENTRY)
    state = await service.get_pipeline_state("auth-service")
    stage = state.stage("Deploy")
    assert stage is not None and stage.blocked_by_condition is None
    assert stage.before_entry is not None and stage.before_entry.status == ConditionStatus.OVERRIDDEN
    assert stage.before_entry.summary == "Overridden by cptui"
    assert [r.last_updated_by for r in stage.before_entry.rules] == [
        "arn:aws:sts::123456789012:assumed-role/cptui-operator/cptui"
    ]


async def test_history_filtered_to_a_stage(sim: Simulator, service: AwsPipelineService) -> None:
    page = await service.list_executions("web-frontend", max_results=100, succeeded_in_stage="Test")
    p = sim.engine.world().pipelines["web-frontend"]
    assert [x.execution_id for x in page.items] == [
        x.id for x in p.newest_first() if x.stages.get("Test") and x.stages["Test"].status == "Succeeded"
    ]


def _client_error(code: str, message: str, operation: str) -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}}
    return ClientError(response, operation)


@pytest.mark.parametrize(
    "code",
    [
        "InvalidStructureException",
        "InvalidStageDeclarationException",
        "InvalidActionDeclarationException",
        "InvalidBlockerDeclarationException",
        "LimitExceededException",
    ],
)
def test_definition_errors_are_readable(code: str) -> None:
    error = map_error(
        _client_error(code, "Stage 'X' is wrong.", "UpdatePipeline"),
        "UpdatePipeline",
        mutation=True,
        profile=None,
        service="codepipeline",
    )
    assert isinstance(error, e.InvalidDefinition)
    assert error.aws_message == "Stage 'X' is wrong." and error.code == code
    assert str(error).startswith("codepipeline:UpdatePipeline refused the definition")
    # Elsewhere LimitExceededException stays what it was (a rate limit).
    other = map_error(
        _client_error("LimitExceededException", "", "PutRule"), "PutRule", mutation=True, profile=None
    )
    assert isinstance(other, e.Throttled)


def test_shared_operation_names_name_the_right_iam_action() -> None:
    denied = _client_error("AccessDeniedException", "", "ListTagsForResource")
    error = map_error(denied, "ListTagsForResource", mutation=False, profile=None, service="codepipeline")
    assert isinstance(error, e.AccessDenied) and error.missing_action == "codepipeline:ListTagsForResource"
    events = map_error(denied, "ListTagsForResource", mutation=False, profile=None)
    assert events.missing_action == "events:ListTagsForResource"
    not_overridable = map_error(
        _client_error("ConditionNotOverridableException", "uses SKIP", "OverrideStageCondition"),
        "OverrideStageCondition",
        mutation=True,
        profile=None,
        service="codepipeline",
    )
    assert isinstance(not_overridable, e.ConditionNotOverridable) and "uses SKIP" in str(not_overridable)
    in_use = map_error(
        _client_error("PipelineNameInUseException", "", "CreatePipeline"),
        "CreatePipeline",
        mutation=True,
        profile=None,
    )
    assert isinstance(in_use, e.Conflict)


async def test_denied_management_calls_name_the_iam_action(
    sim: Simulator, service: AwsPipelineService
) -> None:
    decl = (await service.get_pipeline_declaration("docs-site")).editable()
    sim.set_faults("deny=UpdatePipeline+ListTagsForResource+OverrideStageCondition")
    with pytest.raises(e.AccessDenied) as info:
        await service.update_pipeline(decl)
    assert info.value.missing_action == "codepipeline:UpdatePipeline"
    with pytest.raises(e.AccessDenied) as info:
        await service.list_tags_for_resource("arn:aws:codepipeline:us-east-1:123456789012:docs-site")
    assert info.value.missing_action == "codepipeline:ListTagsForResource"
    assert "codepipeline:ListTagsForResource" in str(info.value)

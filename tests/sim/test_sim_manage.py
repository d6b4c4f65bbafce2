"""Managing pipelines against the simulator through real aiobotocore, every response checked
against botocore's output shapes (inside ``aio_client``): Create / Update / DeletePipeline with
CodePipeline's structural checks, tags, V2 stage conditions evaluated by the engine,
ListRuleExecutions and OverrideStageCondition."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.support.sim import advance_until, aio_client
from tui.sim import Simulator

ARN = "arn:aws:codepipeline:us-east-1:123456789012:{}"


async def _decl(cp: Any, name: str) -> dict[str, Any]:
    got = await cp.get_pipeline(name=name)
    decl: dict[str, Any] = got["pipeline"]
    return decl


def _rule(name: str, provider: str, **cfg: str) -> dict[str, Any]:
    return {
        "name": name,
        "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": provider, "version": "1"},
        "configuration": cfg,
    }


async def test_update_pipeline_round_trip_bumps_version(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        before = await cp.get_pipeline(name="docs-site")
        decl = before["pipeline"]
        decl["stages"][1]["actions"].append(
            {
                "name": "Lint-Docs",
                "actionTypeId": {"category": "Test", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                "runOrder": 2,
                "configuration": {"ProjectName": "docs-lint"},
                "inputArtifacts": [{"name": "SourceArtifact"}],
            }
        )
        sim.clock.advance(60)
        updated = await cp.update_pipeline(pipeline=decl)
        assert updated["pipeline"]["version"] == decl["version"] + 1
        after = await cp.get_pipeline(name="docs-site")
        assert after["pipeline"]["version"] == decl["version"] + 1
        assert after["metadata"]["updated"] > before["metadata"]["updated"]
        build = after["pipeline"]["stages"][1]
        assert [a["name"] for a in build["actions"]] == ["Build-Docs", "Lint-Docs"]
        state = await cp.get_pipeline_state(name="docs-site")
        assert state["pipelineVersion"] == decl["version"] + 1
        assert [a["actionName"] for a in state["stageStates"][1]["actionStates"]] == [
            "Build-Docs",
            "Lint-Docs",
        ]
        # The same declaration again (version as read) is accepted: UpdatePipeline has no
        # concurrency check of its own.
        again = await cp.update_pipeline(pipeline=decl)
        assert again["pipeline"]["version"] == decl["version"] + 2
        summary = next(p for p in (await cp.list_pipelines())["pipelines"] if p["name"] == "docs-site")
        assert summary["version"] == decl["version"] + 2


async def test_update_cancels_executions_in_progress(sim: Simulator) -> None:
    world = sim.engine.world()
    order = world.pipelines["ml-training"]
    running = [e for e in order.executions.values() if not e.final]
    assert running, "the demo trains a model at t0"
    async with aio_client(sim, "codepipeline") as cp:
        decl = await _decl(cp, "ml-training")
        await cp.update_pipeline(pipeline=decl)
        for ex in running:
            got = await cp.get_pipeline_execution(pipelineName="ml-training", pipelineExecutionId=ex.id)
            assert got["pipelineExecution"]["status"] == "Cancelled"
        state = await cp.get_pipeline_state(name="ml-training")
        statuses = {s["stageName"]: s.get("latestExecution", {}).get("status") for s in state["stageStates"]}
        assert "Cancelled" in statuses.values() and "InProgress" not in statuses.values()
        # A new execution runs the new version.
        started = await cp.start_pipeline_execution(name="ml-training")
        got = await cp.get_pipeline_execution(
            pipelineName="ml-training", pipelineExecutionId=started["pipelineExecutionId"]
        )
        assert got["pipelineExecution"]["pipelineVersion"] == decl["version"] + 1


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (lambda d: d.update(stages=d["stages"][:1]), "InvalidStructureException", "at least two stages"),
        (
            lambda d: d["stages"].__setitem__(1, {**d["stages"][1], "name": "Source"}),
            "InvalidStructureException",
            "Stage name 'Source' is not unique",
        ),
        (
            lambda d: d["stages"][1]["actions"].append(copy.deepcopy(d["stages"][1]["actions"][0])),
            "InvalidStageDeclarationException",
            "Action name 'Build-Docs' is not unique",
        ),
        (
            lambda d: d["stages"][0]["actions"][0]["actionTypeId"].update(category="Build"),
            "InvalidStructureException",
            "first stage can contain only source actions",
        ),
        (
            lambda d: d["stages"][2]["actions"].append(copy.deepcopy(d["stages"][0]["actions"][0])),
            "InvalidStructureException",
            "only in the first stage",
        ),
        (
            lambda d: d["stages"][1]["actions"][0].update(inputArtifacts=[{"name": "Nope"}]),
            "InvalidStructureException",
            "Input artifact 'Nope'",
        ),
        (
            lambda d: d["stages"][2]["actions"][0].update(outputArtifacts=[{"name": "SourceArtifact"}]),
            "InvalidStructureException",
            "Output artifact name 'SourceArtifact'",
        ),
        (
            lambda d: d.update(variables=[{"name": "X", "defaultValue": "1"}]),
            "InvalidStructureException",
            "only for pipelines of type V2",
        ),
        (
            lambda d: d["stages"][1].update(blockers=[{"name": "b", "type": "Schedule"}]),
            "InvalidBlockerDeclarationException",
            "blockers",
        ),
        (lambda d: d["stages"][1]["actions"][0].update(runOrder=1000), "ValidationException", "runOrder"),
        (lambda d: d.update(name="docs-site-renamed"), "ValidationException", "cannot be changed"),
        (lambda d: d.update(pipelineType="V3"), "ValidationException", "pipelineType"),
        (
            lambda d: d.update(
                stages=[d["stages"][0]] + [{**d["stages"][1], "name": f"S{i}"} for i in range(50)]
            ),
            "LimitExceededException",
            "at most 50 stages",
        ),
    ],
)
async def test_update_pipeline_validation(sim: Simulator, change: Any, code: str, words: str) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        decl = await _decl(cp, "docs-site")  # a V1 pipeline: Source / Build / Deploy
        version = decl["version"]
        change(decl)
        with pytest.raises(cp.exceptions.ClientError) as info:
            await cp.update_pipeline(pipeline=decl)
        assert info.value.response["Error"]["Code"] == code
        assert words in info.value.response["Error"]["Message"]
        assert (await _decl(cp, "docs-site"))["version"] == version


@pytest.mark.slow
async def test_variable_names_are_unique(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        decl = await _decl(cp, "payments-api-prod")
        decl["variables"].append({"name": "DEPLOY_ENV", "defaultValue": "dev"})
        with pytest.raises(cp.exceptions.InvalidStructureException, match="'DEPLOY_ENV' is not unique"):
            await cp.update_pipeline(pipeline=decl)


async def test_condition_validation(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        decl = await _decl(cp, "web-frontend")
        decl["stages"][3]["beforeEntry"] = {
            "conditions": [
                {"result": "ROLLBACK", "rules": [_rule("Window", "DeploymentWindow", Cron="* * ? * * *")]}
            ]
        }
        with pytest.raises(cp.exceptions.InvalidStageDeclarationException, match="not valid for beforeEntry"):
            await cp.update_pipeline(pipeline=decl)
        decl["stages"][3]["beforeEntry"]["conditions"][0]["result"] = "SKIP"
        with pytest.raises(
            cp.exceptions.InvalidStageDeclarationException, match="LambdaInvoke and VariableCheck"
        ):
            await cp.update_pipeline(pipeline=decl)


async def test_create_delete_and_tags(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        decl = await _decl(cp, "docs-site")
        decl.pop("version")
        decl["name"] = "docs-site-copy"
        created = await cp.create_pipeline(pipeline=decl, tags=[{"key": "team", "value": "docs"}])
        assert created["pipeline"]["version"] == 1
        assert created["tags"] == [{"key": "team", "value": "docs"}]
        with pytest.raises(cp.exceptions.PipelineNameInUseException):
            await cp.create_pipeline(pipeline=decl)
        arn = ARN.format("docs-site-copy")
        await cp.tag_resource(resourceArn=arn, tags=[{"key": "owner", "value": "alice"}])
        tags = (await cp.list_tags_for_resource(resourceArn=arn))["tags"]
        assert {t["key"]: t["value"] for t in tags} == {"owner": "alice", "team": "docs"}
        await cp.untag_resource(resourceArn=arn, tagKeys=["team"])
        assert (await cp.list_tags_for_resource(resourceArn=arn))["tags"] == [
            {"key": "owner", "value": "alice"}
        ]
        with pytest.raises(cp.exceptions.InvalidTagsException):
            await cp.tag_resource(resourceArn=arn, tags=[{"key": "aws:mine", "value": "x"}])
        runs = await cp.list_pipeline_executions(pipelineName="docs-site-copy")
        assert runs["pipelineExecutionSummaries"][0]["trigger"]["triggerType"] == "CreatePipeline"
        await cp.delete_pipeline(name="docs-site-copy")
        with pytest.raises(cp.exceptions.PipelineNotFoundException):
            await cp.get_pipeline(name="docs-site-copy")
        with pytest.raises(cp.exceptions.PipelineNotFoundException):
            await cp.list_pipeline_executions(pipelineName="docs-site-copy")
        with pytest.raises(cp.exceptions.ResourceNotFoundException):
            await cp.list_tags_for_resource(resourceArn=arn)
        with pytest.raises(cp.exceptions.InvalidArnException):
            await cp.list_tags_for_resource(
                resourceArn="arn:aws:codepipeline:eu-west-1:123456789012:docs-site"
            )
        with pytest.raises(cp.exceptions.ValidationException):
            await cp.update_pipeline(pipeline={**decl, "name": "docs-site-copy"})
        names = [p["name"] for p in (await cp.list_pipelines())["pipelines"]]
        assert "docs-site-copy" not in names


async def _add_entry_condition(cp: Any, name: str, stage: int, condition: dict[str, Any]) -> dict[str, Any]:
    decl = await _decl(cp, name)
    decl["stages"][stage]["beforeEntry"] = {"conditions": [condition]}
    return (await cp.update_pipeline(pipeline=decl))["pipeline"]


def _stage(state: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in state["stageStates"] if s["stageName"] == name)
    return found


@pytest.mark.slow
async def test_entry_condition_fail_fails_the_stage(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        check = _rule(
            "Env-Is-Prod", "VariableCheck", Variable="#{variables.DEPLOY_ENV}", Value="prod", Operator="EQ"
        )
        await _add_entry_condition(cp, "payments-api-prod", 1, {"result": "FAIL", "rules": [check]})
        started = await cp.start_pipeline_execution(
            name="payments-api-prod", variables=[{"name": "DEPLOY_ENV", "value": "staging"}]
        )
        eid = started["pipelineExecutionId"]
        world = sim.engine.world()
        advance_until(
            sim, lambda w: w.pipelines["payments-api-prod"].executions[eid].final, step=5, limit=3600
        )
        ex = await cp.get_pipeline_execution(pipelineName="payments-api-prod", pipelineExecutionId=eid)
        assert ex["pipelineExecution"]["status"] == "Failed"
        build = _stage(await cp.get_pipeline_state(name="payments-api-prod"), "Build")
        assert build["latestExecution"] == {
            "pipelineExecutionId": eid,
            "status": "Failed",
            "type": "STANDARD",
        }
        cond = build["beforeEntryConditionState"]
        assert cond["latestExecution"]["status"] == "Failed"
        rule = cond["conditionStates"][0]["ruleStates"][0]
        assert rule["ruleName"] == "Env-Is-Prod" and rule["latestExecution"]["status"] == "Failed"
        assert all(
            a.get("latestExecution", {}).get("pipelineExecutionId") != eid for a in build["actionStates"]
        )
        rules = await cp.list_rule_executions(
            pipelineName="payments-api-prod", filter={"pipelineExecutionId": eid}
        )
        [detail] = rules["ruleExecutionDetails"]
        assert detail["status"] == "Failed" and detail["stageName"] == "Build"
        assert detail["input"]["resolvedConfiguration"]["Variable"] == "staging"
        assert "staging" in detail["output"]["executionResult"]["errorDetails"]["message"]
        assert world.pipelines["payments-api-prod"].executions[eid].stages["Build"].status == "Failed"


async def test_entry_condition_skip_skips_the_stage(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        check = _rule(
            "Only-On-Main",
            "VariableCheck",
            Variable="#{SourceVariables.BranchName}",
            Value="release",
            Operator="EQ",
        )
        decl = await _decl(cp, "web-frontend")
        decl["stages"][2]["beforeEntry"] = {"conditions": [{"result": "SKIP", "rules": [check]}]}
        await cp.update_pipeline(pipeline=decl)
        world = sim.engine.world()
        p = world.pipelines["web-frontend"]
        p.force("Build", "Build", "Succeeded", 60)
        p.force("Deploy", "Deploy-Site", "Succeeded", 30)
        p.force("Deploy", "Invalidate-CDN", "Succeeded", 30)
        eid = (await cp.start_pipeline_execution(name="web-frontend"))["pipelineExecutionId"]
        advance_until(sim, lambda w: w.pipelines["web-frontend"].executions[eid].final, step=10, limit=3600)
        ex = await cp.get_pipeline_execution(pipelineName="web-frontend", pipelineExecutionId=eid)
        assert ex["pipelineExecution"]["status"] == "Succeeded"
        state = await cp.get_pipeline_state(name="web-frontend")
        assert _stage(state, "Test")["latestExecution"]["status"] == "Skipped"
        assert _stage(state, "Deploy")["latestExecution"]["status"] == "Succeeded"


async def test_blocking_window_override_lets_the_stage_proceed(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        # A deployment window that never opens at 09:xx UTC: hours 22-23 only.
        window = _rule("Night-Window", "DeploymentWindow", Cron="0 22-23 ? * MON-FRI *", TimeZone="UTC")
        decl = await _decl(cp, "auth-service")
        decl["stages"][2]["beforeEntry"] = {"conditions": [{"result": "FAIL", "rules": [window]}]}
        await cp.update_pipeline(pipeline=decl)
        world = sim.engine.world()
        p = world.pipelines["auth-service"]
        p.force("Build", "Build", "Succeeded", 120)
        p.force("Deploy", "Deploy-ECS", "Succeeded", 60)
        eid = (await cp.start_pipeline_execution(name="auth-service"))["pipelineExecutionId"]
        advance_until(
            sim, lambda w: w.pipelines["auth-service"].stage_latest.get("Deploy") == eid, step=10, limit=3600
        )
        sim.clock.advance(600)
        deploy = _stage(await cp.get_pipeline_state(name="auth-service"), "Deploy")
        assert deploy["latestExecution"]["status"] == "InProgress"
        cond = deploy["beforeEntryConditionState"]
        assert cond["latestExecution"]["status"] == "InProgress"
        assert cond["conditionStates"][0]["ruleStates"][0]["latestExecution"]["status"] == "InProgress"
        assert all(
            a.get("latestExecution", {}).get("pipelineExecutionId") != eid for a in deploy["actionStates"]
        )
        with pytest.raises(cp.exceptions.ConditionNotOverridableException):
            await cp.override_stage_condition(
                pipelineName="auth-service",
                stageName="Deploy",
                pipelineExecutionId=eid,
                conditionType="ON_SUCCESS",
            )
        await cp.override_stage_condition(
            pipelineName="auth-service",
            stageName="Deploy",
            pipelineExecutionId=eid,
            conditionType="BEFORE_ENTRY",
        )
        deploy = _stage(await cp.get_pipeline_state(name="auth-service"), "Deploy")
        assert deploy["beforeEntryConditionState"]["latestExecution"]["status"] == "Overridden"
        with pytest.raises(cp.exceptions.ConditionNotOverridableException):
            await cp.override_stage_condition(
                pipelineName="auth-service",
                stageName="Deploy",
                pipelineExecutionId=eid,
                conditionType="BEFORE_ENTRY",
            )
        advance_until(sim, lambda w: w.pipelines["auth-service"].executions[eid].final, step=10, limit=3600)
        ex = await cp.get_pipeline_execution(pipelineName="auth-service", pipelineExecutionId=eid)
        assert ex["pipelineExecution"]["status"] == "Succeeded"
        rules = await cp.list_rule_executions(
            pipelineName="auth-service", filter={"pipelineExecutionId": eid}
        )
        assert [r["status"] for r in rules["ruleExecutionDetails"]] == ["Abandoned"]
        assert rules["ruleExecutionDetails"][0]["updatedBy"].endswith(":assumed-role/cptui-operator/cptui")


@pytest.mark.slow
async def test_on_success_alarm_fails_the_stage(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        decl = await _decl(cp, "auth-service")
        alarm = _rule("Errors-Alarm", "CloudWatchAlarm", AlarmName="auth-5xx", WaitTime="5")
        decl["stages"][1]["onSuccess"] = {"conditions": [{"result": "FAIL", "rules": [alarm]}]}
        await cp.update_pipeline(pipeline=decl)
        world = sim.engine.world()
        world.alarms["auth-5xx"] = "ALARM"
        world.pipelines["auth-service"].force("Build", "Build", "Succeeded", 60)
        eid = (await cp.start_pipeline_execution(name="auth-service"))["pipelineExecutionId"]
        advance_until(sim, lambda w: w.pipelines["auth-service"].executions[eid].final, step=10, limit=3600)
        build = _stage(await cp.get_pipeline_state(name="auth-service"), "Build")
        assert build["latestExecution"]["status"] == "Failed"
        assert build["onSuccessConditionState"]["latestExecution"]["status"] == "Failed"
        assert build["actionStates"][0]["latestExecution"]["status"] == "Succeeded"


async def test_succeeded_in_stage_filter(sim: Simulator) -> None:
    world = sim.engine.world()
    p = world.pipelines["web-frontend"]
    expected = [
        e.id for e in p.newest_first() if e.stages.get("Test") and e.stages["Test"].status == "Succeeded"
    ]
    async with aio_client(sim, "codepipeline") as cp:
        got = await cp.list_pipeline_executions(
            pipelineName="web-frontend", filter={"succeededInStage": {"stageName": "Test"}}
        )
    assert [e["pipelineExecutionId"] for e in got["pipelineExecutionSummaries"]] == expected
    assert len(expected) < len(p.executions)


async def test_v2_declaration_round_trips_whole(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        before = await _decl(cp, "checkout-web")
        assert before["triggers"][0]["gitConfiguration"]["push"][1] == {
            "tags": {"includes": ["v*"], "excludes": ["v*-rc*"]}
        }
        assert [v["name"] for v in before["variables"]] == ["RELEASE_CHANNEL", "CANARY_PERCENT"]
        production = before["stages"][3]
        assert production["beforeEntry"]["conditions"][0]["result"] == "FAIL"
        assert production["onFailure"] == {"result": "ROLLBACK"}
        after = (await cp.update_pipeline(pipeline=before))["pipeline"]
        assert after == {**before, "version": before["version"] + 1}
        assert await _decl(cp, "checkout-web") == after
        billing = await _decl(cp, "billing-service")
        assert billing["roleArn"].endswith("PipelineRole-1Q2W3E4R5T6Y")
        assert billing["artifactStore"]["location"].startswith("billing-service-pipeline-artifactsbucket")
        tags = await cp.list_tags_for_resource(resourceArn=ARN.format("billing-service"))
        assert {"key": "aws:cloudformation:stack-name", "value": "billing-service-pipeline"} in tags["tags"]


@pytest.mark.parametrize(
    ("git", "words"),
    [
        ({"sourceActionName": "Nope", "push": [{"branches": {"includes": ["main"]}}]}, "not a source action"),
        (
            {
                "sourceActionName": "Source",
                "push": [{"tags": {"includes": ["v*"]}, "branches": {"includes": ["main"]}}],
            },
            "combines tags",
        ),
        (
            {"sourceActionName": "Source", "push": [{"filePaths": {"includes": ["src/**"]}}]},
            "branches or tags",
        ),
        ({"sourceActionName": "Source", "pullRequest": [{"events": ["OPEN"]}]}, "must filter on branches"),
    ],
)
async def test_trigger_validation(sim: Simulator, git: dict[str, Any], words: str) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        decl = await _decl(cp, "web-frontend")
        decl["triggers"] = [{"providerType": "CodeStarSourceConnection", "gitConfiguration": git}]
        with pytest.raises(cp.exceptions.InvalidStructureException, match=words):
            await cp.update_pipeline(pipeline=decl)
        decl = await _decl(cp, "payments-api-prod")  # a CodeCommit source: no triggers
        decl["triggers"] = [
            {
                "providerType": "CodeStarSourceConnection",
                "gitConfiguration": {
                    "sourceActionName": "Source",
                    "push": [{"branches": {"includes": ["main"]}}],
                },
            }
        ]
        with pytest.raises(
            cp.exceptions.InvalidStructureException, match="only for CodeStarSourceConnection"
        ):
            await cp.update_pipeline(pipeline=decl)


async def test_on_failure_retry_and_rollback(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        decl = await _decl(cp, "web-frontend")
        decl["stages"][2]["onFailure"] = {
            "result": "RETRY",
            "retryConfiguration": {"retryMode": "FAILED_ACTIONS"},
        }
        decl["stages"][3]["onFailure"] = {"result": "ROLLBACK"}
        await cp.update_pipeline(pipeline=decl)
        p = sim.engine.world().pipelines["web-frontend"]
        # A run that succeeds everywhere, the target of the rollback.
        for stage, action in (
            ("Build", "Build"),
            ("Test", "Unit-Tests"),
            ("Test", "E2E-Tests"),
            ("Deploy", "Deploy-Site"),
            ("Deploy", "Invalidate-CDN"),
        ):
            p.force(stage, action, "Succeeded", 30)
        good = (await cp.start_pipeline_execution(name="web-frontend"))["pipelineExecutionId"]
        advance_until(sim, lambda w: w.pipelines["web-frontend"].executions[good].final, step=10)
        assert p.executions[good].status == "Succeeded"
        # E2E fails once, the automated retry passes it; Deploy-Site then fails and rolls back.
        p.force("Build", "Build", "Succeeded", 30)
        p.force("Test", "Unit-Tests", "Succeeded", 30)
        p.force("Test", "E2E-Tests", "Failed", 30)
        p.force("Test", "E2E-Tests", "Succeeded", 30)
        p.force("Deploy", "Deploy-Site", "Failed", 30)
        p.force("Deploy", "Invalidate-CDN", "Succeeded", 30)
        bad = (await cp.start_pipeline_execution(name="web-frontend"))["pipelineExecutionId"]
        advance_until(
            sim,
            lambda w: (
                w.pipelines["web-frontend"].executions[bad].final
                and w.pipelines["web-frontend"].executions[bad].stages.get("Deploy") is not None
            ),
            step=10,
        )
        assert p.executions[bad].status == "Failed"
        test = _stage(await cp.get_pipeline_state(name="web-frontend"), "Test")
        assert test["retryStageMetadata"] == {
            "autoStageRetryAttempt": 1,
            "latestRetryTrigger": "AutomatedStageRetry",
        }
        assert test["latestExecution"]["status"] == "Succeeded"
        runs = (await cp.list_pipeline_executions(pipelineName="web-frontend", maxResults=3))[
            "pipelineExecutionSummaries"
        ]
        rollback = runs[0]
        assert rollback["trigger"] == {"triggerType": "AutomatedRollback", "triggerDetail": bad}
        assert rollback["executionType"] == "ROLLBACK"
        assert rollback["rollbackMetadata"] == {"rollbackTargetPipelineExecutionId": good}


async def test_stop_while_held_by_a_condition(sim: Simulator) -> None:
    world = sim.engine.world()
    [condition] = world.conditions_in_progress()
    assert (condition.pipeline, condition.stage, condition.kind) == (
        "checkout-web",
        "Production",
        "BEFORE_ENTRY",
    )
    held = world.pipelines["checkout-web"].stage_latest["Production"]
    assert condition.execution_id == held
    async with aio_client(sim, "codepipeline") as cp:
        await cp.stop_pipeline_execution(
            pipelineName="checkout-web", pipelineExecutionId=held, reason="not today"
        )
        got = await cp.get_pipeline_execution(pipelineName="checkout-web", pipelineExecutionId=held)
        assert got["pipelineExecution"]["status"] == "Stopped"
        production = _stage(await cp.get_pipeline_state(name="checkout-web"), "Production")
        assert production["latestExecution"]["status"] == "Stopped"
        assert production["beforeEntryConditionState"]["latestExecution"]["status"] == "Abandoned"


async def test_the_demo_window_opens_on_its_own(sim: Simulator) -> None:
    world = sim.engine.world()
    p = world.pipelines["checkout-web"]
    held = p.stage_latest["Production"]
    assert p.condition_latest[("Production", "BEFORE_ENTRY")].status == "InProgress"
    p.force("Production", "Deploy-Production", "Succeeded", 60)
    waited = advance_until(
        sim, lambda w: w.pipelines["checkout-web"].executions[held].final, step=60, limit=4 * 3600
    )
    assert 3600 <= waited <= 3 * 3600
    assert p.executions[held].status == "Succeeded"
    assert p.condition_latest[("Production", "BEFORE_ENTRY")].status == "Succeeded"


async def test_deleting_a_running_pipeline_leaves_the_world_running(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        assert any(not e.final for e in sim.engine.world().pipelines["ml-training"].executions.values())
        await cp.delete_pipeline(name="ml-training")
        sim.clock.advance(2 * 3600)
        names = [p["name"] for p in (await cp.list_pipelines())["pipelines"]]
        assert "ml-training" not in names and "web-frontend" in names


async def test_retrying_a_stage_failed_by_its_condition_checks_it_again(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        check = _rule(
            "Env-Is-Prod", "VariableCheck", Variable="#{variables.DEPLOY_ENV}", Value="prod", Operator="EQ"
        )
        await _add_entry_condition(cp, "payments-api-prod", 1, {"result": "FAIL", "rules": [check]})
        p = sim.engine.world().pipelines["payments-api-prod"]
        p.force_rule("Build", "Env-Is-Prod", "Failed")
        for action in ("Build", "Unit-Tests", "Security-Scan"):
            p.force("Build", action, "Succeeded", 30)
        eid = (await cp.start_pipeline_execution(name="payments-api-prod"))["pipelineExecutionId"]
        advance_until(sim, lambda w: w.pipelines["payments-api-prod"].executions[eid].final, step=5)
        assert p.executions[eid].stages["Build"].status == "Failed"
        await cp.retry_stage_execution(
            pipelineName="payments-api-prod",
            stageName="Build",
            pipelineExecutionId=eid,
            retryMode="FAILED_ACTIONS",
        )
        advance_until(
            sim,
            lambda w: w.pipelines["payments-api-prod"].executions[eid].stages["Build"].status != "InProgress",
            step=5,
        )
        assert p.executions[eid].stages["Build"].status == "Succeeded"
        rules = await cp.list_rule_executions(
            pipelineName="payments-api-prod", filter={"pipelineExecutionId": eid}
        )
        assert [r["status"] for r in rules["ruleExecutionDetails"]] == ["Succeeded", "Failed"]


async def test_override_on_success_while_its_alarm_is_watched(sim: Simulator) -> None:
    world = sim.engine.world()
    p = world.pipelines["checkout-web"]
    p.force("Build", "Build", "Succeeded", 60)
    p.force("Staging", "Deploy-Staging", "Succeeded", 60)
    async with aio_client(sim, "codepipeline") as cp:
        eid = (await cp.start_pipeline_execution(name="checkout-web"))["pipelineExecutionId"]
        advance_until(
            sim,
            lambda w: any(
                c.execution_id == eid and c.kind == "ON_SUCCESS" for c in w.conditions_in_progress()
            ),
            step=5,
        )
        staging = _stage(await cp.get_pipeline_state(name="checkout-web"), "Staging")
        assert staging["latestExecution"] == {
            "pipelineExecutionId": eid,
            "status": "InProgress",
            "type": "STANDARD",
        }
        assert staging["onSuccessConditionState"]["latestExecution"]["status"] == "InProgress"
        await cp.override_stage_condition(
            pipelineName="checkout-web",
            stageName="Staging",
            pipelineExecutionId=eid,
            conditionType="ON_SUCCESS",
        )
        state = await cp.get_pipeline_state(name="checkout-web")
        staging = _stage(state, "Staging")
        assert staging["latestExecution"]["status"] == "Succeeded"
        assert staging["onSuccessConditionState"]["latestExecution"]["status"] == "Overridden"
        # Production still holds the earlier execution at its entry condition: this one queues.
        production = _stage(state, "Production")
        assert [x["pipelineExecutionId"] for x in production["inboundExecutions"]] == [eid]


@pytest.mark.parametrize(
    ("push_filter", "push", "starts"),
    [
        ({"branches": {"includes": ["main", "release/*"]}}, ("release/2026.12", None, ("a.ts",)), True),
        (
            {"branches": {"includes": ["release/*"], "excludes": ["release/legacy-*"]}},
            ("release/legacy-3", None, ()),
            False,
        ),
        (
            {"branches": {"includes": ["main"]}, "filePaths": {"includes": ["src/**"]}},
            ("main", None, ("src/a/b.ts",)),
            True,
        ),
        (
            {"branches": {"includes": ["main"]}, "filePaths": {"excludes": ["docs/**", "**/*.md"]}},
            ("main", None, ("docs/x.md",)),
            False,
        ),
        (
            {"branches": {"includes": ["main"]}, "filePaths": {"excludes": ["**/*.md"]}},
            ("main", None, ("README.md", "src/a.ts")),
            True,
        ),
        ({"tags": {"includes": ["v*"], "excludes": ["v*-rc*"]}}, (None, "v1.9.0", ()), True),
        ({"tags": {"includes": ["v*"], "excludes": ["v*-rc*"]}}, (None, "v1.9.0-rc1", ()), False),
        ({"tags": {"includes": ["v*"]}}, ("main", None, ("a",)), False),
    ],
)
def test_trigger_filters(push_filter: dict[str, Any], push: tuple[Any, ...], starts: bool) -> None:
    from tui.sim.world.triggers import Push
    from tui.sim.world.triggers import starts as trigger_starts

    declared = [
        {
            "providerType": "CodeStarSourceConnection",
            "gitConfiguration": {"sourceActionName": "Source", "push": [push_filter]},
        }
    ]
    assert trigger_starts(declared, "Source", Push(*push)) is starts
    assert not trigger_starts(declared, "Other-Source", Push(*push))


async def test_only_pushes_the_triggers_admit_start_the_pipeline(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        decl = await _decl(cp, "web-frontend")
        decl["triggers"] = [
            {
                "providerType": "CodeStarSourceConnection",
                "gitConfiguration": {
                    "sourceActionName": "Source",
                    "push": [{"branches": {"includes": ["nope"]}}],
                },
            }
        ]
        await cp.update_pipeline(pipeline=decl)
        p = sim.engine.world().pipelines["web-frontend"]
        before = len(p.executions)
        sim.clock.advance(12 * 3600)
        sim.engine.world()
        assert len(p.executions) == before
        decl = await _decl(cp, "web-frontend")
        decl["triggers"][0]["gitConfiguration"]["push"] = [
            {"branches": {"includes": ["**"]}},
            {"tags": {"includes": ["*"]}},
        ]
        await cp.update_pipeline(pipeline=decl)
        sim.clock.advance(12 * 3600)
        sim.engine.world()
        assert len(p.executions) > before


async def test_every_demo_pipeline_round_trips_unchanged(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        for summary in (await cp.list_pipelines())["pipelines"]:
            before = await _decl(cp, summary["name"])
            after = (await cp.update_pipeline(pipeline=before))["pipeline"]
            assert after == {**before, "version": before["version"] + 1}, summary["name"]


async def test_past_executions_have_their_rule_executions(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        history = await cp.list_pipeline_executions(pipelineName="checkout-web", maxResults=10)
        past = next(e for e in history["pipelineExecutionSummaries"] if e["status"] == "Succeeded")
        rules = await cp.list_rule_executions(
            pipelineName="checkout-web", filter={"pipelineExecutionId": past["pipelineExecutionId"]}
        )
        details = rules["ruleExecutionDetails"]
        assert {(r["stageName"], r["ruleName"]) for r in details} == {
            ("Staging", "Staging-5xx-Alarm"),
            ("Production", "Stable-Channel"),
            ("Production", "Business-Hours-Window"),
        }
        assert all(r["status"] == "Succeeded" for r in details)
        check = next(r for r in details if r["ruleName"] == "Stable-Channel")
        assert check["input"]["resolvedConfiguration"]["Variable"] == "stable"

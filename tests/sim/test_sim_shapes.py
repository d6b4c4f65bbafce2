"""Every simulated operation through real aiobotocore, each raw response checked against
botocore's output shape (the check runs inside ``aio_client``), and modelled errors raised as
botocore's exception classes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.loaders import Loader
from botocore.model import ServiceModel

from tests.support import shapecheck
from tests.support.sim import aio_client
from tui.sim import Simulator


async def test_codepipeline_reads(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        names = [p["name"] for p in (await cp.list_pipelines())["pipelines"]]
        assert len(names) >= 8
        first = await cp.list_pipelines(maxResults=3)
        second = await cp.list_pipelines(maxResults=3, nextToken=first["nextToken"])
        assert [p["name"] for p in first["pipelines"] + second["pipelines"]] == names[:6]
        for name in names:
            decl = (await cp.get_pipeline(name=name))["pipeline"]
            assert decl["name"] == name
            state = await cp.get_pipeline_state(name=name)
            assert len(state["stageStates"]) == len(decl["stages"])
            page = await cp.list_pipeline_executions(pipelineName=name, maxResults=10)
            assert len(page["pipelineExecutionSummaries"]) == 10 and page["nextToken"]
            eid = page["pipelineExecutionSummaries"][0]["pipelineExecutionId"]
            ex = (await cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=eid))[
                "pipelineExecution"
            ]
            assert ex["pipelineExecutionId"] == eid
            acts = await cp.list_action_executions(pipelineName=name, filter={"pipelineExecutionId": eid})
            assert all(a["pipelineExecutionId"] == eid for a in acts["actionExecutionDetails"])
            rules = await cp.list_rule_executions(pipelineName=name)
            # Rule executions exist where stage conditions are declared (checkout-web's ran).
            declares = any(
                k in st for st in decl["stages"] for k in ("beforeEntry", "onSuccess", "onFailure")
            )
            assert bool(rules["ruleExecutionDetails"]) == declares


async def test_execution_pages_do_not_overlap(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        ids: list[str] = []
        token = None
        while True:
            kwargs: dict[str, Any] = {"pipelineName": "web-frontend", "maxResults": 7}
            if token:
                kwargs["nextToken"] = token
            page = await cp.list_pipeline_executions(**kwargs)
            ids += [e["pipelineExecutionId"] for e in page["pipelineExecutionSummaries"]]
            token = page.get("nextToken")
            if not token:
                break
        assert len(ids) == len(set(ids)) >= 20
        starts = [e.start for e in sim.engine.world().pipelines["web-frontend"].newest_first()]
        assert starts == sorted(starts, reverse=True)
        filtered = await cp.list_pipeline_executions(
            pipelineName="web-frontend", filter={"succeededInStage": {"stageName": "Test"}}
        )
        assert filtered["pipelineExecutionSummaries"]
        paged = await cp.list_action_executions(pipelineName="order-service", maxResults=5)
        more = await cp.list_action_executions(
            pipelineName="order-service", maxResults=5, nextToken=paged["nextToken"]
        )
        first_ids = {a["actionExecutionId"] for a in paged["actionExecutionDetails"]}
        assert not first_ids & {a["actionExecutionId"] for a in more["actionExecutionDetails"]}


async def test_codepipeline_mutations(sim: Simulator) -> None:
    world = sim.engine.world()
    approval = world.pending_approvals()[0]
    failure = next(f for f in world.retryable_failures() if f.pipeline == "web-frontend")
    async with aio_client(sim, "codepipeline") as cp:
        started = await cp.start_pipeline_execution(
            name="payments-api-prod", variables=[{"name": "RELEASE_NOTES", "value": "hotfix"}]
        )
        eid = started["pipelineExecutionId"]
        stopped = await cp.stop_pipeline_execution(
            pipelineName="payments-api-prod", pipelineExecutionId=eid, abandon=True, reason="test"
        )
        assert stopped["pipelineExecutionId"] == eid
        retried = await cp.retry_stage_execution(
            pipelineName="web-frontend",
            stageName="Test",
            pipelineExecutionId=failure.execution_id,
            retryMode="FAILED_ACTIONS",
        )
        assert retried["pipelineExecutionId"] == failure.execution_id
        await cp.disable_stage_transition(
            pipelineName="docs-site",
            stageName="Deploy",
            transitionType="Inbound",
            reason="Freeze for the launch",
        )
        await cp.enable_stage_transition(
            pipelineName="docs-site", stageName="Deploy", transitionType="Inbound"
        )
        answered = await cp.put_approval_result(
            pipelineName=approval.pipeline,
            stageName=approval.stage,
            actionName=approval.action,
            result={"summary": "ship it", "status": "Approved"},
            token=approval.token,
        )
        assert answered["approvedAt"].timestamp() == sim.clock.now().timestamp()
        order = sim.engine.world().pipelines["order-service"]
        current = order.executions[order.stage_latest["Staging"]]
        target = next(
            e
            for e in order.newest_first()
            if e.start < current.start
            and e.stages.get("Staging")
            and e.stages["Staging"].status == "Succeeded"
        )
        rolled = await cp.rollback_stage(
            pipelineName="order-service", stageName="Staging", targetPipelineExecutionId=target.id
        )
        ex = await cp.get_pipeline_execution(
            pipelineName="order-service", pipelineExecutionId=rolled["pipelineExecutionId"]
        )
        assert ex["pipelineExecution"]["executionType"] == "ROLLBACK"


async def test_codebuild_and_logs(sim: Simulator) -> None:
    world = sim.engine.world()
    build = world.running_builds()[0]
    done = next(b for b in world.builds.values() if b.complete_at(world.now) and b.outcome == "FAILED")
    async with aio_client(sim, "codebuild") as cb, aio_client(sim, "logs") as logs:
        got = await cb.batch_get_builds(ids=[build.id, done.id, "nope:00000000-0000-0000-0000-000000000000"])
        assert [b["id"] for b in got["builds"]] == [build.id, done.id]
        assert got["buildsNotFound"] == ["nope:00000000-0000-0000-0000-000000000000"]
        running, failed = got["builds"]
        assert running["buildStatus"] == "IN_PROGRESS" and not running["buildComplete"]
        assert failed["buildStatus"] == "FAILED" and failed["phases"][-1]["phaseType"] == "COMPLETED"
        build_phase = next(p for p in failed["phases"] if p["phaseType"] == "BUILD")
        assert build_phase["contexts"][0]["statusCode"] == "COMMAND_EXECUTION_ERROR"
        events = await logs.get_log_events(
            logGroupName=done.log_group, logStreamName=done.log_stream, startFromHead=True
        )
        text = "".join(e["message"] for e in events["events"])
        assert "Phase complete: BUILD State: FAILED" in text and "exit status 1" in text
        found = await logs.filter_log_events(logGroupName=done.log_group, filterPattern="FAILED", limit=5)
        assert found["events"] and all("FAILED" in e["message"] for e in found["events"])


async def test_sts_identity_follows_the_access_key(sim: Simulator) -> None:
    async with aio_client(sim, "sts", account="210987654321", region="us-west-2") as sts:
        who = await sts.get_caller_identity()
    assert who["Account"] == "210987654321"
    assert who["Arn"].startswith("arn:aws:sts::210987654321:assumed-role/")
    async with aio_client(sim, "sts") as sts:
        assert (await sts.get_caller_identity())["Account"] == "123456789012"


async def test_modelled_errors(sim: Simulator) -> None:
    world = sim.engine.world()
    approval = world.pending_approvals()[0]
    latest_ok = next(e for e in world.pipelines["docs-site"].newest_first() if e.status == "Succeeded")
    async with aio_client(sim, "codepipeline") as cp:
        with pytest.raises(cp.exceptions.PipelineNotFoundException):
            await cp.get_pipeline_state(name="no-such-pipeline")
        with pytest.raises(cp.exceptions.PipelineVersionNotFoundException):
            await cp.get_pipeline(name="docs-site", version=99)
        with pytest.raises(cp.exceptions.PipelineExecutionNotFoundException):
            await cp.get_pipeline_execution(
                pipelineName="docs-site", pipelineExecutionId="00000000-0000-4000-8000-000000000000"
            )
        with pytest.raises(cp.exceptions.InvalidNextTokenException):
            await cp.list_pipelines(nextToken="%%%not-a-token")
        with pytest.raises(cp.exceptions.StageNotFoundException):
            await cp.enable_stage_transition(
                pipelineName="docs-site", stageName="Nope", transitionType="Inbound"
            )
        with pytest.raises(cp.exceptions.ValidationException, match="reason"):
            await cp.disable_stage_transition(
                pipelineName="docs-site", stageName="Deploy", transitionType="Inbound", reason="x" * 301
            )
        with pytest.raises(cp.exceptions.InvalidApprovalTokenException):
            await cp.put_approval_result(
                pipelineName=approval.pipeline,
                stageName=approval.stage,
                actionName=approval.action,
                result={"summary": "no", "status": "Rejected"},
                token="11111111-2222-4333-8444-555555555555",
            )
        with pytest.raises(cp.exceptions.ActionNotFoundException):
            await cp.put_approval_result(
                pipelineName=approval.pipeline,
                stageName=approval.stage,
                actionName="Nope",
                result={"summary": "no", "status": "Rejected"},
                token=approval.token,
            )
        with pytest.raises(cp.exceptions.PipelineExecutionNotStoppableException):
            await cp.stop_pipeline_execution(
                pipelineName="docs-site", pipelineExecutionId=latest_ok.id, reason="x"
            )
        with pytest.raises(cp.exceptions.StageNotRetryableException):
            await cp.retry_stage_execution(
                pipelineName="docs-site",
                stageName="Deploy",
                pipelineExecutionId=latest_ok.id,
                retryMode="ALL_ACTIONS",
            )
        with pytest.raises(cp.exceptions.ValidationException):
            await cp.rollback_stage(
                pipelineName="docs-site", stageName="Deploy", targetPipelineExecutionId=latest_ok.id
            )
    async with aio_client(sim, "logs") as logs:
        with pytest.raises(logs.exceptions.ResourceNotFoundException):
            await logs.get_log_events(logGroupName="/aws/codebuild/nope", logStreamName="x")
    async with aio_client(sim, "codebuild") as cb:
        with pytest.raises(cb.exceptions.InvalidInputException):
            await cb.batch_get_builds(ids=[f"p:{i}" for i in range(101)])


async def test_unknown_operation_is_rejected(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline", check_shapes=False) as cp:
        with pytest.raises(cp.exceptions.ClientError) as info:
            await cp.list_webhooks()
    assert info.value.response["Error"]["Code"] == "UnknownOperationException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert info.value.response["ResponseMetadata"]["RequestId"]


def test_shapecheck_reports_the_bad_member() -> None:
    model = ServiceModel(Loader().load_service_model("codepipeline", "service-2"), "codepipeline")
    shape = model.operation_model("GetPipelineState").output_shape
    bad = {
        "stageStates": [
            {
                "stageName": "S",
                "actionStates": [{"actionName": "A", "latestExecution": {"status": "Waiting"}}],
            }
        ],
        "bogus": 1,
    }
    errors = shapecheck.check(shape, bad)
    assert "$.stageStates[0].actionStates[0].latestExecution.status: 'Waiting' is not one of" in errors[0]
    assert any(e.startswith("$.bogus: not a member") for e in errors)
    with pytest.raises(shapecheck.ShapeError):
        op = model.operation_model("ListPipelines")
        shapecheck.check_response(
            op, {"status_code": 200, "body": json.dumps({"pipelines": [{"version": "1"}]}).encode()}
        )


async def test_the_shape_check_runs_on_every_response(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.sim import render_pipeline

    original = render_pipeline.summary
    monkeypatch.setattr(render_pipeline, "summary", lambda p: {**original(p), "bogus": 1})
    async with aio_client(sim, "codepipeline") as cp:
        with pytest.raises(shapecheck.ShapeError, match=r"ListPipelines\.pipelines\[0\]\.bogus"):
            await cp.list_pipelines()

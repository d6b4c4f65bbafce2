"""The simulator's engine semantics, observed through real aiobotocore on a ManualClock."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.sim import START, advance_until, aio_client
from tui.sim import ManualClock, Simulator
from tui.sim.world.world import World


def _stage(state: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in state["stageStates"] if s["stageName"] == name)


async def test_execution_runs_stage_by_stage_to_success(sim: Simulator) -> None:
    p = sim.engine.world().pipelines["docs-site"]
    p.force("Build", "Build-Docs", "Succeeded")
    p.force("Deploy", "Publish", "Succeeded")
    seen: list[str] = []
    async with aio_client(sim, "codepipeline") as cp:
        eid = (await cp.start_pipeline_execution(name="docs-site"))["pipelineExecutionId"]
        for _ in range(200):
            ex = (await cp.get_pipeline_execution(pipelineName="docs-site", pipelineExecutionId=eid))[
                "pipelineExecution"
            ]
            if ex["status"] != "InProgress":
                break
            state = await cp.get_pipeline_state(name="docs-site")
            running = [
                s["stageName"]
                for s in state["stageStates"]
                if s.get("latestExecution", {}).get("pipelineExecutionId") == eid
                and s["latestExecution"]["status"] == "InProgress"
            ]
            if running and (not seen or seen[-1] != running[0]):
                seen.append(running[0])
            sim.clock.advance(3)
        assert ex["status"] == "Succeeded"
        assert seen == ["Source", "Build", "Deploy"]
        assert ex["trigger"]["triggerType"] == "StartPipelineExecution"
        assert ex["artifactRevisions"][0]["revisionId"]
        acts = await cp.list_action_executions(pipelineName="docs-site", filter={"pipelineExecutionId": eid})
        assert {a["actionName"]: a["status"] for a in acts["actionExecutionDetails"]} == {
            "Source": "Succeeded",
            "Build-Docs": "Succeeded",
            "Publish": "Succeeded",
        }


async def test_failed_stage_retries_once_and_only_when_latest(sim: Simulator) -> None:
    world = sim.engine.world()
    failure = next(f for f in world.retryable_failures() if f.pipeline == "web-frontend")
    p = world.pipelines["web-frontend"]
    unit_before = p.executions[failure.execution_id].stages["Test"].actions["Unit-Tests"].id
    p.force("Test", "E2E-Tests", "Succeeded", 60)
    args = {"pipelineName": "web-frontend", "stageName": "Test", "pipelineExecutionId": failure.execution_id}
    async with aio_client(sim, "codepipeline") as cp:
        await cp.retry_stage_execution(**args, retryMode="FAILED_ACTIONS")
        with pytest.raises(cp.exceptions.ConflictException):
            await cp.retry_stage_execution(**args, retryMode="FAILED_ACTIONS")
        state = await cp.get_pipeline_state(name="web-frontend")
        test = _stage(state, "Test")
        assert test["latestExecution"]["status"] == "InProgress"
        assert test["retryStageMetadata"]["manualStageRetryAttempt"] == 1
        advance_until(sim, lambda w: w.pipelines["web-frontend"].stage_status("Test") != "InProgress")
        ex = p.executions[failure.execution_id]
        assert ex.stages["Test"].status == "Succeeded"
        assert ex.stages["Test"].actions["Unit-Tests"].id == unit_before  # FAILED_ACTIONS kept it
        with pytest.raises(cp.exceptions.StageNotRetryableException):
            await cp.retry_stage_execution(**args, retryMode="FAILED_ACTIONS")
        # A newer execution that fails in the same stage makes the old one out of date.
        advance_until(sim, lambda w: w.pipelines["web-frontend"].latest().final)  # type: ignore[union-attr]
        for action in ("Build", "Unit-Tests"):
            p.force("Test" if action != "Build" else "Build", action, "Succeeded")
        p.force("Test", "E2E-Tests", "Failed")
        newer = (await cp.start_pipeline_execution(name="web-frontend"))["pipelineExecutionId"]
        advance_until(sim, lambda w: w.pipelines["web-frontend"].executions[newer].final)
        assert p.executions[newer].status == "Failed"
        old_failed = next(
            e for e in p.newest_first()[1:] if e.stages.get("Test") and e.stages["Test"].status == "Failed"
        )
        with pytest.raises(cp.exceptions.NotLatestPipelineExecutionException):
            await cp.retry_stage_execution(
                pipelineName="web-frontend",
                stageName="Test",
                pipelineExecutionId=old_failed.id,
                retryMode="ALL_ACTIONS",
            )
        await cp.retry_stage_execution(
            pipelineName="web-frontend", stageName="Test", pipelineExecutionId=newer, retryMode="ALL_ACTIONS"
        )
        assert p.executions[newer].stages["Test"].actions["Unit-Tests"].status == "InProgress"


@pytest.mark.slow
async def test_approval_token_is_single_use(sim: Simulator) -> None:
    approval = sim.engine.world().pending_approvals()[0]
    async with aio_client(sim, "codepipeline") as cp:
        state = await cp.get_pipeline_state(name=approval.pipeline)
        action = _stage(state, approval.stage)["actionStates"][0]
        token = action["latestExecution"]["token"]
        assert token == approval.token
        args = {"pipelineName": approval.pipeline, "stageName": approval.stage, "actionName": approval.action}
        await cp.put_approval_result(**args, token=token, result={"summary": "LGTM", "status": "Approved"})
        with pytest.raises(cp.exceptions.ApprovalAlreadyCompletedException):
            await cp.put_approval_result(
                **args, token=token, result={"summary": "again", "status": "Approved"}
            )
        state = await cp.get_pipeline_state(name=approval.pipeline)
        latest = _stage(state, approval.stage)["actionStates"][0]["latestExecution"]
        assert latest["status"] == "Succeeded" and "token" not in latest
        assert latest["summary"] == "LGTM" and latest["lastUpdatedBy"].endswith("/cptui")


async def test_approval_times_out_and_its_token_goes_stale(sim: Simulator) -> None:
    approval = sim.engine.world().pending_approvals()[0]
    assert approval.expires - approval.since == 60 * 60
    sim.clock.advance(approval.expires - sim.engine.now() + 1)
    async with aio_client(sim, "codepipeline") as cp:
        acts = await cp.list_action_executions(
            pipelineName=approval.pipeline, filter={"pipelineExecutionId": approval.execution_id}
        )
        timed_out = next(a for a in acts["actionExecutionDetails"] if a["actionName"] == approval.action)
        assert timed_out["status"] == "Failed"
        assert timed_out["output"]["executionResult"]["errorDetails"]["code"] == "ApprovalTimeout"
        ex = await cp.get_pipeline_execution(
            pipelineName=approval.pipeline, pipelineExecutionId=approval.execution_id
        )
        assert ex["pipelineExecution"]["status"] == "Failed"
        with pytest.raises(cp.exceptions.InvalidApprovalTokenException):
            await cp.put_approval_result(
                pipelineName=approval.pipeline,
                stageName=approval.stage,
                actionName=approval.action,
                token=approval.token,
                result={"summary": "late", "status": "Approved"},
            )


async def test_disabled_transition_holds_and_enabling_releases(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        state = await cp.get_pipeline_state(name="infra-network")
        prod = _stage(state, "Production")
        assert prod["inboundTransitionState"]["enabled"] is False
        assert (
            prod["inboundTransitionState"]["disabledReason"] == "Change freeze until the Q4 audit completes"
        )
        held = [e["pipelineExecutionId"] for e in prod["inboundExecutions"]]
        assert len(held) == 1 and prod["inboundExecution"]["pipelineExecutionId"] == held[0]
        sim.clock.advance(600)
        assert sim.engine.world().pipelines["infra-network"].waiting["Production"] == held
        await cp.enable_stage_transition(
            pipelineName="infra-network", stageName="Production", transitionType="Inbound"
        )
        prod = _stage(await cp.get_pipeline_state(name="infra-network"), "Production")
        assert "inboundExecutions" not in prod
        assert prod["latestExecution"] == {
            "pipelineExecutionId": held[0],
            "status": "InProgress",
            "type": "STANDARD",
        }
        assert prod["inboundTransitionState"]["enabled"] is True
        assert prod["inboundTransitionState"]["lastChangedBy"].endswith(":assumed-role/cptui-operator/cptui")
        # A V1 pipeline reports its held execution as the single inboundExecution.
        await cp.disable_stage_transition(
            pipelineName="docs-site", stageName="Deploy", transitionType="Inbound", reason="Hold"
        )
        eid = (await cp.start_pipeline_execution(name="docs-site"))["pipelineExecutionId"]
        sim.engine.world().pipelines["docs-site"].force("Build", "Build-Docs", "Succeeded")
        advance_until(sim, lambda w: w.execution("docs-site", eid).waiting_at == "Deploy")
        deploy = _stage(await cp.get_pipeline_state(name="docs-site"), "Deploy")
        assert deploy["inboundExecution"]["pipelineExecutionId"] == eid and "inboundExecutions" not in deploy


def _hold_and_start(world: World, name: str, stage: str, build: tuple[str, str]) -> None:
    world.pipelines[name].transitions[stage].enabled = False
    world.pipelines[name].force(*build, outcome="Succeeded")


async def test_superseded_mode_replaces_the_waiting_execution(sim: Simulator) -> None:
    world = sim.engine.world()
    _hold_and_start(world, "docs-site", "Deploy", ("Build", "Build-Docs"))
    world.pipelines["docs-site"].force("Build", "Build-Docs", "Succeeded")
    async with aio_client(sim, "codepipeline") as cp:
        first = (await cp.start_pipeline_execution(name="docs-site"))["pipelineExecutionId"]
        advance_until(sim, lambda w: w.execution("docs-site", first).waiting_at == "Deploy")
        second = (await cp.start_pipeline_execution(name="docs-site"))["pipelineExecutionId"]
        advance_until(sim, lambda w: w.execution("docs-site", second).waiting_at == "Deploy")
        summaries = (await cp.list_pipeline_executions(pipelineName="docs-site", maxResults=2))[
            "pipelineExecutionSummaries"
        ]
        assert [(s["pipelineExecutionId"], s["status"]) for s in summaries] == [
            (second, "InProgress"),
            (first, "Superseded"),
        ]
        assert (
            _stage(await cp.get_pipeline_state(name="docs-site"), "Deploy")["inboundExecution"][
                "pipelineExecutionId"
            ]
            == second
        )


async def test_queued_mode_waits_in_order(sim: Simulator) -> None:
    world = sim.engine.world()
    p = world.pipelines["infra-network"]
    held = p.waiting["Production"][0]
    for stage, action in (
        ("Validate", "cfn-lint"),
        ("Plan", "Create-ChangeSet"),
        ("Production", "Execute-ChangeSet"),
        ("Production", "Execute-ChangeSet"),
    ):
        p.force(stage, action, "Succeeded")
    async with aio_client(sim, "codepipeline") as cp:
        second = (await cp.start_pipeline_execution(name="infra-network"))["pipelineExecutionId"]
        advance_until(sim, lambda w: w.execution("infra-network", second).waiting_at == "Production")
        prod = _stage(await cp.get_pipeline_state(name="infra-network"), "Production")
        assert [e["pipelineExecutionId"] for e in prod["inboundExecutions"]] == [held, second]
        await cp.enable_stage_transition(
            pipelineName="infra-network", stageName="Production", transitionType="Inbound"
        )
        prod = _stage(await cp.get_pipeline_state(name="infra-network"), "Production")
        assert prod["latestExecution"]["pipelineExecutionId"] == held
        assert [e["pipelineExecutionId"] for e in prod["inboundExecutions"]] == [second]
        advance_until(sim, lambda w: w.pipelines["infra-network"].stage_latest["Production"] == second)
        assert p.executions[held].status == "Succeeded"


async def test_parallel_mode_runs_two_at_once(sim: Simulator) -> None:
    p = sim.engine.world().pipelines["auth-service"]
    p.force("Build", "Build", "Succeeded", 300)
    p.force("Build", "Build", "Succeeded", 300)
    async with aio_client(sim, "codepipeline") as cp:
        a = (await cp.start_pipeline_execution(name="auth-service"))["pipelineExecutionId"]
        b = (await cp.start_pipeline_execution(name="auth-service"))["pipelineExecutionId"]
        sim.clock.advance(40)
        page = await cp.list_pipeline_executions(pipelineName="auth-service", maxResults=5)
        running = {
            s["pipelineExecutionId"]
            for s in page["pipelineExecutionSummaries"]
            if s["status"] == "InProgress"
        }
        assert {a, b} <= running
        assert all(s["executionMode"] == "PARALLEL" for s in page["pipelineExecutionSummaries"])
    world = sim.engine.world()
    assert world.execution("auth-service", a).stages["Build"].status == "InProgress"
    assert world.execution("auth-service", b).stages["Build"].status == "InProgress"


async def test_rollback_creates_a_rollback_execution(sim: Simulator) -> None:
    p = sim.engine.world().pipelines["order-service"]
    current = p.executions[p.stage_latest["Staging"]]
    target = next(
        e
        for e in p.newest_first()
        if e.start < current.start and e.stages.get("Staging") and e.stages["Staging"].status == "Succeeded"
    )
    p.force("Staging", "Deploy-Staging", "Succeeded")
    async with aio_client(sim, "codepipeline") as cp:
        eid = (
            await cp.rollback_stage(
                pipelineName="order-service", stageName="Staging", targetPipelineExecutionId=target.id
            )
        )["pipelineExecutionId"]
        ex = (await cp.get_pipeline_execution(pipelineName="order-service", pipelineExecutionId=eid))[
            "pipelineExecution"
        ]
        assert ex["executionType"] == "ROLLBACK" and ex["trigger"]["triggerType"] == "ManualRollback"
        assert ex["rollbackMetadata"]["rollbackTargetPipelineExecutionId"] == target.id
        assert [r["revisionId"] for r in ex["artifactRevisions"]] == [r.revision_id for r in target.revisions]
        advance_until(sim, lambda w: w.execution("order-service", eid).final)
        staging = _stage(await cp.get_pipeline_state(name="order-service"), "Staging")
        assert staging["latestExecution"] == {
            "pipelineExecutionId": eid,
            "status": "Succeeded",
            "type": "ROLLBACK",
        }
        summary = (await cp.list_pipeline_executions(pipelineName="order-service", maxResults=1))[
            "pipelineExecutionSummaries"
        ][0]
        assert summary["executionType"] == "ROLLBACK" and summary["status"] == "Succeeded"
        failed_target = next(e for e in p.newest_first() if e.stages.get("Staging") is None)
        with pytest.raises(cp.exceptions.UnableToRollbackStageException):
            await cp.rollback_stage(
                pipelineName="order-service", stageName="Staging", targetPipelineExecutionId=failed_target.id
            )


@pytest.mark.slow
async def test_stop_and_wait_then_abandon(sim: Simulator) -> None:
    p = sim.engine.world().pipelines["auth-service"]
    running = next(e for e in p.newest_first() if e.status == "InProgress")
    async with aio_client(sim, "codepipeline") as cp:
        args = {"pipelineName": "auth-service", "pipelineExecutionId": running.id}
        await cp.stop_pipeline_execution(**args, reason="Bad config")
        with pytest.raises(cp.exceptions.DuplicatedStopRequestException):
            await cp.stop_pipeline_execution(**args, reason="again")
        summary = (await cp.list_pipeline_executions(pipelineName="auth-service", maxResults=1))[
            "pipelineExecutionSummaries"
        ][0]
        assert summary["status"] == "Stopping" and summary["stopTrigger"] == {"reason": "Bad config"}
        await cp.stop_pipeline_execution(**args, abandon=True, reason="now")
        ex = (await cp.get_pipeline_execution(**args))["pipelineExecution"]
        assert ex["status"] == "Stopped"
        build = _stage(await cp.get_pipeline_state(name="auth-service"), "Build")
        assert build["latestExecution"]["status"] == "Stopped"
        assert build["actionStates"][0]["latestExecution"]["status"] == "Abandoned"
        with pytest.raises(cp.exceptions.PipelineExecutionNotStoppableException):
            await cp.stop_pipeline_execution(**args, reason="too late")


async def test_start_is_idempotent_on_client_request_token(sim: Simulator) -> None:
    async with aio_client(sim, "codepipeline") as cp:
        one = await cp.start_pipeline_execution(name="docs-site", clientRequestToken="release-42")
        two = await cp.start_pipeline_execution(name="docs-site", clientRequestToken="release-42")
        three = await cp.start_pipeline_execution(name="docs-site", clientRequestToken="release-43")
    assert one["pipelineExecutionId"] == two["pipelineExecutionId"] != three["pipelineExecutionId"]


async def test_variables_and_source_overrides(sim: Simulator) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    async with aio_client(sim, "codepipeline") as cp:
        eid = (
            await cp.start_pipeline_execution(
                name="payments-api-prod",
                variables=[{"name": "DEPLOY_ENV", "value": "canary"}],
                sourceRevisions=[
                    {"actionName": "Source", "revisionType": "COMMIT_ID", "revisionValue": commit}
                ],
            )
        )["pipelineExecutionId"]
        sim.clock.advance(20)
        ex = (await cp.get_pipeline_execution(pipelineName="payments-api-prod", pipelineExecutionId=eid))[
            "pipelineExecution"
        ]
        assert {v["name"]: v["resolvedValue"] for v in ex["variables"]} == {
            "DEPLOY_ENV": "canary",
            "RELEASE_NOTES": "routine release",
        }
        assert ex["artifactRevisions"][0]["revisionId"] == commit
        with pytest.raises(cp.exceptions.ValidationException):
            await cp.start_pipeline_execution(name="docs-site", variables=[{"name": "X", "value": "1"}])


async def test_the_demo_keeps_moving(sim: Simulator) -> None:
    world = sim.engine.world()
    before = sum(len(p.executions) for p in world.pipelines.values())
    sim.clock.advance(3600)
    world = sim.engine.world()
    assert sum(len(p.executions) for p in world.pipelines.values()) >= before + 5
    assert any(
        e.trigger_type in ("CloudWatchEvent", "WebhookV2", "Webhook", "PollForSourceChanges")
        and e.start > sim.engine.t0
        for p in world.pipelines.values()
        for e in p.executions.values()
    )


@pytest.mark.slow
async def test_other_accounts_and_regions_have_their_own_worlds(sim: Simulator) -> None:
    async with (
        aio_client(sim, "codepipeline", region="us-west-2") as west,
        aio_client(sim, "codepipeline", account="210987654321") as other,
        aio_client(sim, "codepipeline", account="555555555555") as empty,
    ):
        west_names = {p["name"] for p in (await west.list_pipelines())["pipelines"]}
        other_names = {p["name"] for p in (await other.list_pipelines())["pipelines"]}
        assert west_names and other_names and not west_names & other_names
        assert "payments-api-prod" not in west_names
        assert (await empty.list_pipelines())["pipelines"] == []
    assert sim.engine.world("210987654321", "us-east-1").pending_approvals()


async def _snapshot(sim: Simulator) -> str:
    out: list[Any] = []
    async with aio_client(sim, "codepipeline") as cp:
        for name in sorted(sim.engine.world().pipelines):
            state = await cp.get_pipeline_state(name=name)
            execs = await cp.list_pipeline_executions(pipelineName=name, maxResults=30)
            out.append([state["stageStates"], execs["pipelineExecutionSummaries"]])
    return json.dumps(out, default=str, sort_keys=True)


@pytest.mark.slow
async def test_same_seed_and_clock_steps_give_the_same_world() -> None:
    snapshots = []
    for seed in (7, 7, 8):
        sim = Simulator(scenario="demo", seed=seed, clock=ManualClock(start=START))
        await sim.start()
        try:
            steps = []
            for _ in range(3):
                sim.clock.advance(437)
                steps.append(await _snapshot(sim))
            snapshots.append(steps)
        finally:
            await sim.stop()
    assert snapshots[0] == snapshots[1]
    assert snapshots[0] != snapshots[2]


@pytest.mark.parametrize(("scenario", "count"), [("scale", 50), ("empty", 0)])
async def test_scale_and_empty_scenarios(scenario: str, count: int) -> None:
    sim = Simulator(scenario=scenario, seed=7, clock=ManualClock(start=START), pipelines=count or None)
    await sim.start()
    try:
        async with aio_client(sim, "codepipeline") as cp:
            names = []
            token = None
            while True:
                page = await cp.list_pipelines(**({"nextToken": token} if token else {}), maxResults=20)
                names += [p["name"] for p in page["pipelines"]]
                token = page.get("nextToken")
                if not token:
                    break
        assert len(names) == count
        pipelines = sim.engine.world().pipelines.values()
        running = [p for p in pipelines if any(e.status == "InProgress" for e in p.executions.values())]
        assert len(running) == (5 if count else 0)
    finally:
        await sim.stop()

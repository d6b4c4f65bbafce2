"""Every AwsPipelineService method through the real aiobotocore client against the sim.

The simulator speaks AWS's wire protocol on loopback with a manual clock, so each test sees the
demo scenario at a fixed moment and moves time itself.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.support.apps import sim_services
from tests.support.aws import DEMO_CREDENTIALS, CallRecorder, isolate_aws_env
from tui.aws import errors as e
from tui.aws.client import AwsPipelineService
from tui.aws.session import SessionPool
from tui.core.model import (
    ActionCategory,
    ActionExecution,
    ActionState,
    Build,
    BuildStatus,
    ExecutionMode,
    ExecutionSummary,
    PipelineType,
    RetryMode,
    StageState,
    Status,
    Target,
)
from tui.sim import ManualClock, Simulator

TARGET = Target(region="us-east-1", name="demo")
APPROVAL = ("payments-api-prod", "Approval", "Approve-Production")


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws_env(monkeypatch, tmp_path)


@pytest.fixture
def clock(sim: Simulator) -> ManualClock:
    """The clock of conftest's ``sim`` (a demo simulator, seed 7, on a ManualClock)."""
    assert isinstance(sim.clock, ManualClock)
    return sim.clock


@pytest.fixture
def recorder() -> CallRecorder:
    return CallRecorder()


@pytest.fixture
def service(sim: Simulator, recorder: CallRecorder) -> AwsPipelineService:
    options = {"observer": recorder, "sessions": SessionPool(), "max_attempts": 2}
    (made,) = sim_services(sim, [TARGET], credentials=DEMO_CREDENTIALS, **options)
    return made


async def stage(service: AwsPipelineService, pipeline: str, name: str) -> StageState:
    found = (await service.get_pipeline_state(pipeline)).stage(name)
    assert found is not None
    return found


async def approval_action(service: AwsPipelineService) -> ActionState:
    pipeline, stage_name, action_name = APPROVAL
    action = (await stage(service, pipeline, stage_name)).action(action_name)
    assert action is not None
    return action


async def running_build_id(service: AwsPipelineService) -> str:
    action = (await stage(service, "auth-service", "Build")).action("Build")
    assert action is not None and action.status == Status.IN_PROGRESS
    assert action.external_execution_id
    return action.external_execution_id


# --- reads --------------------------------------------------------------------------------------


async def test_identity(service: AwsPipelineService, recorder: CallRecorder) -> None:
    identity = await service.identity()
    assert identity.account == "123456789012"
    assert identity.arn.startswith("arn:aws:sts::123456789012:")
    assert recorder.calls == [(TARGET, "GetCallerIdentity", True, None)]


async def test_list_pipelines(service: AwsPipelineService, recorder: CallRecorder) -> None:
    pipelines = await service.list_pipelines()
    assert len(pipelines) >= 8
    assert {p.pipeline_type for p in pipelines} == {PipelineType.V1, PipelineType.V2}
    assert {p.execution_mode for p in pipelines} >= {
        ExecutionMode.QUEUED,
        ExecutionMode.PARALLEL,
        ExecutionMode.SUPERSEDED,
    }
    assert all(p.created and p.created.tzinfo for p in pipelines)
    assert recorder.operations() == ["ListPipelines"]


async def test_get_pipeline_for_every_pipeline(service: AwsPipelineService) -> None:
    for summary in await service.list_pipelines():
        definition = await service.get_pipeline(summary.name)
        assert definition.name == summary.name
        assert definition.version == summary.version
        assert definition.arn.endswith(f":{summary.name}")
        assert definition.stages and all(s.actions for s in definition.stages)
        assert definition.stages[0].actions[0].category == ActionCategory.SOURCE
        assert all(a.category.known for s in definition.stages for a in s.actions)
    wide = await service.get_pipeline("order-service")
    assert len(wide.stages) >= 7
    build = wide.stage("Build")
    assert build is not None and len(build.run_orders) >= 2
    payments = await service.get_pipeline("payments-api-prod")
    approvals = [a for s in payments.stages for a in s.actions if a.category == ActionCategory.APPROVAL]
    assert [a.timeout_minutes for a in approvals] == [60]  # the demo's approval waits one hour


async def test_get_pipeline_state_shows_approval_failure_and_held_transition(
    service: AwsPipelineService,
) -> None:
    approval = await approval_action(service)
    assert approval.status == Status.IN_PROGRESS
    assert approval.token

    held = await stage(service, "infra-network", "Production")
    assert held.transition.enabled is False
    assert held.transition.disabled_reason
    assert held.transition.last_changed_at is not None
    assert held.inbound and held.inbound[0].status == Status.IN_PROGRESS

    failed = await stage(service, "web-frontend", "Test")
    assert failed.status == Status.FAILED
    e2e = failed.action("E2E-Tests")
    assert e2e is not None and e2e.status == Status.FAILED
    assert e2e.error_message or e2e.summary

    state = await service.get_pipeline_state("auth-service")
    assert state.name == "auth-service" and state.version >= 1
    source = state.stages[0].actions[0]
    assert source.revision_id and source.last_status_change is not None


async def test_list_executions_pages_on_demand(service: AwsPipelineService, recorder: CallRecorder) -> None:
    first = await service.list_executions("web-frontend", max_results=5)
    assert len(first.items) == 5 and first.next_token
    assert all(isinstance(x, ExecutionSummary) for x in first.items)
    assert all(x.pipeline_name == "web-frontend" for x in first.items)
    starts = [x.start_time for x in first.items]
    assert all(starts) and starts == sorted(starts, reverse=True)  # type: ignore[type-var]
    second = await service.list_executions("web-frontend", max_results=5, next_token=first.next_token)
    assert not {x.execution_id for x in first.items} & {x.execution_id for x in second.items}
    assert recorder.operations() == ["ListPipelineExecutions"] * 2

    seen, token = len(first.items) + len(second.items), second.next_token
    while token:
        page = await service.list_executions("web-frontend", max_results=100, next_token=token)
        seen += len(page.items)
        token = page.next_token
    assert seen >= 20
    latest = first.items[0]
    assert latest.trigger is not None and latest.source_revisions


async def test_get_execution(service: AwsPipelineService) -> None:
    latest = (await service.list_executions("order-service", max_results=1)).items[0]
    execution = await service.get_execution("order-service", latest.execution_id)
    assert execution.execution_id == latest.execution_id
    assert execution.pipeline_name == "order-service"
    assert execution.status == latest.status
    assert execution.artifact_revisions


async def test_list_action_executions(service: AwsPipelineService) -> None:
    latest = (await service.list_executions("order-service", max_results=1)).items[0]
    actions = await service.list_action_executions("order-service", latest.execution_id)
    assert actions and all(isinstance(a, ActionExecution) for a in actions)
    assert {a.pipeline_execution_id for a in actions} == {latest.execution_id}
    definition = await service.get_pipeline("order-service")
    assert {a.stage_name for a in actions} <= {s.name for s in definition.stages}
    assert all(a.provider and a.category for a in actions)


async def test_batch_get_builds_and_log_events(service: AwsPipelineService) -> None:
    build_id = await running_build_id(service)
    builds = await service.batch_get_builds([build_id, "missing-project:nope"])
    assert len(builds) == 1
    build = builds[0]
    assert isinstance(build, Build) and build.build_id == build_id
    assert build.status == BuildStatus.IN_PROGRESS and not build.complete
    assert build.phases and build.current_phase
    assert build.logs.cloudwatch_enabled
    assert build.logs.group_name and build.logs.stream_name

    page = await service.get_log_events(build.logs.group_name, build.logs.stream_name, limit=50)
    assert page.events and page.next_forward_token
    assert all(ev.timestamp > 0 for ev in page.events)
    # Follow to the end: AWS hands back the same forward token once there is nothing new.
    token: str | None = page.next_forward_token
    for _ in range(1000):
        nxt = await service.get_log_events(build.logs.group_name, build.logs.stream_name, next_token=token)
        if nxt.next_forward_token == token:
            assert nxt.events == ()
            break
        token = nxt.next_forward_token
    else:
        pytest.fail("the forward token never settled")


async def test_live_tail_yields_updates_as_the_clock_moves(
    service: AwsPipelineService, clock: ManualClock, recorder: CallRecorder
) -> None:
    build = (await service.batch_get_builds([await running_build_id(service)]))[0]
    assert build.logs.group_name and build.logs.stream_name
    group_arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{build.logs.group_name}"
    tail = service.live_tail(group_arn, [build.logs.stream_name])
    got: list[str] = []

    async def collect() -> None:
        async for events in tail:
            got.extend(ev.message for ev in events)
            if got:
                return

    task = asyncio.create_task(collect())
    for _ in range(60):  # one simulated second at a time, until the build has logged something
        clock.advance(1.0)
        done, _ = await asyncio.wait({task}, timeout=0.25)
        if done:
            break
    else:
        task.cancel()
        pytest.fail("no live tail update arrived")
    task.result()
    await tail.aclose()  # type: ignore[attr-defined]  # the simulator sees the client leave within 20 ms
    assert got
    assert recorder.count("StartLiveTail") == 1


async def test_live_tail_of_a_missing_group_is_not_found(service: AwsPipelineService) -> None:
    with pytest.raises(e.NotFound):
        async for _ in service.live_tail("arn:aws:logs:us-east-1:123456789012:log-group:nope", []):
            pass


# --- mutations ----------------------------------------------------------------------------------


async def test_approve_then_a_second_answer_is_already_completed(
    service: AwsPipelineService,
) -> None:
    pipeline, stage_name, action_name = APPROVAL
    token = (await approval_action(service)).token
    assert token
    await service.put_approval_result(pipeline, stage_name, action_name, token, approved=True, summary="LGTM")
    assert (await approval_action(service)).status == Status.SUCCEEDED
    with pytest.raises(e.ApprovalAlreadyCompleted, match="may have been yours"):
        await service.put_approval_result(
            pipeline, stage_name, action_name, token, approved=True, summary="again"
        )


async def test_a_wrong_approval_token_is_stale(service: AwsPipelineService) -> None:
    pipeline, stage_name, action_name = APPROVAL
    with pytest.raises(e.StaleApprovalToken):
        await service.put_approval_result(
            pipeline,
            stage_name,
            action_name,
            "00000000-0000-0000-0000-000000000000",
            approved=False,
            summary="no",
        )


async def test_retry_a_failed_stage(service: AwsPipelineService) -> None:
    failed = await stage(service, "web-frontend", "Test")
    assert failed.latest is not None
    execution_id = await service.retry_stage(
        "web-frontend", "Test", failed.latest.execution_id, RetryMode.FAILED_ACTIONS
    )
    assert execution_id == failed.latest.execution_id
    assert (await stage(service, "web-frontend", "Test")).status == Status.IN_PROGRESS


async def test_retry_a_succeeded_stage_is_not_retryable(service: AwsPipelineService) -> None:
    done = await stage(service, "docs-site", "Build")
    assert done.latest is not None
    with pytest.raises(e.NotRetryable) as info:
        await service.retry_stage("docs-site", "Build", done.latest.execution_id, RetryMode.ALL_ACTIONS)
    assert str(info.value).startswith("cannot retry this stage: ")


async def test_start_and_stop_an_execution(service: AwsPipelineService) -> None:
    execution_id = await service.start_execution("docs-site", client_request_token="tok-1")
    assert execution_id
    latest = (await service.list_executions("docs-site", max_results=1)).items[0]
    assert latest.execution_id == execution_id
    stopped = await service.stop_execution("docs-site", execution_id, abandon=True, reason="oops")
    assert stopped == execution_id
    execution = await service.get_execution("docs-site", execution_id)
    assert execution.status in (Status.STOPPING, Status.STOPPED)
    with pytest.raises(e.Conflict):
        await service.stop_execution("docs-site", execution_id, abandon=True, reason="again")


async def test_disable_and_enable_a_transition(service: AwsPipelineService) -> None:
    await service.set_transition("docs-site", "Deploy", enabled=False, reason="Release freeze")
    held = await stage(service, "docs-site", "Deploy")
    assert held.transition.enabled is False
    assert held.transition.disabled_reason == "Release freeze"
    await service.set_transition("docs-site", "Deploy", enabled=True)
    assert (await stage(service, "docs-site", "Deploy")).transition.enabled is True


async def test_rollback_a_stage(service: AwsPipelineService) -> None:
    history = (await service.list_executions("order-service", max_results=20)).items
    current = await stage(service, "order-service", "Staging")
    assert current.latest is not None
    earlier = next(
        x for x in history if x.status == Status.SUCCEEDED and x.execution_id != current.latest.execution_id
    )
    rollback_id = await service.rollback_stage("order-service", "Staging", earlier.execution_id)
    assert rollback_id
    execution = await service.get_execution("order-service", rollback_id)
    assert execution.rollback_target == earlier.execution_id


async def test_unknown_pipeline_is_not_found(service: AwsPipelineService) -> None:
    with pytest.raises(e.NotFound, match="no-such-pipeline"):
        await service.get_pipeline_state("no-such-pipeline")


# --- faults through the real client -------------------------------------------------------------


async def test_throttling(service: AwsPipelineService, sim: Simulator, recorder: CallRecorder) -> None:
    sim.set_faults("throttle=1.0")
    with pytest.raises(e.Throttled):
        await service.list_pipelines()
    assert sim.calls["ListPipelines"] == 2  # max_attempts
    assert recorder.calls == [(TARGET, "ListPipelines", False, "throttled")]


async def test_access_denied_names_the_missing_action(service: AwsPipelineService, sim: Simulator) -> None:
    pipeline, stage_name, action_name = APPROVAL
    token = (await approval_action(service)).token
    assert token
    sim.set_faults("deny=PutApprovalResult")
    with pytest.raises(e.AccessDenied) as info:
        await service.put_approval_result(
            pipeline, stage_name, action_name, token, approved=True, summary="ok"
        )
    assert info.value.missing_action == "codepipeline:PutApprovalResult"
    assert info.value.request_id
    await service.get_pipeline_state(pipeline)  # reads are still allowed


async def test_expired_credentials(service: AwsPipelineService, sim: Simulator) -> None:
    sim.set_faults("expired=1")
    with pytest.raises(e.CredentialsError, match="refresh your AWS credentials"):
        await service.get_pipeline_state("web-frontend")


async def test_dropped_mutation_is_outcome_unknown_and_sent_once(
    service: AwsPipelineService, sim: Simulator, recorder: CallRecorder
) -> None:
    sim.set_faults("drop=1.0")
    with pytest.raises(e.OutcomeUnknown):
        await service.start_execution("docs-site", client_request_token="tok-drop")
    assert sim.calls["StartPipelineExecution"] == 1
    with pytest.raises(e.NetworkError):
        await service.get_pipeline_state("docs-site")
    assert recorder.calls[-2:] == [
        (TARGET, "StartPipelineExecution", False, "outcome_unknown"),
        (TARGET, "GetPipelineState", False, "network"),
    ]


async def test_server_errors(service: AwsPipelineService, sim: Simulator) -> None:
    sim.set_faults("5xx=1.0")
    with pytest.raises(e.ServiceError):
        await service.get_pipeline("web-frontend")

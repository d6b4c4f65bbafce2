"""Fault injection: each kind surfaces in botocore as the error a real AWS failure would."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from tests.support.sim import aio_client
from tui.sim import Simulator
from tui.sim.faults import parse


def _code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


async def _list_refused(sim: Simulator) -> ClientError:
    """ListPipelines under the faults set: the error botocore raises."""
    async with aio_client(sim, "codepipeline") as cp:
        with pytest.raises(ClientError) as info:
            await cp.list_pipelines()
    return info.value


async def test_throttle(sim: Simulator) -> None:
    sim.set_faults("throttle=1")
    error = await _list_refused(sim)
    assert _code(error) == "ThrottlingException"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert sim.fault_counts["throttle"] == 1 and sim.calls["ListPipelines"] == 1


async def test_server_errors(sim: Simulator) -> None:
    sim.set_faults("5xx=1")
    statuses = set()
    async with aio_client(sim, "codepipeline") as cp:
        for _ in range(8):
            with pytest.raises(ClientError) as info:
                await cp.get_pipeline_state(name="docs-site")
            statuses.add((_code(info.value), info.value.response["ResponseMetadata"]["HTTPStatusCode"]))
    assert statuses == {("InternalFailure", 500), ("ServiceUnavailable", 503)}
    assert sim.fault_counts["5xx"] == 8


async def test_latency_delays_but_answers(sim: Simulator) -> None:
    sim.set_faults("latency=40-50ms")
    async with aio_client(sim, "codepipeline") as cp:
        began = time.monotonic()
        await cp.list_pipelines()
        assert time.monotonic() - began >= 0.04
    assert sim.fault_counts["latency"] == 1


async def test_drop_closes_the_connection(sim: Simulator) -> None:
    sim.set_faults("drop=1@GetPipelineState")
    async with aio_client(sim, "codepipeline") as cp:
        with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
            await cp.get_pipeline_state(name="docs-site")
        assert (await cp.list_pipelines())["pipelines"]  # other operations still answer
    assert sim.fault_counts["drop"] == 1 and sim.calls["GetPipelineState"] == 1


async def test_expired_credentials(sim: Simulator) -> None:
    sim.set_faults("expired=1")
    error = await _list_refused(sim)
    assert _code(error) == "ExpiredTokenException"
    assert "security token included in the request is expired" in str(error)
    async with aio_client(sim, "sts") as sts:
        with pytest.raises(ClientError) as info:
            await sts.get_caller_identity()
    assert _code(info.value) == "ExpiredToken"


async def test_deny_names_the_action_and_resource(sim: Simulator) -> None:
    sim.set_faults("deny=PutApprovalResult+StopPipelineExecution")
    approval = sim.engine.world().pending_approvals()[0]
    async with aio_client(sim, "codepipeline") as cp:
        await cp.get_pipeline_state(name=approval.pipeline)
        with pytest.raises(ClientError) as info:
            await cp.put_approval_result(
                pipelineName=approval.pipeline,
                stageName=approval.stage,
                actionName=approval.action,
                token=approval.token,
                result={"summary": "ok", "status": "Approved"},
            )
    assert _code(info.value) == "AccessDeniedException"
    message = info.value.response["Error"]["Message"]
    assert "is not authorized to perform: codepipeline:PutApprovalResult on resource: " in message
    assert f"arn:aws:codepipeline:us-east-1:123456789012:{approval.pipeline}" in message
    assert sim.engine.world().pending_approvals()[0].token == approval.token  # nothing happened


async def test_tps_quota_throttles_beyond_the_bucket(sim: Simulator) -> None:
    sim.set_faults("tps=3")
    outcomes = []
    async with aio_client(sim, "codepipeline") as cp:
        for _ in range(10):
            try:
                await cp.list_pipelines()
                outcomes.append("ok")
            except ClientError as err:
                outcomes.append(err.response["Error"]["Message"])
    assert outcomes[:3] == ["ok"] * 3
    assert "Rate exceeded" in outcomes and sim.fault_counts["tps"] >= 1


@pytest.mark.slow
async def test_scopes_by_operation_and_account(sim: Simulator) -> None:
    sim.set_faults("throttle=1@GetPipelineState,account=210987654321")
    async with (
        aio_client(sim, "codepipeline") as mine,
        aio_client(sim, "codepipeline", account="210987654321") as other,
    ):
        await mine.get_pipeline_state(name="docs-site")
        name = (await other.list_pipelines())["pipelines"][0]["name"]
        with pytest.raises(ClientError) as info:
            await other.get_pipeline_state(name=name)
    assert _code(info.value) == "ThrottlingException"
    sim.set_faults("")
    async with aio_client(sim, "codepipeline", account="210987654321") as other:
        await other.get_pipeline_state(name=name)


def test_spec_grammar() -> None:
    rules = parse(
        "throttle=0.2,5xx=0.05@GetPipelineState+ListPipelines,latency=5-10ms,deny=A+B,tps=4,account=111111111111"
    )
    assert [r.name for r in rules] == ["throttle", "5xx", "latency", "deny", "tps"]
    assert rules[1].ops == {"GetPipelineState", "ListPipelines"} and rules[3].ops == {"A", "B"}
    assert (rules[2].low_ms, rules[2].high_ms) == (5, 10)
    assert all(r.account == "111111111111" for r in rules)
    assert parse("") == []
    for bad in ("bogus=1", "throttle", "latency=fast"):
        with pytest.raises(ValueError):
            parse(bad)


async def test_unimplemented_answers_500_for_those_operations_only(sim: Simulator) -> None:
    """An emulator that lacks an operation: InternalFailure (500) every time, the rest works."""
    sim.set_faults("unimplemented=GetPipelineState")
    name = sim.engine.world().pending_approvals()[0].pipeline
    async with aio_client(sim, "codepipeline") as cp:
        await cp.list_pipelines()
        with pytest.raises(ClientError) as info:
            await cp.get_pipeline_state(name=name)
    assert _code(info.value) == "InternalFailure"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert "'GetPipelineState' for service 'codepipeline' is not implemented" in str(info.value)

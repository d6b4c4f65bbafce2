"""AwsPipelineService with the real aiobotocore client against a scripted loopback endpoint.

What these show that the simulator cannot show deterministically: how many requests really
reached the server (reads retry, mutations never do), connections that die after a request was
sent, and a port where nothing listens.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from awsfixtures import DEMO_CREDENTIALS, CallRecorder, Reply, ScriptedEndpoint, isolate_aws_env

from tui.aws import create_service
from tui.aws import errors as e
from tui.aws.client import AwsPipelineService
from tui.aws.session import SessionPool
from tui.core.model import Target

TARGET = Target(region="us-east-1", profile=None, name="test")


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws_env(monkeypatch, tmp_path)


@pytest.fixture
def recorder() -> CallRecorder:
    return CallRecorder()


@pytest.fixture
async def make_service(recorder: CallRecorder) -> AsyncIterator[Callable[..., AwsPipelineService]]:
    made: list[AwsPipelineService] = []

    def make(url: str, **kwargs: object) -> AwsPipelineService:
        service = create_service(
            TARGET,
            endpoint_url=url,
            credentials=DEMO_CREDENTIALS,
            observer=recorder,
            sessions=SessionPool(),
            connect_timeout=2.0,
            read_timeout=5.0,
            **kwargs,  # type: ignore[arg-type]
        )
        made.append(service)
        return service

    yield make
    for service in made:
        await service.close()


def always(reply: Reply) -> Callable[[str, bytes], Reply]:
    return lambda operation, body: reply


THROTTLED: Reply = (400, {"__type": "ThrottlingException", "message": "Rate exceeded"})


async def test_reads_retry_up_to_max_attempts_then_raise_throttled(
    make_service: Callable[..., AwsPipelineService], recorder: CallRecorder
) -> None:
    async with ScriptedEndpoint(always(THROTTLED)) as endpoint:
        service = make_service(endpoint.url, max_attempts=2)
        with pytest.raises(e.Throttled) as info:
            await service.get_pipeline_state("web")
    assert endpoint.requests == ["GetPipelineState", "GetPipelineState"]
    assert info.value.request_id == "req-2"
    # The observer hears of one API call, however many attempts botocore made.
    assert recorder.calls == [(TARGET, "GetPipelineState", False, "throttled")]


async def test_a_mutation_is_sent_once_even_when_throttled(
    make_service: Callable[..., AwsPipelineService], recorder: CallRecorder
) -> None:
    async with ScriptedEndpoint(always(THROTTLED)) as endpoint:
        service = make_service(endpoint.url, max_attempts=3)
        with pytest.raises(e.Throttled):
            await service.put_approval_result("web", "Approve", "Manual", "tok", approved=True, summary="ok")
    assert endpoint.requests == ["PutApprovalResult"]


async def test_dropped_connection_on_a_mutation_is_outcome_unknown(
    make_service: Callable[..., AwsPipelineService], recorder: CallRecorder
) -> None:
    async with ScriptedEndpoint(always(None)) as endpoint:
        service = make_service(endpoint.url)
        with pytest.raises(e.OutcomeUnknown) as info:
            await service.stop_execution("web", "exec-1", abandon=False, reason="bad deploy")
    assert endpoint.requests == ["StopPipelineExecution"]
    assert "outcome unknown" in str(info.value)
    assert recorder.calls == [(TARGET, "StopPipelineExecution", False, "outcome_unknown")]


async def test_dropped_connection_on_a_read_is_a_network_error_after_retries(
    make_service: Callable[..., AwsPipelineService],
) -> None:
    async with ScriptedEndpoint(always(None)) as endpoint:
        service = make_service(endpoint.url, max_attempts=2)
        with pytest.raises(e.NetworkError):
            await service.get_pipeline("web")
    assert endpoint.requests == ["GetPipeline", "GetPipeline"]


async def test_nothing_listening_is_a_network_error_naming_the_endpoint(
    make_service: Callable[..., AwsPipelineService], recorder: CallRecorder
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    service = make_service(f"http://127.0.0.1:{port}", max_attempts=1)
    with pytest.raises(e.NetworkError) as info:
        await service.put_approval_result("web", "A", "M", "tok", approved=False, summary="no")
    assert f"cannot reach http://127.0.0.1:{port}" in str(info.value)
    assert recorder.calls == [(TARGET, "PutApprovalResult", False, "network")]


async def test_pages_are_fetched_by_the_paginator_and_each_counts(
    make_service: Callable[..., AwsPipelineService], recorder: CallRecorder
) -> None:
    bodies: list[dict[str, object]] = []

    def script(operation: str, body: bytes) -> Reply:
        request = json.loads(body)
        bodies.append(request)
        if "nextToken" not in request:
            return 200, {"pipelines": [{"name": "a", "version": 1}], "nextToken": "p2"}
        return 200, {"pipelines": [{"name": "b", "version": 3, "pipelineType": "V2"}]}

    async with ScriptedEndpoint(script) as endpoint:
        pipelines = await make_service(endpoint.url).list_pipelines()
    assert [p.name for p in pipelines] == ["a", "b"]
    assert pipelines[1].version == 3
    assert bodies == [{"maxResults": 1000}, {"maxResults": 1000, "nextToken": "p2"}]
    assert recorder.operations() == ["ListPipelines", "ListPipelines"]
    assert all(ok for _, _, ok, _ in recorder.calls)


async def test_start_passes_the_client_request_token_and_overrides(
    make_service: Callable[..., AwsPipelineService],
) -> None:
    from tui.core.model import SourceRevision

    seen: list[dict[str, object]] = []

    def script(operation: str, body: bytes) -> Reply:
        seen.append(json.loads(body))
        return 200, {"pipelineExecutionId": "exec-9"}

    async with ScriptedEndpoint(script) as endpoint:
        service = make_service(endpoint.url)
        execution_id = await service.start_execution(
            "web",
            variables={"env": "prod"},
            source_revisions=[SourceRevision("Source", "a" * 40)],
            client_request_token="retry-safe-1",
        )
        await service.start_execution("web")
    assert execution_id == "exec-9"
    assert seen[0] == {
        "name": "web",
        "variables": [{"name": "env", "value": "prod"}],
        "sourceRevisions": [{"actionName": "Source", "revisionType": "COMMIT_ID", "revisionValue": "a" * 40}],
        "clientRequestToken": "retry-safe-1",
    }
    # Without one, botocore fills the idempotency token in itself.
    assert isinstance(seen[1].get("clientRequestToken"), str)


async def test_batch_get_builds_sends_at_most_100_ids_a_call(
    make_service: Callable[..., AwsPipelineService], recorder: CallRecorder
) -> None:
    def script(operation: str, body: bytes) -> Reply:
        ids = json.loads(body)["ids"]
        return 200, {"builds": [{"id": i, "buildStatus": "SUCCEEDED"} for i in ids]}

    async with ScriptedEndpoint(script) as endpoint:
        service = make_service(endpoint.url)
        builds = await service.batch_get_builds([f"proj:{n}" for n in range(150)])
        assert await service.batch_get_builds([]) == []
    assert len(builds) == 150 and builds[0].project == "proj"
    assert recorder.operations() == ["BatchGetBuilds", "BatchGetBuilds"]


async def test_a_malformed_response_is_an_aws_error(
    make_service: Callable[..., AwsPipelineService],
) -> None:
    # (Names the request carried fill in missing ones; a response without its payload is malformed.)
    async with ScriptedEndpoint(always((200, {"nextToken": "x"}))) as endpoint:
        with pytest.raises(e.AwsError, match="unexpected response from GetPipelineExecution"):
            await make_service(endpoint.url).get_execution("web", "exec-1")


async def test_disabling_a_transition_needs_a_reason(
    make_service: Callable[..., AwsPipelineService],
) -> None:
    async with ScriptedEndpoint(always((200, {}))) as endpoint:
        service = make_service(endpoint.url)
        with pytest.raises(e.ValidationFailed, match="needs a reason"):
            await service.set_transition("web", "Deploy", enabled=False, reason="  ")
        await service.set_transition("web", "Deploy", enabled=True)
    assert endpoint.requests == ["EnableStageTransition"]


@pytest.mark.parametrize(
    "reply",
    [(400, {"__type": "UnknownOperationException", "message": ""}), (200, {"plain": "json"})],
    ids=["unknown-operation", "no-event-stream"],
)
async def test_live_tail_without_event_stream_support_is_unsupported(
    make_service: Callable[..., AwsPipelineService], reply: Reply
) -> None:
    async with ScriptedEndpoint(always(reply)) as endpoint:
        service = make_service(endpoint.url)
        with pytest.raises(e.Unsupported):
            async for _ in service.live_tail("arn:aws:logs:us-east-1:1:log-group:g", ["s"]):
                pass
    # The request reached the loopback server: no "stream-" host prefix was injected.
    assert endpoint.requests == ["StartLiveTail"]


async def test_a_closed_service_can_be_used_again(
    make_service: Callable[..., AwsPipelineService], recorder: CallRecorder
) -> None:
    reply: Reply = (200, {"events": [], "nextForwardToken": "f/1"})
    async with ScriptedEndpoint(always(reply)) as endpoint:
        service = make_service(endpoint.url)
        await service.get_log_events("g", "s")
        await service.close()
        await service.get_log_events("g", "s")
    assert recorder.operations() == ["GetLogEvents", "GetLogEvents"]


def test_region_and_endpoint_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9999")
    from_env = create_service(TARGET, sessions=SessionPool())
    assert from_env.endpoint_url == "http://127.0.0.1:9999"
    explicit = create_service(TARGET, endpoint_url="http://127.0.0.1:1", sessions=SessionPool())
    assert explicit.endpoint_url == "http://127.0.0.1:1"


def test_one_session_per_profile() -> None:
    pool = SessionPool()
    a = create_service(Target(region="us-east-1", profile="p"), sessions=pool)
    b = create_service(Target(region="eu-west-1", profile="p"), sessions=pool)
    c = create_service(Target(region="eu-west-1", profile="q"), sessions=pool)
    assert a._session is b._session
    assert a._session is not c._session


def test_the_service_satisfies_the_protocol() -> None:
    from tui.aws.service import PipelineService

    service: PipelineService = create_service(TARGET, sessions=SessionPool())  # checked by mypy
    assert service.target == TARGET

"""The simulator's EventBridge through the real aiobotocore client (every response shape-checked):
rules, targets, event patterns, and the CodePipeline / CodeBuild state-change events its world
delivers to SQS queues — only when the queue policy lets the rule send — with delivery faults."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import pytest

from tests.support.sim import aio_client
from tests.support.wait import poll_until
from tui.sim import Simulator
from tui.sim.eventbridge import PatternError, matches, parse_pattern
from tui.sim.simulator import DEFAULT_EVENT_PATTERN, queue_policy

ACCOUNT, REGION = "123456789012", "us-east-1"
PIPELINE_EVENTS = {
    "source": ["aws.codepipeline"],
    "detail-type": ["CodePipeline Pipeline Execution State Change"],
}


async def test_rules_and_targets(sim: Simulator) -> None:
    async with aio_client(sim, "events") as ev:
        pattern = json.dumps(DEFAULT_EVENT_PATTERN)
        arn = (await ev.put_rule(Name="cptui", EventPattern=pattern, Tags=[{"Key": "cptui", "Value": "1"}]))[
            "RuleArn"
        ]
        assert arn == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/cptui"
        assert (await ev.put_rule(Name="cptui", EventPattern=pattern))["RuleArn"] == arn  # idempotent
        rule = await ev.describe_rule(Name="cptui")
        assert (rule["Arn"], rule["State"], rule["EventBusName"], rule["CreatedBy"]) == (
            arn,
            "ENABLED",
            "default",
            ACCOUNT,
        )
        assert json.loads(rule["EventPattern"]) == DEFAULT_EVENT_PATTERN
        await ev.put_rule(Name="other", EventPattern=pattern, State="DISABLED")
        assert [r["Name"] for r in (await ev.list_rules(NamePrefix="cpt"))["Rules"]] == ["cptui"]
        first = await ev.list_rules(Limit=1)
        assert len(first["Rules"]) == 1 and first["NextToken"]
        queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"
        put = await ev.put_targets(Rule="cptui", Targets=[{"Id": "q", "Arn": queue}])
        assert put["FailedEntryCount"] == 0
        assert (await ev.list_targets_by_rule(Rule="cptui"))["Targets"] == [{"Id": "q", "Arn": queue}]
        await ev.tag_resource(ResourceARN=arn, Tags=[{"Key": "team", "Value": "platform"}])
        tags = (await ev.list_tags_for_resource(ResourceARN=arn))["Tags"]
        assert tags == [{"Key": "cptui", "Value": "1"}, {"Key": "team", "Value": "platform"}]
        with pytest.raises(ev.exceptions.ClientError) as info:
            await ev.delete_rule(Name="cptui")
        assert info.value.response["Error"]["Code"] == "ValidationException"
        removed = await ev.remove_targets(Rule="cptui", Ids=["q", "nope"])
        assert removed["FailedEntryCount"] == 1 and removed["FailedEntries"][0]["TargetId"] == "nope"
        await ev.delete_rule(Name="cptui")
        with pytest.raises(ev.exceptions.ResourceNotFoundException):
            await ev.describe_rule(Name="cptui")
        with pytest.raises(ev.exceptions.ResourceNotFoundException):
            await ev.put_targets(Rule="cptui", Targets=[{"Id": "q", "Arn": queue}])
        with pytest.raises(ev.exceptions.InvalidEventPatternException):
            await ev.put_rule(Name="bad", EventPattern='{"source": "aws.codepipeline"}')
        with pytest.raises(ev.exceptions.InvalidEventPatternException):
            await ev.put_rule(Name="bad", EventPattern="not json")


def test_pattern_matching() -> None:
    event = {
        "source": "aws.codepipeline",
        "detail-type": "CodePipeline Stage Execution State Change",
        "resources": ["arn:aws:codepipeline:us-east-1:1:web"],
        "detail": {"pipeline": "web-frontend", "state": "FAILED", "version": 3.0, "type": {"owner": "AWS"}},
    }
    yes = [
        {"source": ["aws.codepipeline", "aws.codebuild"]},
        {"detail-type": [{"prefix": "CodePipeline "}]},
        {"detail": {"state": [{"anything-but": ["SUCCEEDED", "STARTED"]}]}},
        {"detail": {"pipeline": [{"anything-but": {"prefix": "infra-"}}]}},
        {"detail": {"pipeline": [{"suffix": "-frontend"}], "type": {"owner": ["AWS"]}}},
        {"detail": {"version": [{"numeric": [">", 2, "<=", 3]}]}},
        {"detail": {"stage": [{"exists": False}]}},
        {"resources": ["arn:aws:codepipeline:us-east-1:1:web"]},
        {"detail": {"state": [{"equals-ignore-case": "failed"}]}},
        {"detail": {"pipeline": [{"wildcard": "web-*"}]}},
    ]
    no = [
        {"source": ["aws.codebuild"]},
        {"detail-type": [{"prefix": "CodeBuild "}]},
        {"detail": {"state": [{"anything-but": "FAILED"}]}},
        {"detail": {"pipeline": [{"anything-but": {"prefix": "web-"}}]}},
        {"detail": {"stage": ["Build"]}},
        {"detail": {"stage": [{"exists": True}]}},
        {"detail": {"version": [{"numeric": ["<", 3]}]}},
        {"detail": {"type": {"owner": ["Custom"]}}},
    ]
    for pattern in yes:
        assert matches(parse_pattern(json.dumps(pattern)), event), pattern
    for pattern in no:
        assert not matches(parse_pattern(json.dumps(pattern)), event), pattern
    for bad in ('{"source": "x"}', "[]", '{"source": []}', '{"source": [{"startswith": "a"}]}'):
        with pytest.raises(PatternError):
            parse_pattern(bad)


async def _setup(sim: Simulator, name: str = "cptui-events", policy: str | None = "rule") -> tuple[str, str]:
    """A queue, a rule for every CodePipeline/CodeBuild change targeting it, and a queue policy
    (``"rule"``: the right one; None: none; any other string: that SourceArn)."""
    async with aio_client(sim, "sqs") as sqs, aio_client(sim, "events") as ev:
        url = (await sqs.create_queue(QueueName=name))["QueueUrl"]
        arn = (await sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"]))["Attributes"][
            "QueueArn"
        ]
        rule = (await ev.put_rule(Name=name, EventPattern=json.dumps(DEFAULT_EVENT_PATTERN)))["RuleArn"]
        await ev.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
        if policy is not None:
            source = rule if policy == "rule" else policy
            await sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": queue_policy(arn, source)})
        return url, rule


async def _drain(sqs: Any, url: str, rounds: int = 30) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for _ in range(rounds):
        got = (await sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)).get("Messages", [])
        if not got:
            return out
        out += got
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
        assert not (await sqs.delete_message_batch(QueueUrl=url, Entries=entries))["Failed"]
    raise AssertionError("queue did not drain")


async def _start(sim: Simulator, pipeline: str = "web-frontend") -> str:
    async with aio_client(sim, "codepipeline") as cp:
        return str((await cp.start_pipeline_execution(name=pipeline))["pipelineExecutionId"])


@pytest.mark.slow
async def test_state_changes_arrive_as_eventbridge_events(sim: Simulator) -> None:
    url, rule = await _setup(sim)
    eid = await _start(sim)
    sim.clock.advance(20 * 60)
    async with aio_client(sim, "sqs") as sqs:
        bodies = [json.loads(m["Body"]) for m in await _drain(sqs, url)]
    assert bodies
    for event in bodies:
        assert set(event) == {
            "version",
            "id",
            "detail-type",
            "source",
            "account",
            "time",
            "region",
            "resources",
            "detail",
        }
        assert (event["version"], event["account"], event["region"]) == ("0", ACCOUNT, REGION)
        assert event["time"].endswith("Z")
    assert len({e["id"] for e in bodies}) == len(bodies)
    ours = [e for e in bodies if e["source"] == "aws.codepipeline" and e["detail"]["execution-id"] == eid]
    kinds = {(e["detail-type"], e["detail"]["state"]) for e in ours}
    assert ("CodePipeline Pipeline Execution State Change", "STARTED") in kinds
    assert ("CodePipeline Stage Execution State Change", "STARTED") in kinds
    assert ("CodePipeline Action Execution State Change", "SUCCEEDED") in kinds
    started = next(e for e in ours if e["detail-type"].startswith("CodePipeline Pipeline"))
    assert started["resources"] == [f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:web-frontend"]
    detail = started["detail"]
    assert detail["pipeline"] == "web-frontend" and detail["pipeline-execution-attempt"] == 1.0
    assert detail["execution-trigger"]["trigger-type"] == "StartPipelineExecution"
    action = next(e for e in ours if e["detail-type"].startswith("CodePipeline Action"))
    assert set(action["detail"]["type"]) == {"owner", "provider", "category", "version"}
    assert {"stage", "action", "version", "region"} <= set(action["detail"])
    done = next(
        e
        for e in ours
        if e["detail-type"].startswith("CodePipeline Action") and e["detail"]["state"] == "SUCCEEDED"
    )
    assert done["detail"]["execution-result"]["external-execution-state"] == "Succeeded"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", detail["start-time"])
    builds = [e for e in bodies if e["source"] == "aws.codebuild"]
    statuses = {
        e["detail"].get("build-status") for e in builds if e["detail-type"] == "CodeBuild Build State Change"
    }
    assert "IN_PROGRESS" in statuses and statuses & {"SUCCEEDED", "FAILED"}
    phase = next(e for e in builds if e["detail-type"] == "CodeBuild Build Phase Change")
    assert {"completed-phase", "project-name", "build-id", "completed-phase-status"} <= set(phase["detail"])
    assert phase["resources"] == [phase["detail"]["build-id"]]
    assert sim.event_metrics[rule]["FailedInvocations"] == 0
    assert sim.event_metrics[rule]["Invocations"] == len(bodies)


@pytest.mark.parametrize("policy", [None, "arn:aws:events:us-east-1:123456789012:rule/someone-else"])
async def test_no_delivery_without_the_queue_policy(sim: Simulator, policy: str | None) -> None:
    url, rule = await _setup(sim, policy=policy)
    await _start(sim)
    sim.clock.advance(120)
    async with aio_client(sim, "sqs") as sqs:
        assert await _drain(sqs, url) == []
    metrics = sim.event_metrics[rule]
    assert metrics["MatchedEvents"] > 0
    assert metrics["FailedInvocations"] == metrics["Invocations"] > 0


@pytest.mark.slow
async def test_a_deleted_queue_fails_invocations(sim: Simulator) -> None:
    url, rule = await _setup(sim)
    async with aio_client(sim, "sqs") as sqs:
        await sqs.delete_queue(QueueUrl=url)
    await _start(sim)
    sim.clock.advance(60)
    assert sim.event_metrics[rule]["FailedInvocations"] > 0


async def test_setup_event_queue_helper_and_a_narrow_pattern(sim: Simulator) -> None:
    made = sim.setup_event_queue(ACCOUNT, REGION, "narrow", pattern=PIPELINE_EVENTS)
    assert sim.setup_event_queue(ACCOUNT, REGION, "narrow", pattern=PIPELINE_EVENTS) == made
    await _start(sim)
    sim.clock.advance(60)
    async with aio_client(sim, "sqs") as sqs:
        bodies = [json.loads(m["Body"]) for m in await _drain(sqs, made.url)]
    assert bodies and {b["detail-type"] for b in bodies} == {"CodePipeline Pipeline Execution State Change"}


async def test_long_poll_wakes_when_the_world_emits(sim: Simulator) -> None:
    made = sim.setup_event_queue(pattern=PIPELINE_EVENTS)
    async with aio_client(sim, "sqs") as sqs:
        assert await _drain(sqs, made.url) == []  # nothing yet

        waiting = sim.calls["ReceiveMessage"] + 1

        async def start_later() -> None:
            await poll_until(lambda: sim.calls["ReceiveMessage"] >= waiting)  # the long poll is waiting
            await _start(sim)

        task = asyncio.create_task(start_later())
        started = time.monotonic()
        got = await sqs.receive_message(QueueUrl=made.url, WaitTimeSeconds=8, MaxNumberOfMessages=10)
        await task
        assert time.monotonic() - started < 8
        assert json.loads(got["Messages"][0]["Body"])["detail"]["state"] == "STARTED"


async def _collect(sim: Simulator, faults: str, seconds: float = 20 * 60) -> tuple[list[dict[str, Any]], str]:
    sim.set_faults(faults)
    made = sim.setup_event_queue()
    await _start(sim)
    sim.clock.advance(seconds)
    async with aio_client(sim, "sqs") as sqs:
        msgs = await _drain(sqs, made.url, rounds=200)
    sim.set_faults("")
    return [json.loads(m["Body"]) for m in msgs], made.rule_arn


async def test_events_dropped(sim: Simulator) -> None:
    bodies, rule = await _collect(sim, "events-drop=1")
    assert bodies == [] and sim.event_metrics[rule]["MatchedEvents"] > 0
    assert sim.fault_counts["events-drop"] == sim.event_metrics[rule]["Invocations"]


async def test_events_duplicated(sim: Simulator) -> None:
    bodies, _ = await _collect(sim, "events-dup=1")
    ids = [b["id"] for b in bodies]
    assert ids and all(ids.count(i) == 2 for i in ids)


async def test_events_delayed_on_the_simulators_clock(sim: Simulator) -> None:
    sim.set_faults("events-delay=5000ms")
    made = sim.setup_event_queue(pattern=PIPELINE_EVENTS)
    await _start(sim)
    async with aio_client(sim, "sqs") as sqs:
        assert await _drain(sqs, made.url) == []
        sim.clock.advance(4)
        assert await _drain(sqs, made.url) == []
        sim.clock.advance(1.5)
        assert [json.loads(m["Body"])["detail"]["state"] for m in await _drain(sqs, made.url)] == ["STARTED"]


@pytest.mark.slow
async def test_events_out_of_order(sim: Simulator) -> None:
    ordered, _ = await _collect(sim, "", seconds=5 * 60)
    assert [b["time"] for b in ordered] == sorted(b["time"] for b in ordered)
    shuffled, _ = await _collect(sim, "events-reorder=0.5", seconds=5 * 60)
    times = [b["time"] for b in shuffled]
    assert times != sorted(times)
    assert sim.fault_counts["events-reorder"] > 0


def test_event_faults_parse_and_leave_requests_alone() -> None:
    from tui.sim.faults import Faults

    faults = Faults("events-delay=200-2000ms,events-dup=0.05,events-drop=0.01,events-reorder=0.1")
    assert faults.decide("sqs", "ReceiveMessage", ACCOUNT, REGION, "*").code is None
    plan = faults.event_delivery(ACCOUNT, REGION)
    assert 0.2 <= plan.delay <= 2.0
    with pytest.raises(ValueError):
        Faults("events-dup=lots")


def test_served_operations_are_botocore_operations() -> None:
    """Every SQS / EventBridge operation the simulator serves exists in botocore's model, and the
    ones push mode needs are all there."""
    from tui.sim import handlers_events, handlers_sqs
    from tui.sim.engine import Engine
    from tui.sim.validate import operations

    engine = Engine("empty")
    sqs, events = set(handlers_sqs.handlers(engine)), set(handlers_events.handlers(engine))
    assert sqs <= operations("sqs") and events <= operations("events")
    assert {
        "CreateQueue",
        "GetQueueUrl",
        "GetQueueAttributes",
        "SetQueueAttributes",
        "TagQueue",
        "ListQueues",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "DeleteQueue",
    } <= sqs
    assert {
        "PutRule",
        "DescribeRule",
        "ListRules",
        "PutTargets",
        "ListTargetsByRule",
        "RemoveTargets",
        "DeleteRule",
        "TagResource",
    } <= events


async def test_long_poll_sees_a_delayed_event_when_the_clock_moves(sim: Simulator) -> None:
    """No request wakes the server here: the clock moves, and the waiting ReceiveMessage notices."""
    sim.set_faults("events-delay=5000ms")
    made = sim.setup_event_queue(pattern=PIPELINE_EVENTS)
    await _start(sim)

    waiting = sim.calls["ReceiveMessage"] + 1

    async def tick_later() -> None:
        await poll_until(lambda: sim.calls["ReceiveMessage"] >= waiting)  # the long poll is waiting
        sim.clock.advance(6)

    async with aio_client(sim, "sqs") as sqs:
        task = asyncio.create_task(tick_later())
        started = time.monotonic()
        got = await sqs.receive_message(QueueUrl=made.url, WaitTimeSeconds=8)
        await task
    assert time.monotonic() - started < 8
    assert json.loads(got["Messages"][0]["Body"])["detail"]["state"] == "STARTED"


async def test_no_delivery_to_a_queue_encrypted_with_the_aws_managed_key(sim: Simulator) -> None:
    made = sim.setup_event_queue(pattern=PIPELINE_EVENTS)
    async with aio_client(sim, "sqs") as sqs:
        await sqs.set_queue_attributes(QueueUrl=made.url, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
        await _start(sim)
        sim.clock.advance(5)
        assert await _drain(sqs, made.url) == []
    assert sim.event_metrics[made.rule_arn]["FailedInvocations"] > 0


@pytest.mark.slow
async def test_stop_and_retry_publish_their_states(sim: Simulator) -> None:
    made = sim.setup_event_queue()
    failed = sim.engine.world().retryable_failures()[0]
    async with aio_client(sim, "codepipeline") as cp, aio_client(sim, "sqs") as sqs:
        await cp.retry_stage_execution(
            pipelineName=failed.pipeline,
            stageName=failed.stage,
            pipelineExecutionId=failed.execution_id,
            retryMode="FAILED_ACTIONS",
        )
        eid = await _start(sim, "auth-service")
        sim.clock.advance(2)
        await cp.stop_pipeline_execution(pipelineName="auth-service", pipelineExecutionId=eid, abandon=True)
        sim.clock.advance(1)
        events = [json.loads(m["Body"]) for m in await _drain(sqs, made.url, rounds=100)]
    states = {
        (e["detail-type"].split()[1], e["detail"].get("execution-id"), e["detail"].get("state"))
        for e in events
    }
    assert ("Pipeline", failed.execution_id, "RESUMED") in states
    assert ("Stage", failed.execution_id, "RESUMED") in states
    assert ("Pipeline", eid, "STOPPED") in states
    assert ("Action", eid, "ABANDONED") in states


async def test_target_input_and_input_path(sim: Simulator) -> None:
    made = sim.setup_event_queue(pattern=PIPELINE_EVENTS)
    async with aio_client(sim, "events") as ev, aio_client(sim, "sqs") as sqs:
        await ev.put_targets(
            Rule=made.rule_name,
            Targets=[
                {"Id": "cptui-queue", "Arn": made.arn, "InputPath": "$.detail"},
                {"Id": "constant", "Arn": made.arn, "Input": '{"hello": "world"}'},
            ],
        )
        await _start(sim)
        bodies = [json.loads(m["Body"]) for m in await _drain(sqs, made.url)]
    assert {"hello": "world"} in bodies
    detail = next(b for b in bodies if "pipeline" in b)
    assert detail["state"] == "STARTED" and "detail-type" not in detail

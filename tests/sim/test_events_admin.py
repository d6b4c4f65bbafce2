"""``tui.events.admin`` through the real aiobotocore client against the simulator: setup creates
exactly the queue, rule, target and policy push mode needs, a second setup changes nothing,
teardown removes exactly that and leaves what is not cptui's alone."""

from __future__ import annotations

import json

import pytest

from tests.support.apps import sim_services
from tests.support.sim import aio_client
from tui.aws.client import AwsPipelineService
from tui.aws.errors import AccessDenied, Conflict
from tui.core.model import Target
from tui.events import admin
from tui.events import resources as res
from tui.sim import Simulator
from tui.sim.simulator import queue_policy

ACCOUNT = "123456789012"
NAME = "cptui-cptui-us-east-1"  # the simulator's caller: assumed-role/.../cptui (its session name)


@pytest.fixture
def service(sim: Simulator) -> AwsPipelineService:
    (made,) = sim_services(sim, [Target(region="us-east-1")], credentials=(f"AKID{ACCOUNT}", "x", None))
    return made


async def _setup(service: AwsPipelineService) -> admin.Outcome:
    names = await admin.names_for(service)
    plan = await admin.plan_setup(service, names)
    return await admin.apply_setup(service, plan)


async def test_setup_creates_exactly_what_push_mode_needs(
    sim: Simulator, service: AwsPipelineService
) -> None:
    names = await admin.names_for(service)
    assert names.queue_name == names.rule_name == NAME
    plan = await admin.plan_setup(service, names)
    assert [s.kind for s in plan.steps] == ["create_queue", "put_rule", "put_targets", "set_policy"]
    text = "\n".join(plan.describe())
    assert "SSE-SQS" in text and "events.amazonaws.com" in text and names.rule_arn in text
    outcome = await admin.apply_setup(service, plan)
    assert outcome.queue_url == f"{sim.url}/{ACCOUNT}/{NAME}"

    queue_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{NAME}"
    rule_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{NAME}"
    async with (
        aio_client(sim, "sqs", account=ACCOUNT) as sqs,
        aio_client(sim, "events", account=ACCOUNT) as ev,
    ):
        attrs = (await sqs.get_queue_attributes(QueueUrl=outcome.queue_url, AttributeNames=["All"]))[
            "Attributes"
        ]
        assert attrs["SqsManagedSseEnabled"] == "true" and "KmsMasterKeyId" not in attrs
        assert int(attrs["MessageRetentionPeriod"]) >= 86400
        # The statement the simulator's own queues carry: events.amazonaws.com may send from that rule.
        policy = json.loads(attrs["Policy"])
        assert policy["Statement"] == json.loads(queue_policy(queue_arn, rule_arn))["Statement"]
        assert (await sqs.list_queue_tags(QueueUrl=outcome.queue_url))["Tags"] == {"cptui:managed": "true"}
        rule = await ev.describe_rule(Name=NAME)
        assert rule["State"] == "ENABLED" and rule.get("EventBusName", "default") == "default"
        assert json.loads(rule["EventPattern"]) == {
            "source": ["aws.codepipeline", "aws.codebuild"],
            "detail-type": list(res.DETAIL_TYPES),
        }
        targets = (await ev.list_targets_by_rule(Rule=NAME))["Targets"]
        assert targets == [{"Id": "cptui-queue", "Arn": queue_arn}]
        tags = (await ev.list_tags_for_resource(ResourceARN=rule_arn))["Tags"]
        assert tags == [{"Key": "cptui:managed", "Value": "true"}]

    # Events now arrive: a pipeline change in the world lands in the queue.
    sim.clock.advance(120)
    async with aio_client(sim, "sqs", account=ACCOUNT) as sqs:
        got = await sqs.receive_message(QueueUrl=outcome.queue_url, MaxNumberOfMessages=10)
    assert got.get("Messages"), "no event reached the queue"
    body = json.loads(got["Messages"][0]["Body"])
    assert body["source"] in ("aws.codepipeline", "aws.codebuild")

    # A second setup changes nothing.
    again = await admin.plan_setup(service, names)
    assert again.nothing_to_do and again.describe() == ["nothing to do"]
    status = await admin.status(service, names)
    assert not status.problems


async def test_setup_repairs_drift_and_refuses_foreign_resources(
    sim: Simulator, service: AwsPipelineService
) -> None:
    outcome = await _setup(service)
    names = outcome.names
    async with aio_client(sim, "sqs", account=ACCOUNT) as sqs:
        await sqs.set_queue_attributes(
            QueueUrl=outcome.queue_url, Attributes={"MessageRetentionPeriod": "3600", "Policy": ""}
        )
        plan = await admin.plan_setup(service, names)
        assert [s.kind for s in plan.steps] == ["fix_queue", "set_policy"]
        await admin.apply_setup(service, plan)
        assert (await admin.plan_setup(service, names)).nothing_to_do
        # Someone else's queue under the name: setup touches nothing.
        await sqs.create_queue(QueueName="cptui-bob-us-east-1", tags={"team": "bob"})
    foreign = admin.Names(ACCOUNT, "us-east-1", "cptui-bob-us-east-1", "cptui-bob-us-east-1")
    plan = await admin.plan_setup(service, foreign)
    assert plan.refused and not plan.steps and "not cptui's" in plan.describe()[0]


async def test_teardown_removes_exactly_what_setup_made(sim: Simulator, service: AwsPipelineService) -> None:
    outcome = await _setup(service)
    names = outcome.names
    async with (
        aio_client(sim, "sqs", account=ACCOUNT) as sqs,
        aio_client(sim, "events", account=ACCOUNT) as ev,
    ):
        other = (await sqs.create_queue(QueueName="team-queue"))["QueueUrl"]
        await ev.put_rule(Name="team-rule", EventPattern=json.dumps({"source": ["aws.codepipeline"]}))
        plan = await admin.plan_teardown(service, names)
        assert [s.kind for s in plan.steps] == ["remove_targets", "delete_rule", "delete_queue"]
        await admin.apply_teardown(service, plan)
        assert (await admin.plan_teardown(service, names)).describe() == ["nothing to do"]
        urls = (await sqs.list_queues()).get("QueueUrls", [])
        assert urls == [other]
        rules = [r["Name"] for r in (await ev.list_rules())["Rules"]]
        assert rules == ["team-rule"]
        # Foreign resources under cptui's names are left alone.
        await ev.put_rule(Name=NAME, EventPattern=json.dumps({"source": ["aws.codebuild"]}))
    plan = await admin.plan_teardown(service, names)
    assert not plan.steps and any("not cptui's" in n for n in plan.notes)
    # The queue's name is held for 60 s after deletion: setup says so in words.
    with pytest.raises(Conflict, match="60 seconds"):
        await admin.apply_setup(
            service, admin.Plan(names, admin.Found(), (admin.Step("create_queue", "create"),))
        )


async def test_denied_sqs_call_names_the_iam_action(sim: Simulator, service: AwsPipelineService) -> None:
    sim.set_faults("deny=ReceiveMessage")
    url = (await service.aws_call("sqs", "CreateQueue", mutation=True, QueueName="q"))["QueueUrl"]
    with pytest.raises(AccessDenied) as info:
        await service.aws_call("sqs", "ReceiveMessage", QueueUrl=url, WaitTimeSeconds=0)
    assert info.value.missing_action == "sqs:ReceiveMessage"
    assert "sqs:ReceiveMessage" in str(info.value)

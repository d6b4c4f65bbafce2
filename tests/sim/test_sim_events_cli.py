"""The AWS CLI (v1, the ``awscli`` dev dependency) against the simulator's SQS and EventBridge:
a client nobody here wrote must accept every answer (run as tests/support/cli.py runs it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import Cli, needs_aws_cli
from tui.sim import Simulator
from tui.sim.simulator import DEFAULT_EVENT_PATTERN, SimulatorThread, queue_policy

pytestmark = needs_aws_cli


@pytest.fixture
def aws(threaded_sim: Simulator, tmp_path: Path) -> Iterator[Cli]:
    cli = Cli(threaded_sim.url, tmp_path)
    yield cli
    cli.close()


@pytest.mark.slow
def test_sqs_with_the_cli(aws: Cli) -> None:
    url = aws(
        "sqs",
        "create-queue",
        "--queue-name",
        "cli-q",
        "--attributes",
        "VisibilityTimeout=60",
    )["QueueUrl"]
    attrs = aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")
    assert attrs["Attributes"]["VisibilityTimeout"] == "60"
    aws("sqs", "send-message", "--queue-url", url, "--message-body", "hi")
    got = aws(
        "sqs",
        "receive-message",
        "--queue-url",
        url,
        "--wait-time-seconds",
        "1",
        "--attribute-names",
        "All",
    )
    assert [m["Body"] for m in got["Messages"]] == ["hi"]
    handle = got["Messages"][0]["ReceiptHandle"]
    aws("sqs", "delete-message", "--queue-url", url, "--receipt-handle", handle)
    aws("sqs", "delete-queue", "--queue-url", url)
    missing = aws.run("sqs", "get-queue-url", "--queue-name", "cli-q")
    assert missing.rc != 0
    assert "AWS.SimpleQueueService.NonExistentQueue" in missing.err


@pytest.mark.slow
def test_events_to_sqs_with_the_cli(aws: Cli, sim_thread: SimulatorThread, tmp_path: Path) -> None:
    url = aws("sqs", "create-queue", "--queue-name", "cli-events")["QueueUrl"]
    queue_arn = "arn:aws:sqs:us-east-1:123456789012:cli-events"
    rule_arn = aws(
        "events",
        "put-rule",
        "--name",
        "cli-events",
        "--event-pattern",
        json.dumps(DEFAULT_EVENT_PATTERN),
    )["RuleArn"]
    put = aws(
        "events",
        "put-targets",
        "--rule",
        "cli-events",
        "--targets",
        json.dumps([{"Id": "q", "Arn": queue_arn}]),
    )
    assert put["FailedEntryCount"] == 0
    (tmp_path / "attrs.json").write_text(json.dumps({"Policy": queue_policy(queue_arn, rule_arn)}))
    aws(
        "sqs",
        "set-queue-attributes",
        "--queue-url",
        url,
        "--attributes",
        f"file://{tmp_path / 'attrs.json'}",
    )
    rule = aws("events", "describe-rule", "--name", "cli-events")
    assert rule["Arn"] == rule_arn and rule["State"] == "ENABLED"

    def start() -> None:
        from tui.sim.world import flow

        world = sim_thread.simulator.engine.world()
        flow.start_execution(world, world.pipelines["web-frontend"], "StartPipelineExecution", "cli")

    sim_thread.call(start)
    sim_thread.simulator.clock.advance(30)
    got = aws(
        "sqs",
        "receive-message",
        "--queue-url",
        url,
        "--max-number-of-messages",
        "10",
        "--wait-time-seconds",
        "2",
    )
    events = [json.loads(m["Body"]) for m in got["Messages"]]
    assert events[0]["detail-type"] == "CodePipeline Pipeline Execution State Change"
    assert events[0]["detail"]["state"] == "STARTED" and events[0]["detail"]["pipeline"] == "web-frontend"
    targets = aws("events", "list-targets-by-rule", "--rule", "cli-events")
    assert targets["Targets"] == [{"Id": "q", "Arn": queue_arn}]

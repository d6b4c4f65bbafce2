"""The AWS CLI (v1, the ``awscli`` dev dependency) against the simulator's SQS and EventBridge:
a client nobody here wrote must accept every answer. Each ``aws`` run is a separate process with
throwaway credentials and config files, pointed at the simulator with ``--endpoint-url``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tui.sim import Simulator
from tui.sim.simulator import DEFAULT_EVENT_PATTERN, SimulatorThread, queue_policy

AWS = Path(sys.executable).with_name("aws")
pytestmark = pytest.mark.skipif(
    not AWS.exists(),
    reason="the AWS CLI is not installed in this venv (pip install -e '.[dev]' installs awscli)",
)


# One Python process runs every ``aws`` command of a test through awscli's own entry point
# (``create_clidriver().main``, what the ``aws`` script calls), one JSON line in, one out: the
# CLI's start-up is paid once per test instead of once per command.
RUNNER = """
import contextlib, io, json, sys
from awscli.clidriver import create_clidriver
for line in sys.stdin:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = create_clidriver().main(json.loads(line))
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 1
    print(json.dumps({"rc": rc, "out": out.getvalue(), "err": err.getvalue()}), flush=True)
"""


@dataclass
class Result:
    rc: int
    out: str
    err: str


class Cli:
    """An awscli process with throwaway credentials and config, pointed at one simulator."""

    def __init__(self, url: str, home: Path) -> None:
        (home / "config").write_text("[default]\nregion = us-east-1\noutput = json\n")
        (home / "credentials").write_text(
            "[default]\naws_access_key_id = AKID123456789012EXAMPLE\naws_secret_access_key = x\n"
        )
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "AWS_CONFIG_FILE": str(home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_PAGER": "",
        }
        self.url = url
        self.proc = subprocess.Popen(
            [sys.executable, "-c", RUNNER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def run(self, *args: str) -> Result:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        argv = [*args, "--endpoint-url", self.url, "--cli-read-timeout", "15"]
        self.proc.stdin.write(json.dumps(argv) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the awscli runner died"
        data = json.loads(line)
        return Result(int(data["rc"]), data["out"], data["err"])

    def __call__(self, *args: str) -> Any:
        """Run ``aws ARGS`` and return its parsed JSON output; it must succeed."""
        result = self.run(*args)
        assert result.rc == 0, result.err
        return json.loads(result.out) if result.out.strip() else {}

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def aws(threaded_sim: Simulator, tmp_path: Path) -> Iterator[Cli]:
    cli = Cli(threaded_sim.url, tmp_path)
    yield cli
    cli.close()


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

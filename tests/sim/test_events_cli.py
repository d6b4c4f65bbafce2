"""``cptui events setup | status | teardown`` end to end against the simulator (``--endpoint-url``),
with the real aiobotocore client, and the AWS CLI listing what setup made."""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path

import pytest

from tests.support.cli import Cli, needs_aws_cli
from tui.cli import main
from tui.sim import Simulator

NAME = "cptui-cptui-us-east-1"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:123456789012:{NAME}"
RULE_ARN = f"arn:aws:events:us-east-1:123456789012:rule/{NAME}"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def running(threaded_sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    """The demo simulator in a thread, and the AWS variables the CLI would otherwise pick up cleared."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKID123456789012")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    return threaded_sim


def _run(
    running: Simulator, config: Path, *args: str, stdin: io.StringIO | None = None
) -> tuple[int, str]:
    out = io.StringIO()
    argv = ["events", *args, "--region", "us-east-1", "--endpoint-url", running.url, "--config", str(config)]
    from tui.events import cli

    code = cli.main(argv[1:], stdin=stdin or io.StringIO(""), stdout=out)
    return code, out.getvalue()


def test_setup_status_teardown(running: Simulator, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[general]\ntheme = "nord"\n')
    queues = running.engine.sqs.queues

    code, out = _run(running, config, "setup")
    assert code == 2 and "refused: no terminal" in out and "--yes" in out
    assert f"create SQS queue {NAME}" in out and "SSE-SQS" in out and RULE_ARN in out
    assert not queues  # nothing was created

    code, out = _run(running, config, "setup", stdin=Tty("n\n"))
    assert code == 1 and "nothing changed" in out and not queues

    code, out = _run(running, config, "setup", stdin=Tty("y\n"))
    assert code == 0, out
    assert "done: 4 change(s)" in out and "recorded in" in out
    saved = tomllib.loads(config.read_text())
    assert saved["general"] == {"theme": "nord"}  # the rest of the file is kept
    assert saved["events"]["targets"] == [
        {
            "region": "us-east-1",
            "queue_url": f"{running.url}/123456789012/{NAME}",
            "queue_name": NAME,
            "rule_name": NAME,
            "managed": True,
        }
    ]
    text = config.read_text()

    code, out = _run(running, config, "setup", "--yes")
    assert code == 0 and "nothing to do" in out and "done:" not in out
    assert config.read_text() == text  # a second setup changes nothing, not even the file

    code, out = _run(running, config, "status")
    assert code == 0 and "ok: events flow" in out and "events waiting:" in out

    code, out = _run(running, config, "teardown")
    assert code == 2 and "delete SQS queue" in out and queues
    code, out = _run(running, config, "teardown", "--yes")
    assert code == 0 and "done: 3 change(s)" in out and not queues
    assert not running.engine.events.rules
    assert (
        "events" not in tomllib.loads(config.read_text()) or not tomllib.loads(config.read_text())["events"]
    )

    code, out = _run(running, config, "status")
    assert code == 1 and "does not exist" in out


def test_a_queue_someone_else_manages_is_left_alone(running: Simulator, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    foreign = running.setup_event_queue(name="org-events")
    config.write_text(f'[[events.targets]]\nregion = "us-east-1"\nqueue_url = "{foreign.url}"\n')
    for command in ("setup", "teardown"):
        code, out = _run(running, config, command, "--yes")
        assert code == 0 and "someone else manages" in out and "leaves it alone" in out
    assert list(running.engine.sqs.queues) == [("123456789012", "us-east-1", "org-events")]
    code, out = _run(running, config, "status")
    assert code == 0 and "reachable" in out


def test_bad_events_config_names_the_line(running: Simulator, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[events]\nsweep_interval = 600\n\n[[events.targets]]\nregion = "us-east-1"\nqueue_url = "ftp://x"\n'
    )
    err = io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(err):
        code = main(["events", "status", "--config", str(config), "--region", "us-east-1"])
    assert code == 2
    assert (
        f"{config}:6: [[events.targets]] #1 queue_url: expected an http:// or https:// URL" in err.getvalue()
    )


@needs_aws_cli
def test_the_aws_cli_lists_what_setup_made(running: Simulator, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("")
    assert _run(running, config, "setup", "--yes")[0] == 0
    home = tmp_path / "aws"
    home.mkdir()
    aws = Cli(running.url, home)
    try:
        urls = aws("sqs", "list-queues")["QueueUrls"]
        assert urls == [f"{running.url}/123456789012/{NAME}"]
        attrs = aws("sqs", "get-queue-attributes", "--queue-url", urls[0], "--attribute-names", "All")[
            "Attributes"
        ]
        assert attrs["SqsManagedSseEnabled"] == "true" and int(attrs["MessageRetentionPeriod"]) >= 86400
        statement = json.loads(attrs["Policy"])["Statement"]
        assert statement[0]["Principal"] == {"Service": "events.amazonaws.com"}
        assert statement[0]["Condition"] == {"ArnEquals": {"aws:SourceArn": RULE_ARN}}
        assert aws("sqs", "list-queue-tags", "--queue-url", urls[0])["Tags"] == {"cptui:managed": "true"}
        rules = aws("events", "list-rules", "--name-prefix", "cptui-")["Rules"]
        assert [r["Name"] for r in rules] == [NAME] and rules[0]["State"] == "ENABLED"
        targets = aws("events", "list-targets-by-rule", "--rule", NAME)["Targets"]
        assert targets == [{"Id": "cptui-queue", "Arn": QUEUE_ARN}]
        tags = aws("events", "list-tags-for-resource", "--resource-arn", RULE_ARN)["Tags"]
        assert tags == [{"Key": "cptui:managed", "Value": "true"}]
    finally:
        aws.close()

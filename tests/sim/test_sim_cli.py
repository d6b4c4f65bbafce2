"""``python -m tui.sim`` serves the AWS CLI (v1) like AWS would; tui.sim never imports textual."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import Cli, needs_aws_cli


@pytest.fixture
def sim_process() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.sim", "--port", "0", "--seed", "7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the process prints its URL once it listens
        assert line.startswith("cptui simulator listening on http://127.0.0.1:"), line
        assert "(scenario demo, seed 7)" in line
        yield line.split(" on ", 1)[1].split()[0]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def aws(sim_process: str, tmp_path: Path) -> Iterator[Cli]:
    cli = Cli(sim_process, tmp_path)
    yield cli
    cli.close()


@needs_aws_cli
@pytest.mark.slow
def test_aws_cli_lists_reads_and_approves(aws: Cli) -> None:
    names = [p["name"] for p in aws("codepipeline", "list-pipelines")["pipelines"]]
    assert "payments-api-prod" in names and len(names) >= 8
    state = aws("codepipeline", "get-pipeline-state", "--name", "payments-api-prod")
    approval = next(s for s in state["stageStates"] if s["stageName"] == "Approval")
    action = approval["actionStates"][0]
    token = action["latestExecution"]["token"]
    answer = aws(
        "codepipeline",
        "put-approval-result",
        "--pipeline-name",
        "payments-api-prod",
        "--stage-name",
        "Approval",
        "--action-name",
        action["actionName"],
        "--token",
        token,
        "--result",
        "summary=Approved from the CLI,status=Approved",
    )
    assert "approvedAt" in answer


@needs_aws_cli
@pytest.mark.slow
def test_aws_cli_edits_deletes_and_overrides(aws: Cli, tmp_path: Path) -> None:
    """get-pipeline -> edit the JSON (metadata dropped) -> update-pipeline, both ways the CLI
    takes it; a refused edit; tags; rule executions; overriding the blocked entry condition;
    delete-pipeline."""
    got = aws("codepipeline", "get-pipeline", "--name", "docs-site")
    version = got["pipeline"]["version"]
    del got["metadata"]
    got["pipeline"]["stages"][2]["actions"][0]["configuration"]["Extract"] = "false"
    whole = tmp_path / "update.json"
    whole.write_text(json.dumps(got))
    updated = aws("codepipeline", "update-pipeline", "--cli-input-json", f"file://{whole}")
    assert updated["pipeline"]["version"] == version + 1
    member = tmp_path / "pipeline.json"
    member.write_text(json.dumps(updated["pipeline"]))
    again = aws("codepipeline", "update-pipeline", "--pipeline", f"file://{member}")
    assert again["pipeline"]["version"] == version + 2
    assert again["pipeline"]["stages"][2]["actions"][0]["configuration"]["Extract"] == "false"
    broken = dict(updated["pipeline"], stages=updated["pipeline"]["stages"][:1])
    member.write_text(json.dumps(broken))
    err = aws.fails("codepipeline", "update-pipeline", "--pipeline", f"file://{member}")
    assert "InvalidStructureException" in err and "at least two stages" in err

    arn = "arn:aws:codepipeline:us-east-1:123456789012:billing-service"
    tags = aws("codepipeline", "list-tags-for-resource", "--resource-arn", arn)["tags"]
    assert {"key": "aws:cloudformation:stack-name", "value": "billing-service-pipeline"} in tags

    state = aws("codepipeline", "get-pipeline-state", "--name", "checkout-web")
    production = next(s for s in state["stageStates"] if s["stageName"] == "Production")
    assert production["beforeEntryConditionState"]["latestExecution"]["status"] == "InProgress"
    eid = production["latestExecution"]["pipelineExecutionId"]
    rules = aws(
        "codepipeline",
        "list-rule-executions",
        "--pipeline-name",
        "checkout-web",
        "--filter",
        f"pipelineExecutionId={eid}",
    )["ruleExecutionDetails"]
    assert {r["ruleName"] for r in rules} >= {"Stable-Channel", "Business-Hours-Window"}
    aws(
        "codepipeline",
        "override-stage-condition",
        "--pipeline-name",
        "checkout-web",
        "--stage-name",
        "Production",
        "--pipeline-execution-id",
        eid,
        "--condition-type",
        "BEFORE_ENTRY",
    )
    state = aws("codepipeline", "get-pipeline-state", "--name", "checkout-web")
    production = next(s for s in state["stageStates"] if s["stageName"] == "Production")
    assert production["beforeEntryConditionState"]["latestExecution"]["status"] == "Overridden"

    aws("codepipeline", "delete-pipeline", "--name", "docs-site")
    err = aws.fails("codepipeline", "get-pipeline", "--name", "docs-site")
    assert "PipelineNotFoundException" in err


def test_sim_package_does_not_import_textual() -> None:
    code = "import sys, tui.sim, tui.sim.__main__; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"

"""``python -m tui.sim`` serves the AWS CLI (v1) like AWS would; tui.sim never imports textual."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

AWS = shutil.which("aws")


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


def _aws(url: str, *args: str) -> Any:
    env = os.environ | {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    assert AWS is not None
    done = subprocess.run(
        [AWS, "--endpoint-url", url, "--output", "json", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


@pytest.mark.skipif(AWS is None, reason="the AWS CLI is not installed")
def test_aws_cli_lists_reads_and_approves(sim_process: str) -> None:
    names = [p["name"] for p in _aws(sim_process, "codepipeline", "list-pipelines")["pipelines"]]
    assert "payments-api-prod" in names and len(names) >= 8
    state = _aws(sim_process, "codepipeline", "get-pipeline-state", "--name", "payments-api-prod")
    approval = next(s for s in state["stageStates"] if s["stageName"] == "Approval")
    action = approval["actionStates"][0]
    token = action["latestExecution"]["token"]
    answer = _aws(
        sim_process,
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


def test_sim_package_does_not_import_textual() -> None:
    code = "import sys, tui.sim, tui.sim.__main__; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"

"""The AWS CLI (v1, the ``awscli`` dev dependency) as the tests run it: one Python process per test
runs every ``aws`` command through awscli's own entry point, with throwaway credentials and config
files, pointed at a simulator with ``--endpoint-url``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

AWS = Path(sys.executable).with_name("aws")
needs_aws_cli = pytest.mark.skipif(
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

    def fails(self, *args: str) -> str:
        """Run ``aws ARGS``, which must fail; its error output."""
        result = self.run(*args)
        assert result.rc != 0, result.out
        return result.err

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

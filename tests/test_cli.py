"""The cptui command line: version, targets from arguments / config / environment, clean errors."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from awsfixtures import isolate_aws_env

from tui import __version__, cli
from tui.aws.client import AwsPipelineService
from tui.core.config import Config, load_config
from tui.core.model import Target

REPO = Path(__file__).resolve().parent.parent
AWS_CONFIG = """\
[default]
region = eu-central-1

[profile prod]
region = us-east-1

[profile staging]
region = eu-west-1

[profile noregion]
output = json
"""


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AWS_* variables, known profiles, an empty XDG config home. Returns the XDG dir."""
    isolate_aws_env(monkeypatch, tmp_path, AWS_CONFIG)
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return xdg


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace the app run with a recorder (tui.app.application is another part's concern)."""
    seen: dict[str, Any] = {}

    def fake_run(services: list[AwsPipelineService], config: Config, read_only: bool) -> int:
        seen.update(services=services, config=config, read_only=read_only)
        return 0

    monkeypatch.setattr(cli, "_run_app", fake_run)
    return seen


def run_module(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )


def targets(seen: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(s.target.profile, s.target.region) for s in seen["services"]]


# --- version and usage --------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"cptui {__version__}"


def test_python_dash_m_version() -> None:
    result = run_module(["--version"], dict(os.environ))
    assert result.returncode == 0
    assert result.stdout.strip() == f"cptui {__version__}"


def test_unknown_argument_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


# --- targets --------------------------------------------------------------------------------------


def test_no_region_anywhere_exits_2_naming_the_fix(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(env / "empty"))
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--region" in err and "AWS_REGION" in err


def test_no_region_in_a_subprocess(env: Path, tmp_path: Path) -> None:
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    child_env.update(
        XDG_CONFIG_HOME=str(env),
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
    )
    result = run_module([], child_env)
    assert result.returncode == 2
    assert "pass --region REGION or set AWS_REGION" in result.stderr
    assert "Traceback" not in result.stderr


def test_default_target_from_the_environment(
    env: Path, monkeypatch: pytest.MonkeyPatch, captured: dict[str, Any]
) -> None:
    assert cli.main([]) == 0
    assert targets(captured) == [(None, "eu-central-1")]  # the default profile's region
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert cli.main([]) == 0
    assert targets(captured) == [(None, "ap-south-1")]
    monkeypatch.setenv("AWS_REGION", "sa-east-1")  # AWS_REGION wins, as in the AWS CLI
    monkeypatch.setenv("AWS_PROFILE", "prod")
    assert cli.main([]) == 0
    assert targets(captured) == [("prod", "sa-east-1")]


def test_profile_and_region_combinations(env: Path, captured: dict[str, Any]) -> None:
    argv = ["--profile", "prod", "--profile", "staging", "--region", "us-east-1"]
    assert cli.main([*argv, "--region", "eu-west-1"]) == 0
    assert targets(captured) == [
        ("prod", "us-east-1"),
        ("prod", "eu-west-1"),
        ("staging", "us-east-1"),
        ("staging", "eu-west-1"),
    ]
    # A profile without --region uses its own region.
    assert cli.main(["--profile", "prod", "--profile", "staging"]) == 0
    assert targets(captured) == [("prod", "us-east-1"), ("staging", "eu-west-1")]


def test_a_malformed_region_exits_2(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--region", "us-east1"]) == 2
    assert "expected a region like us-east-1" in capsys.readouterr().err


def test_profile_without_region_exits_2(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--profile", "noregion"]) == 2
    assert "profile noregion has no region" in capsys.readouterr().err


def test_unknown_profile_exits_2(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--profile", "prdo", "--region", "us-east-1"]) == 2
    err = capsys.readouterr().err
    assert "'prdo'" in err and "prod" in err


def test_config_targets_and_overrides(env: Path, tmp_path: Path, captured: dict[str, Any]) -> None:
    config = tmp_path / "cptui.toml"
    config.write_text(
        "[general]\nread_only = true\n"
        "[[targets]]\nprofile = 'prod'\nregion = 'us-east-1'\nname = 'PROD'\ncolor = 'red'\n"
        "[[targets]]\nprofile = 'staging'\nregion = 'eu-west-1'\n"
        "endpoint_url = 'http://127.0.0.1:1'\n"
    )
    assert cli.main(["--config", str(config)]) == 0
    assert targets(captured) == [("prod", "us-east-1"), ("staging", "eu-west-1")]
    services = captured["services"]
    assert services[0].target == Target(region="us-east-1", profile="prod", name="PROD", color="red")
    assert services[1].endpoint_url == "http://127.0.0.1:1"
    assert captured["read_only"] is True
    assert captured["config"] == load_config(config)

    # --profile/--region replace the config's targets but keep a matching target's name.
    assert cli.main(["--config", str(config), "--profile", "prod", "--region", "us-east-1"]) == 0
    assert [s.target.name for s in captured["services"]] == ["PROD"]

    # --endpoint-url applies to every target.
    assert cli.main(["--config", str(config), "--endpoint-url", "http://127.0.0.1:2"]) == 0
    assert {s.endpoint_url for s in captured["services"]} == {"http://127.0.0.1:2"}


def test_read_only_flag(env: Path, captured: dict[str, Any]) -> None:
    assert cli.main(["--region", "us-east-1"]) == 0
    assert captured["read_only"] is False
    assert cli.main(["--region", "us-east-1", "--read-only"]) == 0
    assert captured["read_only"] is True


# --- config errors --------------------------------------------------------------------------------


def test_malformed_config_exits_2_with_one_line(env: Path, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[polling]\nlist_interval = 60\nactive_interval = 'fast'\n")
    child_env = dict(os.environ, XDG_CONFIG_HOME=str(env))
    result = run_module(["--config", str(config), "--region", "us-east-1"], child_env)
    assert result.returncode == 2
    assert result.stderr == (
        f'{config}:3: [polling] active_interval: expected a number of seconds, got "fast"\n'
    )
    assert result.stdout == ""


def test_malformed_default_config_exits_2(env: Path) -> None:
    path = env / "cptui" / "config.toml"
    path.parent.mkdir()
    path.write_text("[general]\nread_only = maybe\n")
    child_env = dict(os.environ, XDG_CONFIG_HOME=str(env))
    result = run_module(["--region", "us-east-1"], child_env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:2: invalid TOML")
    assert "Traceback" not in result.stderr


def test_missing_explicit_config_exits_2(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--config", str(tmp_path / "typo.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err


# --- demo -----------------------------------------------------------------------------------------


def test_demo_rejects_aws_arguments(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--demo", "--profile", "prod"]) == 2
    assert "--demo" in capsys.readouterr().err


def test_demo_targets_are_two_accounts_in_two_regions() -> None:
    targets = cli.demo_targets()
    assert [(t.region, cli.demo_credentials(t)[0]) for t in targets] == [
        ("us-east-1", "AKID123456789012"),
        ("us-west-2", "AKID123456789012"),
        ("us-east-1", "AKID210987654321"),
    ]
    assert len({t.key for t in targets}) == 3
    assert targets[0].color == "red"  # production stands out


def test_demo_runs_against_the_embedded_simulator(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def use_services(
        services: list[AwsPipelineService], config: Config, read_only: bool, factory: object = None
    ) -> int:
        async def use() -> None:
            try:
                seen["pipelines"] = await services[0].list_pipelines()
            finally:
                await services[0].close()

        asyncio.run(use())
        seen["services"] = services
        return 0

    monkeypatch.setattr(cli, "_run_app", use_services)
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")  # the demo needs no profile at all
    assert cli.main(["--demo", "--seed", "3"]) == 0
    service = seen["services"][0]
    assert service.target.region == "us-east-1"
    assert service.endpoint_url and service.endpoint_url.startswith("http://127.0.0.1")
    assert len(seen["pipelines"]) >= 8

"""Values that parse but mean nothing are config errors (exit 2, ``file:line: [section] key:``):
``nan`` / ``inf`` for any number setting (TOML allows both, and ``nan`` slipped past every
"at least" check), and a port outside 1-65535 in an endpoint URL, in the config or on the command
line."""

from __future__ import annotations

from pathlib import Path

import pytest
from awsfixtures import isolate_aws_env

from tui import cli
from tui.core.config import ConfigError, load_config
from tui.core.config_schema import SCHEMAS

# Every setting that takes a number with a fraction (whole numbers cannot be nan or inf in TOML).
FLOAT_SETTINGS = [
    (section, key)
    for section, keys in SCHEMAS.items()
    for key, check in keys.items()
    if check.__name__ in ("check", "positive_number")
    and check.__qualname__.startswith(("seconds", "positive"))
]


def test_the_float_settings_are_found() -> None:
    assert ("polling", "tps") in FLOAT_SETTINGS and ("polling", "idle_interval") in FLOAT_SETTINGS
    assert ("notifications", "dedupe_window") in FLOAT_SETTINGS and len(FLOAT_SETTINGS) >= 6


@pytest.mark.parametrize(("section", "key"), FLOAT_SETTINGS)
@pytest.mark.parametrize("value", ["nan", "inf", "+inf", "-nan"])
def test_non_finite_numbers_are_rejected(section: str, key: str, value: str, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"# cptui\n[{section}]\n\n{key} = {value}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:4: [{section}] {key}: expected ")
    assert "finite" in str(info.value)


@pytest.mark.parametrize("port", ["99999", "0", "65536", "x"])
def test_a_bad_port_in_a_target_is_rejected(port: str, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[[targets]]\nregion = "us-east-1"\nendpoint_url = "http://127.0.0.1:{port}"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:3: [[targets]] #1 endpoint_url: port {port} is not a port")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:4566", "https://codepipeline.eu-west-1.amazonaws.com", "http://[::1]:1"]
)
def test_good_endpoints_still_load(url: str, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[[targets]]\nregion = "us-east-1"\nendpoint_url = "{url}"\n')
    assert load_config(path).targets[0].endpoint_url == url


def test_exit_2_for_a_bad_port_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate_aws_env(monkeypatch, tmp_path, "[default]\nregion = us-east-1\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    ran: list[object] = []
    monkeypatch.setattr(cli, "_run_app", lambda *args, **kwargs: ran.append(args) or 0)
    assert cli.main(["--endpoint-url", "http://127.0.0.1:99999"]) == 2
    err = capsys.readouterr().err
    assert "--endpoint-url http://127.0.0.1:99999: port 99999 is not a port number 1-65535" in err
    assert not ran


def test_exit_2_for_a_bad_port_in_aws_endpoint_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate_aws_env(monkeypatch, tmp_path, "[default]\nregion = us-east-1\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:70000")
    monkeypatch.setattr(cli, "_run_app", lambda *args, **kwargs: 0)
    assert cli.main([]) == 2
    assert (
        "AWS_ENDPOINT_URL=http://127.0.0.1:70000: port 70000 is not a port number 1-65535"
        in capsys.readouterr().err
    )


def test_exit_2_for_nan_in_the_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate_aws_env(monkeypatch, tmp_path, "[default]\nregion = us-east-1\n")
    path = tmp_path / "config.toml"
    path.write_text("[polling]\ntps = nan\n")
    monkeypatch.setattr(cli, "_run_app", lambda *args, **kwargs: 0)
    assert cli.main(["--config", str(path)]) == 2
    assert f"{path}:2: [polling] tps: expected a number, got nan" in capsys.readouterr().err

"""One rule for every file cptui keeps (tui/core/paths.py): XDG base directories, a relative value
ignored as the specification says, the same on macOS. The audit log's own default used to accept a
relative ``XDG_STATE_HOME`` while the config's ignored it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tui.core import paths
from tui.core.audit import AuditLog
from tui.core.config import Config


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    for variable in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_without_the_variables_the_files_are_under_the_home_dotfolders(
    home: Path, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    assert paths.default_config_path() == home / ".config" / "cptui" / "config.toml"
    assert paths.default_audit_log_path() == home / ".local" / "state" / "cptui" / "audit.jsonl"
    assert paths.default_cache_dir() == home / ".cache" / "cptui"


def test_absolute_values_are_used_and_relative_ones_ignored(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    assert paths.state_dir() == home / "state" / "cptui"
    assert paths.default_cache_dir() == home / "cache" / "cptui"
    for variable in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, "relative/ignored")
    assert paths.default_config_path() == home / ".config" / "cptui" / "config.toml"
    assert paths.state_dir() == home / ".local" / "state" / "cptui"
    assert paths.default_cache_dir() == home / ".cache" / "cptui"


def test_the_audit_log_and_the_config_agree_on_where_state_goes(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")
    expected = home / ".local" / "state" / "cptui" / "audit.jsonl"
    assert Config().general.audit_log == expected
    assert AuditLog(None).path == expected

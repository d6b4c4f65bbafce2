"""Where cptui keeps its files: the XDG base directories, the same on Linux and macOS.

- the config file: ``$XDG_CONFIG_HOME/cptui/config.toml``, else ``~/.config/cptui/config.toml``;
- state (the audit log, what was notified, the followed executions): ``$XDG_STATE_HOME/cptui/``,
  else ``~/.local/state/cptui/``;
- the warm-start cache: ``$XDG_CACHE_HOME/cptui/``, else ``~/.cache/cptui/``.

On macOS too (a terminal tool's files live where its users' dotfiles do, not in ``~/Library``). A
relative value in one of these variables is ignored, as the XDG specification says.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "cptui"


def _base(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


def default_config_path() -> Path:
    """``$XDG_CONFIG_HOME/cptui/config.toml``, else ``~/.config/cptui/config.toml``."""
    return _base("XDG_CONFIG_HOME", ".config") / APP / "config.toml"


def state_dir() -> Path:
    """``$XDG_STATE_HOME/cptui``, else ``~/.local/state/cptui``."""
    return _base("XDG_STATE_HOME", ".local/state") / APP


def default_audit_log_path() -> Path:
    """``$XDG_STATE_HOME/cptui/audit.jsonl``, else ``~/.local/state/cptui/audit.jsonl``."""
    return state_dir() / "audit.jsonl"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/cptui``, else ``~/.cache/cptui`` (the warm start's lists, burst sizes)."""
    return _base("XDG_CACHE_HOME", ".cache") / APP

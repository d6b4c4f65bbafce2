"""cptui's configuration file: TOML read with ``tomllib`` into frozen dataclasses, strictly checked.

Unknown sections and keys, wrong types, bad regular expressions or globs are errors that name the
file, the line and the key (``ConfigError``): a typo in a protected-pipeline glob must not silently
unprotect production. A missing file means all defaults. ``config.example.toml`` at the repository
root documents every key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from tui.core.config_schema import (
    ConfigError,
    check_events,
    check_keys,
    check_section,
    check_targets,
    load_text,
)
from tui.core.keys import DEFAULT_KEYS, KNOWN_BINDINGS
from tui.core.model import Target
from tui.core.paths import default_audit_log_path, default_config_path
from tui.core.toml_lines import TomlLines

__all__ = [
    "DEFAULT_KEYS",
    "KNOWN_BINDINGS",
    "Config",
    "ConfigError",
    "EventQueueConfig",
    "EventsConfig",
    "GeneralConfig",
    "LogsConfig",
    "NotificationsConfig",
    "PipelinesConfig",
    "PollingConfig",
    "TargetConfig",
    "default_audit_log_path",
    "default_config_path",
    "load_config",
    "parse_config",
]

DEFAULT_ERROR_PATTERNS: tuple[str, ...] = (
    r"(?i)\berror\b",
    r"\bFAILED\b",
    r"Traceback \(most recent call last\)",
    r"exit status [1-9]",
)


@dataclass(frozen=True)
class GeneralConfig:
    read_only: bool = False
    theme: str = "textual-dark"
    audit_log: Path = field(default_factory=default_audit_log_path)
    clock_24h: bool = True
    utc: bool = False  # show times in UTC instead of the local zone
    cache: bool = True  # remember the last lists and the start-up burst in $XDG_CACHE_HOME/cptui
    insights_window: int = 50  # executions per pipeline the insights and fleet health look back over


@dataclass(frozen=True)
class TargetConfig:
    """One ``[[targets]]`` entry: an account (profile) in a region."""

    region: str
    profile: str | None = None
    name: str | None = None
    color: str | None = None
    endpoint_url: str | None = None

    def to_target(self) -> Target:
        return Target(region=self.region, profile=self.profile, name=self.name, color=self.color)


@dataclass(frozen=True)
class PollingConfig:
    list_interval: float = 60.0  # ListPipelines: new or deleted pipelines
    active_interval: float = 5.0  # a running pipeline, or the one on screen
    visible_interval: float = 15.0  # rows on screen that are not running
    idle_interval: float = 120.0  # everything else
    tps: float = 4.0  # API calls per second per target, sustained
    burst: int = 8  # calls allowed at once above the sustained rate
    startup_burst: int | None = None  # reads at once at start-up; None: sized to the screen


# Protected unless configured otherwise: what looks like production (``protected = []`` turns it off).
DEFAULT_PROTECTED: tuple[str, ...] = ("*prod*", "*production*")


@dataclass(frozen=True)
class PipelinesConfig:
    favourites: tuple[str, ...] = ()
    protected: tuple[str, ...] = DEFAULT_PROTECTED
    hidden: tuple[str, ...] = ()

    def is_favourite(self, name: str) -> bool:
        return self.favourite_pattern(name) is not None

    def favourite_pattern(self, name: str) -> str | None:
        """The first of ``favourites`` that ``name`` matches (itself, or a glob)."""
        return next((pattern for pattern in self.favourites if fnmatchcase(name, pattern)), None)

    def is_protected(self, name: str, target: Target | None = None) -> bool:
        """Protected pipelines ask for the pipeline's name to be typed before any mutation.

        The one rule, used everywhere: a pipeline is protected when its name, or its target's name
        or label (``prod-account``, ``production/eu-west-1``), matches one of ``protected``,
        ignoring case. Matching more is the safe side: a wrong guess costs a typed name.
        """
        names = [name]
        if target is not None:
            names.extend(n for n in (target.name, target.label) if n)
        return any(
            fnmatchcase(candidate.casefold(), pattern.casefold())
            for pattern in self.protected
            for candidate in names
        )

    def is_hidden(self, name: str) -> bool:
        return any(fnmatchcase(name, pattern) for pattern in self.hidden)


@dataclass(frozen=True)
class LogsConfig:
    max_lines: int = 200_000
    error_patterns: tuple[str, ...] = DEFAULT_ERROR_PATTERNS
    timestamps: bool = True
    wrap: bool = False

    def error_regexes(self) -> tuple[re.Pattern[str], ...]:
        """The compiled ``error_patterns`` (validated at load, so this cannot fail)."""
        return tuple(re.compile(p) for p in self.error_patterns)


@dataclass(frozen=True)
class NotificationsConfig:
    toast: bool = True
    bell: bool = False
    desktop: bool = False
    dedupe_window: float = 30.0  # seconds in which the same notice is shown once


@dataclass(frozen=True)
class EventQueueConfig:
    """One ``[[events.targets]]`` entry: the queue push mode reads for a profile and region.

    ``managed``: ``cptui events setup`` made it (teardown may remove it); otherwise ``queue_url``
    is a queue someone else manages, which setup and teardown leave alone."""

    region: str
    profile: str | None = None
    queue_url: str | None = None
    queue_name: str | None = None
    rule_name: str | None = None
    managed: bool = False

    def matches(self, target: Target) -> bool:
        return (self.profile, self.region) == (target.profile, target.region)


@dataclass(frozen=True)
class EventsConfig:
    """``[events]``: push mode (EventBridge -> SQS). ``queue_url`` is a queue someone else
    manages, read for every target without its own entry."""

    enabled: bool = True
    sweep_interval: float = 600.0  # while events flow: every pipeline is still read this often ...
    # ... or less often, so the sweep and the list cost at most this many CodePipeline calls/s
    # (1,000 pipelines every 10 minutes would be 1.67 calls/s; tui/core/sweep.py)
    sweep_calls_per_second: float = 0.15
    queue_url: str | None = None
    targets: tuple[EventQueueConfig, ...] = ()

    def for_target(self, target: Target) -> EventQueueConfig | None:
        """The target's queue: its own entry, else the shared ``queue_url``, else None."""
        entry = next((e for e in self.targets if e.matches(target)), None)
        if entry is not None:
            return entry
        if self.queue_url:
            return EventQueueConfig(region=target.region, profile=target.profile, queue_url=self.queue_url)
        return None


@dataclass(frozen=True)
class Config:
    general: GeneralConfig = field(default_factory=GeneralConfig)
    targets: tuple[TargetConfig, ...] = ()
    polling: PollingConfig = field(default_factory=PollingConfig)
    pipelines: PipelinesConfig = field(default_factory=PipelinesConfig)
    keys: Mapping[str, str] = field(default_factory=dict)  # overrides only
    logs: LogsConfig = field(default_factory=LogsConfig)
    notifications: NotificationsConfig = field(default_factory=NotificationsConfig)
    events: EventsConfig = field(default_factory=EventsConfig)
    path: Path | None = None  # the file it was read from
    # The warm-start cache's folder (tui/core/cache.py), set by the command line (not a key of the file):
    # None (tests, --no-cache, ``[general] cache = false``) neither reads nor writes one.
    cache_dir: Path | None = field(default=None, compare=False)

    def key_for(self, binding_id: str) -> str:
        """The key for a binding id: the ``[keys]`` override, else the default."""
        return self.keys.get(binding_id) or DEFAULT_KEYS[binding_id]

    def first_key(self, binding_id: str) -> str:
        """The first of the binding's keys, as hints name it ("P shows all")."""
        return self.key_for(binding_id).split(",")[0]


# Section name -> its settings dataclass (``[targets]``, ``[keys]`` and ``[events]`` are read apart).
SECTIONS: dict[str, type] = {
    "general": GeneralConfig,
    "polling": PollingConfig,
    "pipelines": PipelinesConfig,
    "logs": LogsConfig,
    "notifications": NotificationsConfig,
}


# Checks a ``[keys]`` remap against the screens' bindings (``tui.app.keymap.check_keymap``): the
# caller that owns the screens passes it in; without it only the schema of ``[keys]`` is checked.
KeymapCheck = Callable[[Mapping[str, str], Path | None, TomlLines], None]


def parse_config(text: str, path: Path | None = None, *, check_keymap: KeymapCheck | None = None) -> Config:
    """Validate TOML text into a ``Config``; raises ``ConfigError`` naming the line and key."""
    data, lines = load_text(text, path)
    known = [*SECTIONS, "targets", "keys", "events"]
    for name in data:
        if name not in known:
            close = get_close_matches(name, known, n=1)
            hint = f"; did you mean [{close[0]}]?" if close else ""
            raise ConfigError(
                path,
                lines.table(name),
                f"[{name}]",
                f"unknown section{hint} (sections: {', '.join(known)})",
            )
    sections: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        values = check_section(name, data.get(name, {}), path, lines)
        sections[name] = cls(**values)
    keys = check_keys(data.get("keys", {}), KNOWN_BINDINGS, path, lines)
    if keys and check_keymap is not None:
        check_keymap(keys, path, lines)
    targets = tuple(TargetConfig(**t) for t in check_targets(data.get("targets", []), path, lines))
    events_values, event_targets = check_events(data.get("events", {}), path, lines)
    events = EventsConfig(**events_values, targets=tuple(EventQueueConfig(**e) for e in event_targets))
    return Config(targets=targets, keys=keys, path=path, events=events, **sections)


def load_config(path: Path | None = None, *, check_keymap: KeymapCheck | None = None) -> Config:
    """Read the config file (default: ``default_config_path()``); a missing file means defaults.

    Raises ``ConfigError`` for an unreadable file, a TOML syntax error or an invalid value.
    """
    path = path or default_config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as exc:
        raise ConfigError(path, None, None, f"cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, None, "not UTF-8 text") from exc
    return parse_config(text, path, check_keymap=check_keymap)

"""The rules behind ``tui.core.config``: which key of which section takes which checker, and errors
that name file, line and key.

Kept apart from the dataclasses so that ``tui/core/config.py`` reads as the list of settings; the
checkers themselves (what a region, a glob list, a number of seconds is) are ``tui.core.config_values``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from tui.core.config_values import (
    Checker,
    Invalid,
    boolean,
    calls_per_second,
    color,
    endpoint,
    glob_list,
    key_string,
    path_value,
    positive_number,
    regex_list,
    region,
    seconds,
    show,
    text,
    whole_number,
)
from tui.core.toml_lines import TomlLines


class ConfigError(Exception):
    """A problem in the config file; ``str()`` is one line: ``path:line: [section] key: message``."""

    def __init__(self, path: Path | None, line: int | None, key: str | None, message: str) -> None:
        self.path = path
        self.line = line
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = _display_path(self.path) if self.path else "config"
        if self.line is not None:
            where += f":{self.line}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


def _display_path(path: Path) -> str:
    text = str(path)
    home = str(Path.home())
    if home and home != "/" and (text == home or text.startswith(home + "/")):
        return "~" + text[len(home) :]
    return text


def load_text(text: str, path: Path | None) -> tuple[dict[str, Any], TomlLines]:
    """Parse TOML; a syntax error becomes a ``ConfigError`` at tomllib's line and column."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        if match:
            message = message[: match.start()].rstrip()
            raise ConfigError(
                path,
                int(match[1]),
                None,
                f"invalid TOML: {message} (column {match[2]})",
            ) from exc
        raise ConfigError(path, None, None, f"invalid TOML: {message}") from exc
    return data, TomlLines(text)


# --- sections -----------------------------------------------------------------------------------

SCHEMAS: dict[str, dict[str, Checker]] = {
    "general": {
        "read_only": boolean,
        "theme": text,
        "audit_log": path_value,
        "clock_24h": boolean,
        "utc": boolean,
        "cache": boolean,
        "insights_window": whole_number(1),
    },
    "polling": {
        "list_interval": seconds(1.0),
        "active_interval": seconds(1.0),
        "visible_interval": seconds(1.0),
        "idle_interval": seconds(1.0),
        "tps": positive_number,
        "burst": whole_number(1),
        "startup_burst": whole_number(1),
    },
    "pipelines": {"favourites": glob_list, "protected": glob_list, "hidden": glob_list},
    "logs": {
        "max_lines": whole_number(100),
        "error_patterns": regex_list,
        "timestamps": boolean,
        "wrap": boolean,
    },
    "notifications": {
        "toast": boolean,
        "bell": boolean,
        "desktop": boolean,
        "dedupe_window": seconds(0.0),
    },
}
# ``[events]``'s own keys; its ``[[events.targets]]`` entries are checked with EVENT_TARGET_SCHEMA.
EVENTS_SCHEMA: dict[str, Checker] = {
    "enabled": boolean,
    "sweep_interval": seconds(60.0),
    # What the safety sweep and the list may cost while events flow (CodePipeline calls/s).
    "sweep_calls_per_second": calls_per_second(0.01, 10.0),
    "queue_url": endpoint,
}
EVENT_TARGET_SCHEMA: dict[str, Checker] = {
    "region": region,
    "profile": text,
    "queue_url": endpoint,
    "queue_name": text,
    "rule_name": text,
    "managed": boolean,
}
TARGET_SCHEMA: dict[str, Checker] = {
    "region": region,
    "profile": text,
    "name": text,
    "color": color,
    "endpoint_url": endpoint,
}


def _unknown(name: str, known: Iterable[str], what: str) -> str:
    options = list(known)
    close = get_close_matches(name, options, n=1)
    hint = f"; did you mean {show(close[0])}?" if close else ""
    return f"unknown {what}{hint} (known: {', '.join(options)})"


def _check_table(
    table: Any,
    schema: Mapping[str, Checker],
    label: str,
    locate: Callable[[str | None], int | None],
    path: Path | None,
) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(path, locate(None), label, f"expected a table, got {show(table)}")
    values: dict[str, Any] = {}
    for key, value in table.items():
        checker = schema.get(key)
        if checker is None:
            raise ConfigError(path, locate(key), f"{label} {key}", _unknown(key, schema, "key"))
        try:
            values[key] = checker(value)
        except Invalid as exc:
            raise ConfigError(path, locate(key), f"{label} {key}", str(exc)) from exc
    return values


def check_section(name: str, table: Any, path: Path | None, lines: TomlLines) -> dict[str, Any]:
    """Validate one ``[name]`` table against ``SCHEMAS``; returns the converted values."""

    def locate(key: str | None) -> int | None:
        return lines.table(name) if key is None else lines.key(name, key)

    return _check_table(table, SCHEMAS[name], f"[{name}]", locate, path)


def check_keys(table: Any, known: Iterable[str], path: Path | None, lines: TomlLines) -> dict[str, str]:
    """Validate ``[keys]``: binding id -> key string, ids from ``known``."""
    schema = dict.fromkeys(known, key_string)

    def locate(key: str | None) -> int | None:
        return lines.table("keys") if key is None else lines.key("keys", key)

    try:
        return _check_table(table, schema, "[keys]", locate, path)
    except ConfigError as exc:
        if exc.message.startswith("unknown key"):
            exc.message = exc.message.replace("unknown key", "unknown binding id", 1)
            exc.args = (str(exc),)
        raise


def check_targets(value: Any, path: Path | None, lines: TomlLines) -> list[dict[str, Any]]:
    """Validate the ``[[targets]]`` array: known keys, a region in each, no duplicates."""
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ConfigError(
            path,
            lines.table("targets") or lines.table("targets", 0),
            "targets",
            "expected [[targets]] entries (an array of tables), each with a region",
        )
    return _check_entries(value, TARGET_SCHEMA, "targets", path, lines, _TARGET_NEEDS_REGION)


def check_events(
    table: Any, path: Path | None, lines: TomlLines
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate ``[events]`` and its ``[[events.targets]]`` (one per profile and region; an entry
    that is not cptui-managed needs a ``queue_url``). Returns (its keys, the entries)."""

    def locate(key: str | None) -> int | None:
        return lines.table("events") if key is None else lines.key("events", key)

    if not isinstance(table, dict):
        raise ConfigError(path, locate(None), "[events]", f"expected a table, got {show(table)}")
    own = {k: v for k, v in table.items() if k != "targets"}
    values = _check_table(own, EVENTS_SCHEMA, "[events]", locate, path)
    raw = table.get("targets", [])
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise ConfigError(
            path,
            lines.key("events", "targets") or lines.table("events.targets", 0),
            "[events] targets",
            "expected [[events.targets]] entries (an array of tables), each with a region",
        )
    entries = _check_entries(
        raw, EVENT_TARGET_SCHEMA, "events.targets", path, lines, _NEEDS_REGION, _queue_problem
    )
    return values, entries


_NEEDS_REGION = 'missing required key "region"'
_TARGET_NEEDS_REGION = _NEEDS_REGION + ' (e.g. region = "us-east-1")'


def _queue_problem(entry: dict[str, Any]) -> str | None:
    if not entry.get("managed") and "queue_url" not in entry:
        return "needs queue_url (a queue someone else manages) unless managed = true"
    return None


def _check_entries(
    tables: list[dict[str, Any]],
    schema: Mapping[str, Checker],
    section: str,
    path: Path | None,
    lines: TomlLines,
    missing_region: str,
    problem: Callable[[dict[str, Any]], str | None] = lambda _entry: None,
) -> list[dict[str, Any]]:
    """Each ``[[section]]`` entry checked against ``schema``: a region in each, no ``problem`` with
    it, and no two for the same profile and region. Returns the converted entries."""
    checked: list[dict[str, Any]] = []
    seen: dict[tuple[Any, Any], int] = {}
    for index, table in enumerate(tables):
        label = f"[[{section}]] #{index + 1}"

        def locate(key: str | None, index: int = index) -> int | None:
            if key is None:
                return lines.table(section, index)
            return lines.key(section, key, index)

        values = _check_table(table, schema, label, locate, path)
        if "region" not in values:
            raise ConfigError(path, locate(None), label, missing_region)
        complaint = problem(values)
        if complaint is not None:
            raise ConfigError(path, locate(None), label, complaint)
        identity = (values.get("profile"), values["region"])
        if identity in seen:
            raise ConfigError(
                path, locate(None), label, f"same profile and region as [[{section}]] #{seen[identity] + 1}"
            )
        seen[identity] = index
        checked.append(values)
    return checked

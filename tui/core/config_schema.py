"""The rules behind ``tui.core.config``: what each key accepts, and errors that name file, line and key.

Kept apart from the dataclasses so that ``tui/core/config.py`` reads as the list of settings.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from difflib import get_close_matches
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


class Invalid(ValueError):
    """Raised by a checker: the value is wrong; the message says what was expected."""


Checker = Callable[[Any], Any]


def _display_path(path: Path) -> str:
    text = str(path)
    home = str(Path.home())
    if home and home != "/" and (text == home or text.startswith(home + "/")):
        return "~" + text[len(home) :]
    return text


def show(value: Any) -> str:
    """A value as it looks in TOML, for "got ..." in messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return str(value)


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


# --- checkers -----------------------------------------------------------------------------------


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"expected true or false, got {show(value)}")


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"expected {what}, got {show(value)}")
    # TOML has nan and inf: neither is a rate or an interval (nan compares false with every bound,
    # so it would slip past "at least").
    if not math.isfinite(value):
        raise Invalid(f"expected {what}, got {show(value)} (it must be a finite number)")
    return float(value)


def seconds(minimum: float) -> Checker:
    def check(value: Any) -> float:
        number = _number(value, "a number of seconds")
        if number < minimum:
            raise Invalid(f"must be at least {minimum:g} seconds, got {show(value)}")
        return number

    return check


def calls_per_second(minimum: float, maximum: float) -> Checker:
    def check(value: Any) -> float:
        number = _number(value, "a number of calls per second")
        if not minimum <= number <= maximum:
            raise Invalid(f"must be between {minimum:g} and {maximum:g} calls per second, got {show(value)}")
        return number

    return check


def positive_number(value: Any) -> float:
    number = _number(value, "a number")
    if number <= 0:
        raise Invalid(f"must be greater than 0, got {show(value)}")
    return number


def whole_number(minimum: int) -> Checker:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"expected a whole number, got {show(value)}")
        if value < minimum:
            raise Invalid(f"must be at least {minimum}, got {value}")
        return value

    return check


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a string, got {show(value)}")
    if not value.strip():
        raise Invalid("must not be empty")
    return value


def path_value(value: Any) -> Path:
    return Path(text(value)).expanduser()


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"expected a list of strings, got {show(value)}")
    return value


def regex_list(value: Any) -> tuple[str, ...]:
    for pattern in _strings(value):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise Invalid(f"invalid regular expression {show(pattern)}: {exc}") from exc
    return tuple(value)


def glob_list(value: Any) -> tuple[str, ...]:
    for pattern in _strings(value):
        if not pattern.strip():
            raise Invalid("a glob must not be empty")
        # fnmatch reads an unclosed "[" as a literal, so "*-prod[" would silently match nothing
        # the user meant; reject it instead.
        if _unclosed_bracket(pattern):
            raise Invalid(f"invalid glob {show(pattern)}: unclosed '['")
    return tuple(value)


def _unclosed_bracket(pattern: str) -> bool:
    i = 0
    while i < len(pattern):
        if pattern[i] == "[":
            j = i + 1
            if j < len(pattern) and pattern[j] == "!":
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                j += 1
            j = pattern.find("]", j)
            if j < 0:
                return True
            i = j
        i += 1
    return False


_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def region(value: Any) -> str:
    name = text(value)
    if not _REGION.match(name):
        raise Invalid(f"expected a region like us-east-1, got {show(value)}")
    return name


def endpoint(value: Any) -> str:
    url = text(value)
    if not re.match(r"^https?://[^\s/]+", url):
        raise Invalid(f"expected an http:// or https:// URL, got {show(value)}")
    netloc = urlsplit(url).netloc.rsplit("@", 1)[-1]
    host, sep, port = netloc.rpartition(":") if not netloc.endswith("]") else (netloc, "", "")
    if sep:
        if not host:
            raise Invalid(f"the URL has no host, got {show(value)}")
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise Invalid(f"port {port or '(empty)'} is not a port number 1-65535, in {show(value)}")
    return url


def color(value: Any) -> str:
    from rich.color import Color, ColorParseError

    name = text(value)
    try:
        Color.parse(name)
    except ColorParseError as exc:
        raise Invalid(f'expected a colour name or #rrggbb (e.g. "red"), got {show(value)}') from exc
    return name


def key_string(value: Any) -> str:
    keys = text(value)
    parts = [k.strip() for k in keys.split(",")]
    if any(not k or " " in k for k in parts):
        raise Invalid(f'expected a key like "r", "ctrl+r" or "f5" (comma-separated), got {show(value)}')
    return ",".join(parts)


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
    checked: list[dict[str, Any]] = []
    seen: dict[tuple[Any, Any], int] = {}
    for index, table in enumerate(value):
        label = f"[[targets]] #{index + 1}"

        def locate(key: str | None, index: int = index) -> int | None:
            if key is None:
                return lines.table("targets", index)
            return lines.key("targets", key, index)

        values = _check_table(table, TARGET_SCHEMA, label, locate, path)
        if "region" not in values:
            raise ConfigError(
                path,
                locate(None),
                label,
                'missing required key "region" (e.g. region = "us-east-1")',
            )
        identity = (values.get("profile"), values["region"])
        if identity in seen:
            raise ConfigError(
                path,
                locate(None),
                label,
                f"same profile and region as [[targets]] #{seen[identity] + 1}",
            )
        seen[identity] = index
        checked.append(values)
    return checked


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
    entries: list[dict[str, Any]] = []
    seen: dict[tuple[Any, Any], int] = {}
    for index, entry in enumerate(raw):
        label = f"[[events.targets]] #{index + 1}"

        def locate_entry(key: str | None, index: int = index) -> int | None:
            if key is None:
                return lines.table("events.targets", index)
            return lines.key("events.targets", key, index)

        checked = _check_table(entry, EVENT_TARGET_SCHEMA, label, locate_entry, path)
        if "region" not in checked:
            raise ConfigError(path, locate_entry(None), label, 'missing required key "region"')
        if not checked.get("managed") and "queue_url" not in checked:
            raise ConfigError(
                path,
                locate_entry(None),
                label,
                "needs queue_url (a queue someone else manages) unless managed = true",
            )
        identity = (checked.get("profile"), checked["region"])
        if identity in seen:
            raise ConfigError(
                path,
                locate_entry(None),
                label,
                f"same profile and region as [[events.targets]] #{seen[identity] + 1}",
            )
        seen[identity] = index
        entries.append(checked)
    return values, entries

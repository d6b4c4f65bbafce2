"""What each config key accepts: one checker per kind of value (a number of seconds, a region, a
glob list, ...), raising ``Invalid`` with what was expected. ``tui.core.config_schema`` says which
key takes which checker and turns an ``Invalid`` into a ``ConfigError`` naming file, line and key.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class Invalid(ValueError):
    """Raised by a checker: the value is wrong; the message says what was expected."""


Checker = Callable[[Any], Any]


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

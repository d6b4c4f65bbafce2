"""Small readers shared by the converters: a member of a response dict, read defensively.

AWS omits optional members freely and adds enum values over time: each reader returns None (or an
empty value) for a member that is absent or of the wrong type. Only ``required`` raises
(``MalformedResponse``), for a member cptui cannot do without.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypedDict, TypeVar

from tui.core.model import ConditionKind, Status

Json = Mapping[str, Any]


T = TypeVar("T")


class MalformedResponse(ValueError):
    """A response lacks a member cptui cannot do without."""


def required(data: Json, key: str) -> Any:
    value = data.get(key)
    if value is None:
        raise MalformedResponse(f"response has no {key!r}")
    return value


def text(data: Json, key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def integer(data: Json, key: str) -> int | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def timestamp(data: Json, key: str) -> datetime | None:
    """Timestamps as aware UTC datetimes, whatever zone botocore's parser picked."""
    value = data.get(key)
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


def strings(data: Json, key: str) -> dict[str, str]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def dicts(data: Json, key: str) -> list[Json]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def member(data: Json, key: str) -> Json:
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def names(items: Iterable[Json]) -> tuple[str, ...]:
    return tuple(str(item["name"]) for item in items if item.get("name") is not None)


def named(items: Iterable[Json], key: str = "name") -> list[Json]:
    """The items that carry their ``key``: one without a name cannot be shown or addressed, and
    must not take the rest of the response down with it."""
    return [item for item in items if item.get(key)]


def status(value: object, default: Status = Status.IDLE) -> Status:
    return Status(value) if isinstance(value, str) and value else default


_CONDITION_KINDS = (
    ("beforeEntry", ConditionKind.BEFORE_ENTRY),
    ("onSuccess", ConditionKind.ON_SUCCESS),
    ("onFailure", ConditionKind.ON_FAILURE),
)


def condition_blocks(
    data: Json, suffix: str, read: Callable[[Json, ConditionKind], T]
) -> tuple[T | None, T | None, T | None]:
    """A stage's three condition members (``beforeEntry`` + ``suffix``, ``onSuccess`` ...,
    ``onFailure`` ...), each read with its kind; None where absent."""
    found = [data.get(key + suffix) for key, _ in _CONDITION_KINDS]
    before_entry, on_success, on_failure = (
        read(value, kind) if isinstance(value, Mapping) else None
        for value, (_, kind) in zip(found, _CONDITION_KINDS, strict=True)
    )
    return before_entry, on_success, on_failure


class Outcome(TypedDict):
    external_execution_id: str | None
    external_execution_url: str | None
    error_code: str | None
    error_message: str | None


def outcome(result: Json) -> Outcome:
    """What an action or rule run left: its external execution and its error, if any (the members
    of an ``executionResult`` or a state's ``latestExecution``)."""
    error = member(result, "errorDetails")
    return Outcome(
        external_execution_id=text(result, "externalExecutionId"),
        external_execution_url=text(result, "externalExecutionUrl"),
        error_code=text(error, "code"),
        error_message=text(error, "message"),
    )


def having(items: Any, *keys: str) -> list[Json]:
    """The items of a list that carry ``keys``: one odd item must not hide the whole list."""
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, Mapping) and all(i.get(k) for k in keys)]

"""Validate raw AWS JSON responses against botocore's own output shapes.

``attach(client)`` registers a ``before-parse`` hook on an aiobotocore client: every successful
JSON response body is walked against the operation's output shape (required members present, no
unknown members, enum strings, lists, maps, numbers, booleans, timestamps) and every error body
must carry ``__type`` and ``message``. A violation raises ``ShapeError`` naming the path of the
bad member, e.g. ``GetPipelineState: stageStates[2].actionStates[0].latestExecution.status``.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.model import OperationModel, Shape


class ShapeError(AssertionError):
    """A response that does not match botocore's model."""


def check(shape: Shape, value: Any, path: str = "") -> list[str]:
    """All violations of ``shape`` in ``value``, as ``path: problem`` strings."""
    errors: list[str] = []
    _walk(shape, value, path or "$", errors)
    return errors


def _walk(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected an object, got {type(value).__name__}")
            return
        members = shape.members
        for name in shape.required_members:
            if name not in value:
                errors.append(f"{path}.{name}: required member missing")
        for name, item in value.items():
            if name not in members:
                errors.append(f"{path}.{name}: not a member of {shape.name}")
                continue
            member = members[name]
            if member.serialization.get("eventstream"):
                continue
            _walk(member, item, f"{path}.{name}", errors)
    elif kind == "list":
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        for i, item in enumerate(value):
            _walk(shape.member, item, f"{path}[{i}]", errors)  # type: ignore[attr-defined]
    elif kind == "map":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map, got {type(value).__name__}")
            return
        for key, item in value.items():
            if not isinstance(key, str):
                errors.append(f"{path}: map key {key!r} is not a string")
            _walk(shape.value, item, f"{path}[{key!r}]", errors)  # type: ignore[attr-defined]
    elif kind == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: expected a string, got {type(value).__name__}")
        elif shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {shape.enum}")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{path}: expected an integer, got {value!r}")
    elif kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors.append(f"{path}: expected a number, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected a boolean, got {value!r}")
    elif kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors.append(f"{path}: expected epoch seconds, got {value!r}")
    elif kind == "blob" and not isinstance(value, str):
        errors.append(f"{path}: expected base64 text, got {type(value).__name__}")


def check_response(operation_model: OperationModel, response_dict: dict[str, Any]) -> None:
    """Raise ShapeError if a raw JSON response breaks the operation's model."""
    protocol = operation_model.service_model.protocol
    if protocol != "json" or operation_model.has_event_stream_output:
        return
    body = response_dict.get("body") or b"{}"
    name = operation_model.name
    data = json.loads(body)
    if response_dict["status_code"] >= 300:
        if not isinstance(data.get("__type"), str) or "message" not in data:
            raise ShapeError(f"{name}: error body without __type/message: {data!r}")
        return
    shape = operation_model.output_shape
    if shape is None:
        if data:
            raise ShapeError(f"{name}: expected an empty body, got {data!r}")
        return
    errors = check(shape, data, name)
    if errors:
        raise ShapeError("; ".join(errors[:20]))


def attach(client: Any) -> None:
    """Check every response this aiobotocore client receives."""

    def before_parse(operation_model: OperationModel, response_dict: dict[str, Any], **_: Any) -> None:
        check_response(operation_model, response_dict)

    client.meta.events.register("before-parse", before_parse)

"""Server-side input validation against botocore's own service models, worded as AWS words it.

AWS checks required members, lengths, ranges, enums and patterns of every input and answers
``ValidationException: 1 validation error detected: Value 'x' at 'reason' failed to satisfy
constraint: ...``. Clients such as the AWS CLI skip some of these checks, so the simulator repeats
them to behave like the real service (e.g. a transition's disable reason has a strict pattern).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from botocore.loaders import Loader

from tui.sim.errors import SimError

SERVICES = {
    "CodePipeline_20150709": "codepipeline",
    "CodeBuild_20161006": "codebuild",
    "Logs_20140328": "logs",
    "AmazonSQS": "sqs",
    "AWSEvents": "events",
}
# The error code each service uses for a request that breaks its input constraints.
ERROR_CODES = {
    "codepipeline": "ValidationException",
    "codebuild": "InvalidInputException",
    "logs": "InvalidParameterException",
    "sqs": "InvalidParameterValue",
    "events": "ValidationException",
}


@cache
def _model(service: str) -> dict[str, Any]:
    model: dict[str, Any] = Loader().load_service_model(service, "service-2")
    return model


def operations(service: str) -> set[str]:
    """Operation names the real service has."""
    return set(_model(service)["operations"])


@cache
def _pattern(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None  # a Java-only construct: skip rather than reject valid input


def validate(service: str, operation: str, params: dict[str, Any]) -> None:
    """Raise ValidationException if ``params`` break the operation's input constraints."""
    model = _model(service)
    op = model["operations"].get(operation)
    if op is None or "input" not in op:
        return
    errors: list[str] = []
    _check(model["shapes"], op["input"]["shape"], params, "", errors)
    if errors:
        n = len(errors)
        head = f"{n} validation error{'s' if n > 1 else ''} detected: "
        raise SimError(ERROR_CODES.get(service, "ValidationException"), head + "; ".join(errors))


def _check(shapes: dict[str, Any], name: str, value: Any, path: str, errors: list[str]) -> None:
    shape = shapes[name]
    kind = shape["type"]
    shown = repr(value) if not isinstance(value, str) else value
    shown = shown if len(shown) <= 200 else shown[:197] + "..."
    at = f"Value '{shown}' at '{path}' failed to satisfy constraint: "
    if kind == "structure":
        if not isinstance(value, dict):
            errors.append(at + "Member must be a structure")
            return
        for member in shape.get("required", []):
            if value.get(member) is None:
                sub = f"{path}.{member}" if path else member
                errors.append(f"Value null at '{sub}' failed to satisfy constraint: Member must not be null")
        for member, ref in shape.get("members", {}).items():
            if member in value and value[member] is not None:
                sub = f"{path}.{member}" if path else member
                _check(shapes, ref["shape"], value[member], sub, errors)
    elif kind == "list":
        if not isinstance(value, list):
            errors.append(at + "Member must be a list")
            return
        _range(shape, len(value), at + "Member must have length", errors)
        for i, item in enumerate(value):
            _check(shapes, shape["member"]["shape"], item, f"{path}.{i + 1}.member", errors)
    elif kind == "map":
        if not isinstance(value, dict):
            errors.append(at + "Member must be a map")
    elif kind == "string":
        if not isinstance(value, str):
            errors.append(at + "Member must be a string")
            return
        _range(shape, len(value), at + "Member must have length", errors)
        if "enum" in shape and value not in shape["enum"]:
            errors.append(at + f"Member must satisfy enum value set: [{', '.join(shape['enum'])}]")
        pattern = _pattern(shape["pattern"]) if "pattern" in shape else None
        if pattern is not None and value and pattern.fullmatch(value) is None:
            errors.append(at + f"Member must satisfy regular expression pattern: {shape['pattern']}")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(at + "Member must be a number")
            return
        _range(shape, value, at + "Member must have value", errors)
    elif kind == "boolean" and not isinstance(value, bool):
        errors.append(at + "Member must be a boolean")


def _range(shape: dict[str, Any], n: int, prefix: str, errors: list[str]) -> None:
    if "min" in shape and n < shape["min"]:
        errors.append(f"{prefix} greater than or equal to {shape['min']}")
    if "max" in shape and n > shape["max"]:
        errors.append(f"{prefix} less than or equal to {shape['max']}")

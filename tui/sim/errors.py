"""The one exception type handlers raise: an AWS error code, its message and HTTP status."""

from __future__ import annotations


class SimError(Exception):
    """An AWS-style error the server turns into ``{"__type": code, "message": message}``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def validation(message: str) -> SimError:
    """A ValidationException with AWS's usual wording prefix."""
    return SimError("ValidationException", message)


def pipeline_not_found(name: str, account: str) -> SimError:
    return SimError(
        "PipelineNotFoundException",
        f"Account '{account}' does not have a pipeline with name '{name}'",
    )

"""Domain errors: every botocore/aiohttp failure becomes one of these, with a message a person can act on.

The UI shows ``str(error)`` in a notice; ``kind`` lets the poller decide (back off on THROTTLED, stop
polling a target on CREDENTIALS, keep going elsewhere).
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class ErrorKind(str, Enum):
    THROTTLED = "throttled"
    CREDENTIALS = "credentials"  # expired or missing credentials / SSO session
    ACCESS_DENIED = "access_denied"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    STALE_APPROVAL = "stale_approval"  # token no longer valid
    APPROVAL_COMPLETED = "approval_completed"  # someone (maybe us) already answered it
    NOT_RETRYABLE = "not_retryable"
    VALIDATION = "validation"
    SERVICE = "service"  # 5xx, service unavailable
    NETWORK = "network"  # could not connect: nothing was sent
    OUTCOME_UNKNOWN = "outcome_unknown"  # sent, no answer: a mutation may or may not have happened
    UNSUPPORTED = "unsupported"  # the endpoint does not implement the operation (e.g. StartLiveTail)
    OTHER = "other"


class AwsError(Exception):
    """Base of every error the AWS layer raises to the layers above."""

    kind: ErrorKind = ErrorKind.OTHER

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        operation: str = "",
        request_id: str | None = None,
        missing_action: str | None = None,
        profile: str | None = None,
        endpoint: str | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.operation = operation
        self.request_id = request_id
        self.missing_action = missing_action
        self.profile = profile
        # Network failures: which endpoint (scheme://host:port) and why, in a few words.
        self.endpoint = endpoint
        self.reason = reason

    @property
    def retryable(self) -> bool:
        return self.kind in (ErrorKind.THROTTLED, ErrorKind.SERVICE, ErrorKind.NETWORK)


class Throttled(AwsError):
    kind = ErrorKind.THROTTLED


class CredentialsError(AwsError):
    kind = ErrorKind.CREDENTIALS


class AccessDenied(AwsError):
    kind = ErrorKind.ACCESS_DENIED


class NotFound(AwsError):
    kind = ErrorKind.NOT_FOUND


class Conflict(AwsError):
    kind = ErrorKind.CONFLICT


class StaleApprovalToken(AwsError):
    kind = ErrorKind.STALE_APPROVAL


class ApprovalAlreadyCompleted(AwsError):
    kind = ErrorKind.APPROVAL_COMPLETED


class NotRetryable(AwsError):
    kind = ErrorKind.NOT_RETRYABLE


class ValidationFailed(AwsError):
    kind = ErrorKind.VALIDATION


class InvalidDefinition(ValidationFailed):
    """CodePipeline refused a pipeline declaration (CreatePipeline / UpdatePipeline): ``code`` is
    AWS's exception (InvalidStructureException, InvalidStageDeclarationException,
    InvalidActionDeclarationException, InvalidBlockerDeclarationException, LimitExceededException)
    and ``aws_message`` its text, which names the stage / action / artifact at fault. Nothing was
    changed: the edit can be corrected and sent again."""

    def __init__(self, message: str, *, aws_message: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.aws_message = aws_message


class ConditionNotOverridable(NotRetryable):
    """OverrideStageCondition refused: the condition is not being checked (any more), uses the
    SKIP result, or the stage has none of that kind."""


class ServiceError(AwsError):
    kind = ErrorKind.SERVICE


class NetworkError(AwsError):
    kind = ErrorKind.NETWORK


class OutcomeUnknown(AwsError):
    kind = ErrorKind.OUTCOME_UNKNOWN


class Unsupported(AwsError):
    """The endpoint does not offer this operation: callers fall back (live tail -> GetLogEvents)."""

    kind = ErrorKind.UNSUPPORTED

"""botocore / aiohttp failures -> domain errors with a message a person can act on.

One function, ``map_error``. The service wraps every call with it, so the layers above only ever
see ``tui.aws.errors.AwsError``. The one subtle case: when a request was sent and no answer came
back, a mutation may or may not have happened, and saying "failed" would be a lie; those become
``OutcomeUnknown`` so the caller refreshes and shows the truth.
"""

from __future__ import annotations

import re
import socket
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from botocore.eventstream import ParserError as EventStreamParserError
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSLError,
    SSOError,
    TokenRetrievalError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.parsers import ResponseParserError

from tui.aws.errors import (
    AccessDenied,
    ApprovalAlreadyCompleted,
    AwsError,
    ConditionNotOverridable,
    Conflict,
    CredentialsError,
    InvalidDefinition,
    NetworkError,
    NotFound,
    NotRetryable,
    OutcomeUnknown,
    ServiceError,
    StaleApprovalToken,
    Throttled,
    Unsupported,
    ValidationFailed,
)
from tui.aws.iam import iam_action, pascal_operation
from tui.aws.session import is_sso_profile

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
    }
)
CREDENTIAL_CODES = frozenset(
    {
        "ExpiredTokenException",
        "ExpiredToken",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "RequestExpired",
    }
)
ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})
NOT_FOUND_CODES = frozenset(
    {
        "PipelineNotFoundException",
        "StageNotFoundException",
        "ActionNotFoundException",
        "PipelineExecutionNotFoundException",
        "ResourceNotFoundException",
        # SQS (its JSON protocol reports the Query code through x-amzn-query-error)
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
    }
)
CONFLICT_CODES = frozenset(
    {
        "ConflictException",
        "ConcurrentPipelineExecutionsLimitExceededException",
        "DuplicatedStopRequestException",
        "PipelineExecutionNotStoppableException",
        "ConcurrentModificationException",
        "PipelineNameInUseException",
        # SQS: a queue of this name was deleted less than 60 s ago
        "QueueDeletedRecently",
        "AWS.SimpleQueueService.QueueDeletedRecently",
        "QueueAlreadyExists",
        "QueueNameExists",
    }
)
NOT_RETRYABLE_CODES = frozenset(
    {
        "StageNotRetryableException",
        "NotLatestPipelineExecutionException",
        "PipelineExecutionOutdatedException",
        "UnableToRollbackStageException",
    }
)
VALIDATION_CODES = frozenset(
    {
        "ValidationException",
        "InvalidInputException",
        "InvalidNextTokenException",
        "InvalidOperationException",
        "SerializationException",
        "MissingParameter",
    }
)
SERVICE_CODES = frozenset(
    {
        "InternalFailure",
        "InternalFailureException",
        "InternalServerError",
        "InternalServerException",
        "InternalError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ServiceFailure",
        "ServiceFailureException",
        "ServiceException",
        "SessionStreamingException",
        "SessionTimeoutException",
    }
)
UNSUPPORTED_CODES = frozenset({"UnknownOperationException", "InvalidAction", "NotImplemented"})
# CreatePipeline / UpdatePipeline refusing the declaration, in the words cptui shows before AWS's.
DEFINITION_CODES = {
    "InvalidStructureException": "the pipeline's structure is not valid",
    "InvalidStageDeclarationException": "a stage declaration is not valid",
    "InvalidActionDeclarationException": "an action declaration is not valid",
    "InvalidBlockerDeclarationException": "a stage declares blockers, which AWS reserves",
    "LimitExceededException": "an AWS limit would be exceeded",
}

_VERBS = {
    "RetryStageExecution": "retry this stage",
    "RollbackStage": "roll back this stage",
    "StartPipelineExecution": "start an execution",
    "StopPipelineExecution": "stop this execution",
    "OverrideStageCondition": "override this condition",
}
_NOT_AUTHORIZED = re.compile(r"not authorized to perform:?\s*([A-Za-z0-9-]+:[A-Za-z0-9*]+)")
_CREDENTIAL_EXCEPTIONS: tuple[type[BaseException], ...] = (
    NoCredentialsError,
    PartialCredentialsError,
    TokenRetrievalError,
    CredentialRetrievalError,
    SSOError,  # SSOTokenLoadError, UnauthorizedSSOTokenError
    ProfileNotFound,
)
# Raised after the request went out: whatever it asked for may have happened.
_AFTER_SEND: tuple[type[BaseException], ...] = (
    ConnectionClosedError,
    HTTPClientError,  # ReadTimeoutError, ResponseStreamingError
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
    aiohttp.ServerTimeoutError,
    TimeoutError,  # asyncio.timeout and socket timeouts
)


def map_error(
    exc: BaseException, operation: str, *, mutation: bool, profile: str | None, service: str | None = None
) -> AwsError:
    """Translate any failure of one AWS call into the domain error the layers above understand.

    ``operation`` is the API operation (``PutApprovalResult``; snake_case is accepted);
    ``mutation`` says whether the call changes something, which decides between
    ``NetworkError`` and ``OutcomeUnknown`` when a request went out and no answer came back;
    ``profile`` is named in credential messages (None = the default chain); ``service`` (the
    botocore service name) makes the IAM action named in messages exact where operation names
    are shared (ListTagsForResource, TagResource).
    """
    op = pascal_operation(operation)
    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, ClientError):
        return _map_client_error(exc, op, mutation=mutation, profile=profile, service=service)
    if isinstance(exc, _CREDENTIAL_EXCEPTIONS):
        return _credentials(op, profile, detail=str(exc), code=type(exc).__name__)
    if isinstance(exc, ParamValidationError):
        return ValidationFailed(f"{op}: {exc}", code="ParamValidationError", operation=op)
    if isinstance(exc, NoRegionError):
        return ValidationFailed(
            f"{op}: no AWS region: pass --region or set AWS_REGION",
            code="NoRegionError",
            operation=op,
        )
    if _nothing_sent(exc):
        return _network_error(exc, op, f"cannot reach {_endpoint(exc)}: {_reason(exc)}")
    if isinstance(exc, (*_AFTER_SEND, EndpointConnectionError)):
        if mutation:
            return OutcomeUnknown(
                f"{op}: the request was sent but no answer came back ({_reason(exc)}) — "
                "outcome unknown — refreshing to show the truth",
                code=type(exc).__name__,
                operation=op,
            )
        return _network_error(exc, op, f"lost the connection to {_endpoint(exc)} during {op}: {_reason(exc)}")
    if isinstance(exc, ResponseParserError | EventStreamParserError):
        return AwsError(f"could not read the answer to {op}: {exc}", code="ResponseParserError", operation=op)
    if isinstance(exc, BotoCoreError | aiohttp.ClientError | OSError):
        return AwsError(f"{op} failed: {exc}", code=type(exc).__name__, operation=op)
    return AwsError(
        f"{op} failed unexpectedly: {type(exc).__name__}: {exc}",
        code=type(exc).__name__,
        operation=op,
    )


def _map_client_error(
    exc: ClientError, op: str, *, mutation: bool, profile: str | None, service: str | None = None
) -> AwsError:
    response: dict[str, Any] = exc.response or {}
    error = response.get("Error") or {}
    code = str(error.get("Code") or "")
    aws_message = str(error.get("Message") or error.get("message") or "").strip()
    meta = response.get("ResponseMetadata") or {}
    request_id = meta.get("RequestId")
    status = meta.get("HTTPStatusCode")
    common: dict[str, Any] = {"code": code, "operation": op, "request_id": request_id}
    said = f": {aws_message}" if aws_message else ""

    # Before throttling: for these two operations LimitExceededException is a structural limit
    # (stages, actions, pipelines), not a rate.
    if code in DEFINITION_CODES and op in ("CreatePipeline", "UpdatePipeline"):
        action = iam_action(op, service)
        return InvalidDefinition(
            f"{action} refused the definition — {DEFINITION_CODES[code]} ({code})"
            f"{': ' + aws_message.rstrip('.') if aws_message else ''}. "
            "Nothing was changed: correct it and send it again",
            aws_message=aws_message,
            **common,
        )
    if code in THROTTLING_CODES:
        if mutation:
            # Mutations are never retried behind the operator's back: say it did not happen.
            return Throttled(f"AWS is throttling {op}: it was not applied; try again in a moment", **common)
        return Throttled(f"AWS is throttling {op}; backing off and trying again shortly", **common)
    if code in CREDENTIAL_CODES:
        return _credentials(op, profile, detail=aws_message or code, code=code, request_id=request_id)
    if code in ACCESS_DENIED_CODES:
        match = _NOT_AUTHORIZED.search(aws_message)
        action = match.group(1) if match else iam_action(op, service)
        who = f"profile {profile}" if profile else "your credentials"
        return AccessDenied(
            f"access denied: {who} may not call {action} — ask for that permission in IAM",
            missing_action=action,
            profile=profile,
            **common,
        )
    if code == "ConditionNotOverridableException":
        return ConditionNotOverridable(
            f"cannot override this condition ({iam_action(op, service)}){said or ': ' + code}", **common
        )
    if code in NOT_FOUND_CODES:
        return NotFound(f"not found{said or ': ' + code}", **common)
    if code.endswith("QueueDeletedRecently"):
        return Conflict(
            f"{op}: a queue of this name was deleted less than 60 seconds ago; try again in a minute",
            **common,
        )
    if code in CONFLICT_CODES:
        return Conflict(f"{op} conflicts with the pipeline's current state{said}", **common)
    if code == "InvalidApprovalTokenException":
        return StaleApprovalToken("the approval changed since it was loaded; refreshed, look again", **common)
    if code == "ApprovalAlreadyCompletedException":
        return ApprovalAlreadyCompleted(
            "already approved or rejected — if your previous attempt timed out, it may have been yours",
            **common,
        )
    if code in NOT_RETRYABLE_CODES:
        verb = _VERBS.get(op, f"run {op}")
        return NotRetryable(f"cannot {verb}{said or ': ' + code}", **common)
    if code in UNSUPPORTED_CODES or (status == 404 and not code.endswith("NotFoundException")):
        return Unsupported(f"{op} is not supported by this endpoint{said}", **common)
    if code in VALIDATION_CODES or code.startswith("InvalidParameter"):
        return ValidationFailed(f"AWS rejected {op}{said or ': ' + code}", **common)
    if code in SERVICE_CODES or (isinstance(status, int) and status >= 500):
        retry = " (it may have been applied; refreshing)" if mutation else "; try again"
        return ServiceError(f"AWS had a problem with {op} ({code or status}){retry}", **common)
    if code.startswith("Invalid"):
        return ValidationFailed(f"AWS rejected {op} ({code}){said}", **common)
    return AwsError(f"{op} failed: {code or status}{said}", **common)


def _credentials(
    op: str, profile: str | None, *, detail: str, code: str, request_id: str | None = None
) -> CredentialsError:
    if profile and is_sso_profile(profile):
        fix = f"run `aws sso login --profile {profile}`"
    elif profile is None and is_sso_profile(None):
        fix = "run `aws sso login`"
    elif profile:
        fix = f"refresh your credentials for profile {profile}"
    else:
        fix = "refresh your AWS credentials (default profile)"
    return CredentialsError(
        f"AWS credentials are expired or missing ({detail}): {fix}",
        code=code,
        operation=op,
        request_id=request_id,
        profile=profile,
    )


def _network_error(exc: BaseException, op: str, message: str) -> NetworkError:
    """A failure to talk to the endpoint: which endpoint and why, in a few words."""
    return NetworkError(
        message, code=type(exc).__name__, operation=op, endpoint=_endpoint(exc), reason=short_reason(exc)
    )


def _nothing_sent(exc: BaseException) -> bool:
    """True when the failure happened before the request could reach the server."""
    if isinstance(exc, EndpointConnectionError):
        # aiobotocore also files resets of an open connection under EndpointConnectionError;
        # only a failed connect or name lookup proves nothing was sent.
        cause = getattr(exc, "kwargs", {}).get("error")
        return cause is None or isinstance(
            cause, aiohttp.ClientConnectorError | socket.gaierror | ConnectionRefusedError
        )
    return isinstance(
        exc,
        BotoConnectionError  # ConnectTimeoutError, SSLError, ProxyConnectionError
        | aiohttp.ClientConnectorError
        | ConnectionRefusedError
        | socket.gaierror,
    )


def _endpoint(exc: BaseException) -> str:
    """The endpoint as scheme://host[:port] (no path or query: it is named to a person)."""
    kwargs = getattr(exc, "kwargs", None)
    if isinstance(kwargs, dict) and kwargs.get("endpoint_url"):
        url = urlsplit(str(kwargs["endpoint_url"]))
        return f"{url.scheme}://{url.netloc}" if url.scheme and url.netloc else str(kwargs["endpoint_url"])
    host = getattr(exc, "host", None)
    if host:
        return f"{host}:{getattr(exc, 'port', '')}".rstrip(":")
    return "AWS"


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps (botocore's ``error`` kwarg, aiohttp's ``os_error``, __cause__)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 8:
        seen.append(current)
        kwargs = getattr(current, "kwargs", None)
        wrapped = kwargs.get("error") if isinstance(kwargs, dict) else None
        if not isinstance(wrapped, BaseException):
            wrapped = getattr(current, "os_error", None)
        if not isinstance(wrapped, BaseException):
            wrapped = current.__cause__ or current.__context__
        current = wrapped
    return seen


def short_reason(exc: BaseException) -> str:
    """Why a connection failed, in a few words ("connection refused", "host not found")."""
    for cause in _causes(exc):
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "host not found"
        if isinstance(cause, ConnectionResetError | ConnectionClosedError | aiohttp.ServerDisconnectedError):
            return "connection closed"
        if isinstance(
            cause, TimeoutError | aiohttp.ServerTimeoutError | ConnectTimeoutError | ReadTimeoutError
        ):
            return "timed out"
        if isinstance(cause, SSLError):
            return "TLS error"
    for cause in _causes(exc):
        errno = getattr(cause, "errno", None)
        if isinstance(errno, int) and getattr(cause, "strerror", None):
            return str(cause.strerror).lower()  # type: ignore[attr-defined]
    return type(exc).__name__


def _reason(exc: BaseException) -> str:
    kwargs = getattr(exc, "kwargs", None)
    cause = kwargs.get("error") if isinstance(kwargs, dict) else None
    text = str(cause or exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"

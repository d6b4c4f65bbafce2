"""botocore / aiohttp failures -> domain errors with a message a person can act on.

One function, ``map_error``. The service wraps every call with it, so the layers above only ever
see ``tui.aws.errors.AwsError``. This module reads what AWS answered (its error codes) and what
botocore refused before sending; a failure to talk to the endpoint at all is read by
``tui.aws.connection_errors``.
"""

from __future__ import annotations

import re
from typing import Any

import aiohttp
from botocore.eventstream import ParserError as EventStreamParserError
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)
from botocore.parsers import ResponseParserError

from tui.aws.connection_errors import connection_error
from tui.aws.errors import (
    AccessDenied,
    ApprovalAlreadyCompleted,
    AwsError,
    ConditionNotOverridable,
    Conflict,
    CredentialsError,
    InvalidDefinition,
    NotFound,
    NotRetryable,
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
    lost = connection_error(exc, op, mutation=mutation)
    if lost is not None:
        return lost
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

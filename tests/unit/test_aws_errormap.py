"""map_error: every botocore failure becomes the right domain error with an actionable message."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from tests.support.aws import client_error, isolate_aws_env
from tui.aws import errors
from tui.aws.errormap import iam_action, map_error, pascal_operation

SSO_CONFIG = """\
[profile prod-sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Deployer
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile legacy-sso]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = Reader

[profile keys]
region = us-east-1
"""


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return isolate_aws_env(monkeypatch, tmp_path, SSO_CONFIG)


def mapped(code: str, message: str = "", *, mutation: bool = False, **kw: object) -> errors.AwsError:
    operation = str(kw.pop("operation", "PutApprovalResult"))
    profile = kw.pop("profile", "keys")
    assert profile is None or isinstance(profile, str)
    status = kw.pop("status", 400)
    assert isinstance(status, int)
    exc = client_error(code, message, status=status, operation=operation)
    return map_error(exc, operation, mutation=mutation, profile=profile)


@pytest.mark.parametrize(
    "code",
    [
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",
    ],
)
def test_throttling_codes(code: str) -> None:
    error = mapped(code, "Rate exceeded", operation="ListPipelines")
    assert isinstance(error, errors.Throttled)
    assert error.kind is errors.ErrorKind.THROTTLED
    assert error.retryable
    assert "ListPipelines" in str(error)
    assert error.code == code


@pytest.mark.parametrize(
    "code",
    ["ExpiredTokenException", "ExpiredToken", "UnrecognizedClientException", "InvalidClientTokenId"],
)
def test_credential_codes_name_the_fix_for_a_key_profile(code: str) -> None:
    error = mapped(code, "The security token included in the request is expired", profile="keys")
    assert isinstance(error, errors.CredentialsError)
    assert "refresh your credentials for profile keys" in str(error)
    assert "sso" not in str(error)
    assert error.profile == "keys"


@pytest.mark.parametrize("profile", ["prod-sso", "legacy-sso"])
def test_credential_error_on_sso_profile_says_sso_login(profile: str) -> None:
    error = mapped("ExpiredTokenException", "expired", profile=profile)
    assert isinstance(error, errors.CredentialsError)
    assert f"aws sso login --profile {profile}" in str(error)


def test_credential_error_on_default_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    error = mapped("ExpiredTokenException", "expired", profile=None)
    assert isinstance(error, errors.CredentialsError)
    assert "refresh your AWS credentials" in str(error)
    # The default chain follows AWS_PROFILE, so an SSO profile there gets the SSO fix.
    monkeypatch.setenv("AWS_PROFILE", "prod-sso")
    error = mapped("ExpiredTokenException", "expired", profile=None)
    assert "aws sso login" in str(error)


@pytest.mark.parametrize(
    "exc",
    [
        NoCredentialsError(),
        TokenRetrievalError(provider="sso", error_msg="token expired"),
        SSOTokenLoadError(error_msg="no cached token"),
        UnauthorizedSSOTokenError(),
        CredentialRetrievalError(provider="process", error_msg="exit 1"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_botocore_credential_exceptions(exc: Exception) -> None:
    error = map_error(exc, "ListPipelines", mutation=False, profile="prod-sso")
    assert isinstance(error, errors.CredentialsError)
    assert "aws sso login --profile prod-sso" in str(error)
    assert error.code == type(exc).__name__


@pytest.mark.parametrize("code", ["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"])
def test_access_denied_parses_the_missing_action(code: str) -> None:
    message = (
        "User: arn:aws:sts::111122223333:assumed-role/Reader/ana is not authorized to perform: "
        "codepipeline:PutApprovalResult on resource: arn:aws:codepipeline:eu-west-1:"
        "111122223333:web/Approve/Manual because no identity-based policy allows the "
        "codepipeline:PutApprovalResult action"
    )
    error = mapped(code, message, profile="keys")
    assert isinstance(error, errors.AccessDenied)
    assert error.missing_action == "codepipeline:PutApprovalResult"
    assert "codepipeline:PutApprovalResult" in str(error)
    assert "profile keys" in str(error)


def test_access_denied_without_a_parsable_message_derives_the_action() -> None:
    error = mapped("AccessDeniedException", "Access denied", operation="RetryStageExecution")
    assert isinstance(error, errors.AccessDenied)
    assert error.missing_action == "codepipeline:RetryStageExecution"
    logs = mapped("AccessDeniedException", "", operation="GetLogEvents")
    assert logs.missing_action == "logs:GetLogEvents"
    builds = mapped("AccessDeniedException", "", operation="BatchGetBuilds")
    assert builds.missing_action == "codebuild:BatchGetBuilds"


@pytest.mark.parametrize(
    "code",
    [
        "PipelineNotFoundException",
        "StageNotFoundException",
        "ActionNotFoundException",
        "PipelineExecutionNotFoundException",
        "ResourceNotFoundException",
    ],
)
def test_not_found_codes(code: str) -> None:
    error = mapped(code, "Account '1' does not have a pipeline with name 'web'")
    assert isinstance(error, errors.NotFound)
    assert "does not have a pipeline with name 'web'" in str(error)


@pytest.mark.parametrize(
    "code",
    [
        "ConflictException",
        "ConcurrentPipelineExecutionsLimitExceededException",
        "DuplicatedStopRequestException",
        "PipelineExecutionNotStoppableException",
        "ConcurrentModificationException",
    ],
)
def test_conflict_codes(code: str) -> None:
    error = mapped(code, "Execution is already stopping", operation="StopPipelineExecution")
    assert isinstance(error, errors.Conflict)
    assert "Execution is already stopping" in str(error)


def test_stale_approval_token() -> None:
    error = mapped("InvalidApprovalTokenException", "The token is not valid", mutation=True)
    assert isinstance(error, errors.StaleApprovalToken)
    assert str(error) == "the approval changed since it was loaded; refreshed, look again"


def test_approval_already_completed() -> None:
    error = mapped("ApprovalAlreadyCompletedException", "already completed", mutation=True)
    assert isinstance(error, errors.ApprovalAlreadyCompleted)
    assert "already approved or rejected" in str(error)
    assert "it may have been yours" in str(error)


@pytest.mark.parametrize(
    "code",
    [
        "StageNotRetryableException",
        "NotLatestPipelineExecutionException",
        "PipelineExecutionOutdatedException",
        "UnableToRollbackStageException",
    ],
)
def test_not_retryable_keeps_aws_reason(code: str) -> None:
    reason = "The stage has succeeded and cannot be retried"
    error = mapped(code, reason, operation="RetryStageExecution", mutation=True)
    assert isinstance(error, errors.NotRetryable)
    assert str(error) == f"cannot retry this stage: {reason}"


@pytest.mark.parametrize(
    "code", ["ValidationException", "InvalidParameterException", "InvalidParameterValue"]
)
def test_validation_codes(code: str) -> None:
    error = mapped(code, "1 validation error detected: reason", operation="DisableStageTransition")
    assert isinstance(error, errors.ValidationFailed)
    assert "1 validation error detected" in str(error)


@pytest.mark.parametrize(
    ("code", "status"),
    [("InternalFailure", 500), ("ServiceUnavailable", 503), ("SomethingNew", 502)],
)
def test_server_errors(code: str, status: int) -> None:
    error = mapped(code, "", status=status, operation="GetPipelineState")
    assert isinstance(error, errors.ServiceError)
    assert error.retryable
    assert "GetPipelineState" in str(error)


def test_request_id_is_kept() -> None:
    error = mapped("ThrottlingException", "Rate exceeded")
    assert error.request_id == "req-0001"
    assert error.operation == "PutApprovalResult"


def test_unknown_operation_is_unsupported() -> None:
    error = mapped("UnknownOperationException", "", operation="StartLiveTail")
    assert isinstance(error, errors.Unsupported)


def test_unknown_client_code_stays_an_aws_error_with_its_code() -> None:
    error = mapped("BrandNewException", "something new", operation="GetPipeline")
    assert type(error) is errors.AwsError
    assert "BrandNewException" in str(error) and "something new" in str(error)


def test_connection_refused_is_network_error_even_for_a_mutation() -> None:
    cause = ConnectionRefusedError(111, "Connection refused")
    exc = EndpointConnectionError(endpoint_url="http://127.0.0.1:9", error=cause)
    error = map_error(exc, "PutApprovalResult", mutation=True, profile=None)
    assert isinstance(error, errors.NetworkError)
    assert "cannot reach http://127.0.0.1:9" in str(error)


def test_connect_timeout_is_network_error() -> None:
    exc = ConnectTimeoutError(endpoint_url="https://codepipeline.eu-west-1.amazonaws.com/")
    error = map_error(exc, "StopPipelineExecution", mutation=True, profile=None)
    assert isinstance(error, errors.NetworkError)


@pytest.mark.parametrize(
    "exc",
    [
        ReadTimeoutError(endpoint_url="http://127.0.0.1:9/", error="timed out"),
        ConnectionClosedError(endpoint_url="http://127.0.0.1:9/"),
        aiohttp.ServerDisconnectedError(),
        aiohttp.ClientPayloadError("Response payload is not completed"),
        TimeoutError(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_after_send_failures_depend_on_mutation(exc: Exception) -> None:
    unknown = map_error(exc, "PutApprovalResult", mutation=True, profile=None)
    assert isinstance(unknown, errors.OutcomeUnknown)
    assert "outcome unknown — refreshing to show the truth" in str(unknown)
    assert not unknown.retryable
    read = map_error(exc, "GetPipelineState", mutation=False, profile=None)
    assert isinstance(read, errors.NetworkError)


def test_param_validation_is_validation_failed() -> None:
    exc = ParamValidationError(report="Invalid length for parameter reason, value: 0")
    error = map_error(exc, "DisableStageTransition", mutation=True, profile=None)
    assert isinstance(error, errors.ValidationFailed)


def test_an_aws_error_passes_through_unchanged() -> None:
    original = errors.Conflict("busy")
    assert map_error(original, "X", mutation=False, profile=None) is original


def test_operation_name_helpers() -> None:
    assert pascal_operation("put_approval_result") == "PutApprovalResult"
    assert pascal_operation("GetPipelineState") == "GetPipelineState"
    assert iam_action("start_live_tail") == "logs:StartLiveTail"
    assert iam_action("GetCallerIdentity") == "sts:GetCallerIdentity"


def test_access_denied_reads_as_a_sentence() -> None:
    """Issue 11, 5.1: "your credentials may not codepipeline:PutApprovalResult" lacked its verb."""
    error = mapped("AccessDeniedException", "", operation="PutApprovalResult", profile=None)
    assert str(error).startswith(
        "access denied: your credentials may not call codepipeline:PutApprovalResult — "
    )
    named = mapped("AccessDeniedException", "", operation="PutApprovalResult", profile="ops")
    assert "profile ops may not call codepipeline:PutApprovalResult" in str(named)


@pytest.mark.parametrize(
    ("cause", "reason"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
        (socket.gaierror(-2, "Name or service not known"), "host not found"),
        (TimeoutError(), "timed out"),
        (ConnectionResetError(104, "Connection reset by peer"), "connection closed"),
    ],
    ids=["refused", "no-such-host", "timeout", "reset"],
)
def test_a_network_error_names_the_endpoint_and_why(cause: BaseException, reason: str) -> None:
    """Issue 11, 5.10: the stale banner names the URL and the reason, not just "endpoint"."""
    exc = EndpointConnectionError(endpoint_url="http://127.0.0.1:1234/?Action=x", error=cause)
    error = map_error(exc, "GetPipelineState", mutation=False, profile=None)
    assert isinstance(error, errors.NetworkError)
    assert (error.endpoint, error.reason) == ("http://127.0.0.1:1234", reason)


# --- push mode: SQS and EventBridge ----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("AWS.SimpleQueueService.NonExistentQueue", errors.NotFound),
        ("QueueDoesNotExist", errors.NotFound),
        ("AWS.SimpleQueueService.QueueDeletedRecently", errors.Conflict),
        ("ResourceNotFoundException", errors.NotFound),
    ],
)
def test_sqs_and_events_codes(code: str, kind: type[errors.AwsError]) -> None:
    error = map_error(
        client_error(code, operation="GetQueueUrl"), "GetQueueUrl", mutation=False, profile=None
    )
    assert isinstance(error, kind)
    if kind is errors.Conflict:
        assert "60 seconds" in str(error)


@pytest.mark.parametrize(
    ("operation", "action"),
    [
        ("ReceiveMessage", "sqs:ReceiveMessage"),
        ("DeleteMessageBatch", "sqs:DeleteMessage"),
        ("ChangeMessageVisibility", "sqs:ChangeMessageVisibility"),
        ("CreateQueue", "sqs:CreateQueue"),
        ("PutRule", "events:PutRule"),
        ("ListTargetsByRule", "events:ListTargetsByRule"),
    ],
)
def test_denied_push_mode_calls_name_their_iam_action(operation: str, action: str) -> None:
    assert iam_action(operation) == action
    error = map_error(
        client_error("AccessDenied", operation=operation), operation, mutation=False, profile=None
    )
    assert isinstance(error, errors.AccessDenied) and error.missing_action == action
    assert action in str(error)

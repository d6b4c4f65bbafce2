"""An ``AwsError`` as the one line a banner or a panel shows: what is wrong and what fixes it.

The poller's stale banner and every screen that shows a failed read use the same wording:
- a denied call names the IAM action it needs (``access denied: missing codebuild:BatchGetBuilds``);
- a credentials problem names the command that fixes it: ``aws sso login --profile X`` for an IAM
  Identity Center profile, ``aws configure`` when there are none, a refresh hint otherwise;
- anything else is the error's own message.
Always sanitized (``tui.core.sanitize.clean``): messages quote AWS text. No Textual here.
"""

from __future__ import annotations

from tui.aws.errors import AwsError, ErrorKind
from tui.aws.iam import iam_action
from tui.aws.session import default_profile_name, is_sso_profile
from tui.core.sanitize import clean

# botocore exceptions meaning "there are no credentials at all" (rather than "they expired").
_MISSING_CODES = frozenset({"NoCredentialsError", "PartialCredentialsError", "ProfileNotFound"})


def missing_permission(error: AwsError, operation: str = "") -> str:
    """The IAM action a denied call needed, e.g. ``codepipeline:GetPipelineExecution``."""
    op = error.operation or operation
    return clean(error.missing_action or (iam_action(op) if op else "permission"))


def credentials_text(profile: str | None, *, missing: bool = False) -> str:
    """What to run when the credentials of ``profile`` (None: the default chain) do not work."""
    name = clean(profile or default_profile_name() or "")
    if is_sso_profile(profile):
        login = f"aws sso login --profile {name}" if name else "aws sso login"
        return f"{'not logged in' if missing else 'credentials expired'} — run: {login}"
    if missing:
        if name:
            return f"no AWS credentials for profile {name} — run: aws configure --profile {name}"
        return "no AWS credentials found — run: aws configure, or set AWS_PROFILE"
    if name:
        return f"credentials expired — refresh the credentials of profile {name}"
    return "credentials expired — refresh your AWS credentials (or set AWS_PROFILE)"


def error_text(error: BaseException, *, profile: str | None = None, max_len: int = 300) -> str:
    """One sanitized line for a failed call; ``profile`` is the target's, for credential hints."""
    if isinstance(error, AwsError):
        if error.kind is ErrorKind.ACCESS_DENIED and (error.missing_action or error.operation):
            return f"access denied: missing {missing_permission(error)}"
        if error.kind is ErrorKind.CREDENTIALS:
            return credentials_text(error.profile or profile, missing=error.code in _MISSING_CODES)
    return clean(str(error), max_len=max_len) or type(error).__name__

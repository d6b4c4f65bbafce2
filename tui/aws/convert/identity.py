"""STS: GetCallerIdentity, the account and principal behind a target's credentials."""

from __future__ import annotations

from tui.aws.convert.readers import Json, required
from tui.core.model import Identity


def identity(response: Json) -> Identity:
    """GetCallerIdentity's response."""
    arn = str(response.get("Arn") or "")
    # arn:aws:sts::123456789012:assumed-role/...: the account is the ARN's fifth field.
    from_arn = arn.split(":")[4] if arn.count(":") >= 5 else ""
    return Identity(
        account=str(response.get("Account") or from_arn or required(response, "Account")),
        arn=str(response.get("Arn") or ""),
        user_id=str(response.get("UserId") or ""),
    )

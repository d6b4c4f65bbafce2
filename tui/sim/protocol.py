"""Wire-level pieces shared by the handlers: who is calling, and AWS's JSON/XML encodings.

Identity comes from the SigV4 ``Authorization`` header, as AWS derives it from credentials: an
access key id like ``AKID210987654321...`` or ``sim210987654321...`` selects account
210987654321, anything else is account 123456789012; the credential scope names the region.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from tui.sim.scenarios import DEFAULT_ACCOUNT
from tui.sim.world.world import World

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/([\w+=,.@/-]{1,512})$")
# Account aliases (iam:ListAccountAliases). Most accounts have none, as in the demo's main account.
ACCOUNT_ALIASES = {"210987654321": "acme-shared"}
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
_ACCOUNT_KEY = re.compile(r"^(?:AKID|sim)(\d{12})")
CALLER_ROLE = "cptui-operator"
CALLER_SESSION = "cptui"


@dataclass(frozen=True)
class Caller:
    """Who sent a request, and where it is addressed."""

    account: str
    region: str
    access_key: str

    @property
    def arn(self) -> str:
        return f"arn:aws:sts::{self.account}:assumed-role/{CALLER_ROLE}/{CALLER_SESSION}"

    @property
    def user_id(self) -> str:
        return f"AROA{self.account[:8]}EXAMPLE:{CALLER_SESSION}"


@dataclass
class Ctx:
    """What a handler gets besides the request's parameters."""

    caller: Caller
    world: World
    request_id: str
    endpoint: str = ""  # scheme://host:port the request came to (queue URLs are built on it)


def caller_from(authorization: str | None, default_region: str = "us-east-1") -> Caller:
    """Parse the SigV4 Authorization header (unsigned requests get the defaults)."""
    match = _CREDENTIAL.search(authorization or "")
    if match is None:
        return Caller(DEFAULT_ACCOUNT, default_region, "")
    key, region = match.group(1), match.group(2)
    account = _ACCOUNT_KEY.match(key)
    return Caller(account.group(1) if account else DEFAULT_ACCOUNT, region, key)


def json_body(data: dict[str, Any]) -> bytes:
    """A JSON 1.1 body; timestamps are already epoch-second floats."""
    return json.dumps(data, separators=(",", ":")).encode()


def json_error(code: str, message: str) -> bytes:
    return json_body({"__type": code, "message": message})


# STS's query protocol uses different codes for the same conditions.
_STS_CODES = {
    "ThrottlingException": "Throttling",
    "ExpiredTokenException": "ExpiredToken",
    "AccessDeniedException": "AccessDenied",
}


def sts_error(code: str, message: str, request_id: str) -> bytes:
    code = _STS_CODES.get(code, code)
    kind = "Receiver" if code in ("InternalFailure", "ServiceUnavailable") else "Sender"
    return (
        f'<ErrorResponse xmlns="{STS_NAMESPACE}"><Error><Type>{kind}</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    ).encode()


def sts_caller_identity(caller: Caller, request_id: str) -> bytes:
    return (
        f'<GetCallerIdentityResponse xmlns="{STS_NAMESPACE}">'
        "<GetCallerIdentityResult>"
        f"<Arn>{escape(caller.arn)}</Arn><UserId>{escape(caller.user_id)}</UserId>"
        f"<Account>{caller.account}</Account>"
        "</GetCallerIdentityResult>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        "</GetCallerIdentityResponse>"
    ).encode()


class StsInvalid(ValueError):
    """A query parameter STS would reject (answered as ValidationError, 400)."""


def sts_assume_role(form: dict[str, list[str]], request_id: str, now: datetime) -> bytes:
    """AssumeRole: temporary credentials whose access key id names the role's account
    (``AKID<account>...``), so the caller that uses them is that account, as with AWS."""
    arn = (form.get("RoleArn") or [""])[0]
    session = (form.get("RoleSessionName") or [""])[0]
    match = _ROLE_ARN.match(arn)
    if match is None:
        raise StsInvalid(f"{arn!r} is not a valid role ARN")
    if not re.fullmatch(r"[\w+=,.@-]{2,64}", session):
        raise StsInvalid("RoleSessionName must be 2 to 64 characters of [\\w+=,.@-]")
    account, role = match.group(1), match.group(2).rsplit("/", 1)[-1]
    # Expiration is checked by the SDK against the real clock, not the simulated one.
    expires = (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    role_id = f"AROA{account[:8]}ROLE"
    return (
        f'<AssumeRoleResponse xmlns="{STS_NAMESPACE}"><AssumeRoleResult>'
        f"<Credentials><AccessKeyId>AKID{account}ROLE</AccessKeyId>"
        f"<SecretAccessKey>simulated-secret</SecretAccessKey>"
        f"<SessionToken>simulated-session-token</SessionToken>"
        f"<Expiration>{expires}</Expiration></Credentials>"
        f"<AssumedRoleUser><AssumedRoleId>{role_id}:{escape(session)}</AssumedRoleId>"
        f"<Arn>arn:aws:sts::{account}:assumed-role/{escape(role)}/{escape(session)}</Arn></AssumedRoleUser>"
        "</AssumeRoleResult>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        "</AssumeRoleResponse>"
    ).encode()


def iam_account_aliases(caller: Caller, request_id: str) -> bytes:
    """ListAccountAliases: the caller's account alias, if it has one."""
    alias = ACCOUNT_ALIASES.get(caller.account)
    members = f"<member>{escape(alias)}</member>" if alias else ""
    return (
        f'<ListAccountAliasesResponse xmlns="{IAM_NAMESPACE}"><ListAccountAliasesResult>'
        f"<AccountAliases>{members}</AccountAliases><IsTruncated>false</IsTruncated>"
        "</ListAccountAliasesResult>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        "</ListAccountAliasesResponse>"
    ).encode()

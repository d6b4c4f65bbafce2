"""The checks ``cptui serve`` makes, as plain functions (no web framework, unit-tested on their own).

- Every request carries the token: in the query (``/?token=...``, the printed URL) or as the path
  segment the server puts in the page's own URLs (``/ws/<token>``, ``/static/<token>/...``).
- A request whose ``Origin`` header is present and not the served site is refused: another web page
  open in the same browser must not be able to drive the dashboard (cross-site websocket hijacking).
- The spawned app gets an allow-listed environment, never the server's whole one.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from tui.core.audit import SERVE_CLIENT_ENV
from tui.core.sanitize import clean

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits
MIN_TOKEN_LENGTH = 16
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~-]+")  # URL-safe without escaping, in a query or a path

# Copied as they are: what a process needs to run and to find its own files.
_PLAIN = frozenset(
    {"PATH", "HOME", "TERM", "LANG", "LANGUAGE", "TZ", "TMPDIR", "USER", "LOGNAME", "PYTHONPATH"}
)
_PREFIXES = ("LC_", "XDG_", "CPTUI_")
# AWS settings that locate the profile's files and endpoints, and the credential providers the
# profile itself may name (web identity, container). None of them is a secret key.
_AWS_SETTINGS = frozenset(
    {
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_CA_BUNDLE",
        "AWS_STS_REGIONAL_ENDPOINTS",
        "AWS_USE_FIPS_ENDPOINT",
        "AWS_USE_DUALSTACK_ENDPOINT",
        "AWS_RETRY_MODE",
        "AWS_MAX_ATTEMPTS",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME",
        "AWS_EC2_METADATA_DISABLED",
        "AWS_METADATA_SERVICE_TIMEOUT",
        "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
    }
)
_AWS_SETTING_PREFIXES = ("AWS_ENDPOINT_URL", "AWS_CONTAINER_", "AWS_EC2_METADATA_")
# The default credential chain: keys in the environment and the profile name. Only passed when no
# --profile is given (botocore ignores them for an explicitly named profile anyway).
_AWS_DEFAULT_CHAIN = frozenset(
    {
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
    }
)


class TokenError(ValueError):
    """A --token-file that cannot be used (message for the command line)."""


def new_token() -> str:
    """A fresh random token for one server run."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def valid_token(token: str) -> str:
    """``token`` if it is long enough and URL-safe, else ``TokenError`` saying why."""
    if len(token) < MIN_TOKEN_LENGTH:
        raise TokenError(f"the token must be at least {MIN_TOKEN_LENGTH} characters (has {len(token)})")
    if not _TOKEN_CHARS.fullmatch(token):
        raise TokenError("the token may only hold letters, digits and . _ ~ - (it goes into URLs)")
    return token


def read_token_file(path: Path) -> str:
    """The token in ``path`` (its first line, surrounding blanks removed)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenError(f"cannot read {path}: {exc}") from exc
    lines = text.strip().splitlines()
    return valid_token(lines[0].strip() if lines else "")


def token_matches(given: str | None, expected: str) -> bool:
    """Whether ``given`` is the token (compared in constant time)."""
    if not given:
        return False
    return secrets.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, default ports dropped (as browsers send it)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or (scheme, port) in {("http", 80), ("https", 443)}:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def allowed_origins(public_url: str, host: str, port: int) -> frozenset[str]:
    """The Origins a page of this server may have: its public URL's, and when it listens on loopback,
    the loopback names of the same port (the printed URL may be opened as localhost)."""
    origins = {origin_of(public_url)}
    if is_loopback(host):
        for name in ("127.0.0.1", "localhost", "[::1]"):
            origins.add(origin_of(f"http://{name}:{port}"))
    return frozenset(origins)


def origin_allowed(origin: str | None, allowed: Collection[str]) -> bool:
    """No ``Origin`` header (curl, a top-level navigation) is fine; a present one must be ours.
    ``Origin: null`` (sandboxed frames, file: pages) is not ours."""
    if origin is None:
        return True
    try:
        return origin_of(origin.strip()) in allowed
    except ValueError:
        return False


def refusal(*, token: str | None, expected: str, origin: str | None, allowed: Collection[str]) -> str | None:
    """Why a request is refused (for the server's log), or None when it may go on."""
    if token is None:
        return "no token"
    if not token_matches(token, expected):
        return "wrong token"
    if not origin_allowed(origin, allowed):
        return f"Origin {clean(origin, max_len=100)} is not this server"
    return None


def redacted(path_qs: str, token: str) -> str:
    """A request's path and query with the token replaced, for the log."""
    return path_qs.replace(token, "<token>") if token else path_qs


def child_environment(
    environ: Mapping[str, str],
    *,
    profiles: Iterable[str] = (),
    demo: bool = False,
    client: str | None = None,
) -> dict[str, str]:
    """The environment a served app runs with: an allow-list of ``environ``.

    Kept: PATH, HOME, TERM, LANG, LC_*, TZ, TMPDIR, XDG_*, CPTUI_*; of AWS_*, the settings that
    locate the chosen profile and its endpoints; the default chain's keys and AWS_PROFILE only when
    no ``--profile`` is named; no AWS_* at all for ``--demo`` (it talks to its own simulator).
    Everything else (other services' tokens, SSH agent, ...) is dropped. ``client`` (the browser's
    address) goes in ``CPTUI_SERVE_CLIENT`` for the audit log; an inherited one is never kept."""
    named = [p for p in profiles if p]
    env: dict[str, str] = {}
    for key, value in environ.items():
        if key == SERVE_CLIENT_ENV:
            continue
        if key in _PLAIN or key.startswith(_PREFIXES):
            env[key] = value
        elif key.startswith("AWS_") and not demo:
            setting = key in _AWS_SETTINGS or key.startswith(_AWS_SETTING_PREFIXES)
            if setting or (key in _AWS_DEFAULT_CHAIN and not named):
                env[key] = value
    if client is not None:
        env[SERVE_CLIENT_ENV] = client
    return env


def client_label(remote: str | None, forwarded_for: str | None = None) -> str:
    """Who is at the other end of a websocket, for the audit log: the peer's address, and what a
    reverse proxy says it forwarded for (a claim, recorded as such: anyone can send that header)."""
    label = clean(remote or "unknown address", max_len=64)
    if forwarded_for and forwarded_for.strip():
        label += f" (X-Forwarded-For: {clean(forwarded_for.strip(), max_len=200)})"
    return label

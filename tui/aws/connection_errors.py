"""Failures to talk to the endpoint -> ``NetworkError`` or ``OutcomeUnknown``, naming the endpoint
and why in a few words ("connection refused", "host not found", "timed out").

The one subtle case: when a request was sent and no answer came back, a mutation may or may not have
happened, and saying "failed" would be a lie; those become ``OutcomeUnknown`` so the caller refreshes
and shows the truth. ``tui.aws.errormap.map_error`` asks here first for what is not an AWS answer.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import aiohttp
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
    SSLError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from tui.aws.errors import AwsError, NetworkError, OutcomeUnknown

# Raised after the request went out: whatever it asked for may have happened.
_AFTER_SEND: tuple[type[BaseException], ...] = (
    ConnectionClosedError,
    HTTPClientError,  # ReadTimeoutError, ResponseStreamingError
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
    aiohttp.ServerTimeoutError,
    TimeoutError,  # asyncio.timeout and socket timeouts
)


def connection_error(exc: BaseException, op: str, *, mutation: bool) -> AwsError | None:
    """The domain error for a failure to reach the endpoint or to hear back from it (None: ``exc``
    is not one). ``mutation``: whether the call changes something (then an unanswered request is
    ``OutcomeUnknown``)."""
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
    return None


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

"""Helpers for the AWS-layer tests: an isolated AWS environment, real ClientErrors, a call recorder.

Plain functions and classes (no fixtures), so they cannot clash with conftest.py; each test module
wraps what it needs in its own fixture.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tui.core.model import Target

AWS_ENV_VARS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)
DEMO_CREDENTIALS = ("AKID123456789012", "demo", None)


def isolate_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, config: str = "") -> Path:
    """Point botocore at empty (or given) config files under ``tmp_path``; clear AWS_* variables.

    Returns the config file path so a test can write profiles into it.
    """
    for name in AWS_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    config_file = tmp_path / "aws-config"
    config_file.write_text(config)
    credentials_file = tmp_path / "aws-credentials"
    credentials_file.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config_file))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    # Keep botocore from probing the instance metadata service for credentials or region.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return config_file


def client_error(
    code: str,
    message: str = "",
    *,
    status: int = 400,
    operation: str = "PutApprovalResult",
    request_id: str | None = "req-0001",
) -> ClientError:
    """A real botocore ClientError, shaped the way botocore builds it from a JSON error body."""
    meta: dict[str, object] = {"HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0}
    if request_id:
        meta["RequestId"] = request_id
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": meta}, operation)


@dataclass
class CallRecorder:
    """A ``CallObserver`` that remembers every call it is told about."""

    calls: list[tuple[Target, str, bool, str | None]] = field(default_factory=list)

    def __call__(self, target: Target, operation: str, ok: bool, error_kind: str | None) -> None:
        self.calls.append((target, operation, ok, error_kind))

    def operations(self) -> list[str]:
        return [call[1] for call in self.calls]

    def count(self, operation: str) -> int:
        return sum(1 for call in self.calls if call[1] == operation)


async def wait_until(
    condition: Callable[[], Awaitable[bool]], *, attempts: int = 200, step: float = 0.01
) -> None:
    """Await ``condition`` until it holds; fail after a bounded number of tries (no fixed sleep)."""
    for _ in range(attempts):
        if await condition():
            return
        await asyncio.sleep(step)
    raise AssertionError("condition not met in time")


Reply = tuple[int, dict[str, object]] | None  # None: close the connection without answering


@dataclass
class ScriptedEndpoint:
    """A loopback HTTP endpoint that answers JSON 1.1 requests from a script, or drops them.

    For what the simulator cannot show deterministically: how many times a request really
    reached the server (retries), and a connection that dies after the request was sent.
    ``script(operation, body)`` returns (status, JSON body) or None to drop the connection.
    """

    script: Callable[[str, bytes], Reply]
    requests: list[str] = field(default_factory=list)
    url: str = ""
    _server: asyncio.Server | None = None

    async def __aenter__(self) -> ScriptedEndpoint:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        import json

        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {}
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                operation = headers.get("x-amz-target", "").rsplit(".", 1)[-1]
                self.requests.append(operation)
                reply = self.script(operation, body)
                if reply is None:
                    return
                status, payload = reply
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\n"
                    f"x-amzn-RequestId: req-{len(self.requests)}\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

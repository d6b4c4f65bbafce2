"""The audit log: one JSON line per mutation attempt, appended and flushed before the UI moves on.

Never holds credentials or tokens: parameters pass through ``scrub`` which drops any key that names a
secret (approval ``token``, ``clientRequestToken``, session tokens ...).

Audit or refuse: ``AuditLog.problem()`` says why the log cannot be appended to (checked at start, for
the banner, and again before every mutation); while it cannot, ``ActionRunner`` sends nothing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.core.paths import default_audit_log_path

_SECRET_KEY = re.compile(r"token|secret|password|credential|session", re.IGNORECASE)
# Set by ``cptui serve`` for the app it spawns per browser connection: the browser's address, which
# every audit line of that app records as ``client`` (null in a terminal).
SERVE_CLIENT_ENV = "CPTUI_SERVE_CLIENT"


def scrub(params: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``params`` without secret-bearing keys (recursively)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if _SECRET_KEY.search(key):
            continue
        out[key] = scrub(value) if isinstance(value, Mapping) else value
    return out


@dataclass(frozen=True)
class AuditRecord:
    time: datetime
    operation: str
    target: str  # "pipeline/stage/action" as far as it applies
    outcome: str  # succeeded | failed | unknown | refused
    profile: str | None
    region: str
    identity: str | None = None
    account: str | None = None
    params: Mapping[str, Any] | None = None
    message: str = ""
    error_code: str = ""
    request_id: str | None = None
    client: str | None = None  # the browser's address under ``cptui serve``, else None

    def to_json(self) -> str:
        return json.dumps(
            {
                "time": self.time.astimezone(UTC).isoformat(timespec="milliseconds"),
                "identity": self.identity,
                "account": self.account,
                "profile": self.profile,
                "region": self.region,
                "operation": self.operation,
                "target": self.target,
                "params": scrub(self.params or {}),
                "outcome": self.outcome,
                "message": self.message,
                "error_code": self.error_code,
                "request_id": self.request_id,
                "client": self.client,
            },
            ensure_ascii=False,
            default=str,
        )


def os_reason(exc: OSError) -> str:
    """``[Errno 30] Read-only file system`` (without the path, which the message names already)."""
    return f"[Errno {exc.errno}] {exc.strerror}" if exc.errno and exc.strerror else str(exc)


class AuditLog:
    """Appends records to a JSON-lines file, creating its folder on first use."""

    def __init__(self, path: Path | None = None, *, client: str | None = None) -> None:
        self.path = path or default_audit_log_path()
        self.client = client  # who acts through this log's app, when not the local terminal

    @classmethod
    def for_session(cls, path: Path | None = None, environ: Mapping[str, str] | None = None) -> AuditLog:
        """The log of this process: a served app (``cptui serve``) records its browser's address."""
        env = os.environ if environ is None else environ
        return cls(path, client=env.get(SERVE_CLIENT_ENV) or None)

    def problem(self) -> str | None:
        """Why a record could not be appended now (``"[Errno 30] Read-only file system"``), or None.

        Creates the folder and opens the file for appending, as ``append`` would, writing nothing."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8"):
                pass
        except FileExistsError as exc:  # (mkdir: the folder's name is taken by a file)
            return f"{os_reason(exc)}: {self.path.parent} is not a folder"
        except OSError as exc:
            return os_reason(exc)
        return None

    def refusal(self, reason: str) -> str:
        """What a refused mutation says while the log is not writable."""
        return f"nothing was sent: audit log {self.path} is not writable ({reason})"

    def fix(self) -> str:
        """How to make actions possible again (for the banner)."""
        return (
            f"make {self.path.parent} writable, or set [general] audit_log to a writable file "
            "(or run with --read-only)"
        )

    def append(self, record: AuditRecord) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.client is not None and record.client is None:
            record = replace(record, client=self.client)
        line = record.to_json() + "\n"
        # One write per record, flushed and synced, so a crash right after an action keeps its trace.
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def read(self) -> list[dict[str, Any]]:
        """Every record, oldest first (for tests and the in-app audit view)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

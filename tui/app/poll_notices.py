"""What a failed poll tells the operator: why a target's data is old, in words that say what to do,
and a notice once per new reason (a poll loop must not repeat it every few seconds).

``PollResults`` (``poll_results``) keeps the store's side (stale marks, unread rows); this module
decides the words and whether they were told already, and forgets a target's reasons once it
recovers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from tui.app.context import Telling
from tui.aws.errors import AwsError, ErrorKind
from tui.core.error_text import error_text, missing_permission
from tui.core.sanitize import clean

if TYPE_CHECKING:
    from tui.core.model import Target

# The request went out and no answer came in time: the endpoint is reachable but not answering.
_READ_TIMEOUTS = frozenset({"ReadTimeoutError", "ServerTimeoutError", "TimeoutError"})


def stale_reason(error: AwsError, target: Target, operation: str = "") -> str:
    """Why a target's data is old, in words that say what to do."""
    kind = error.kind
    if kind is ErrorKind.THROTTLED:
        return "stale — throttled, retrying"
    if kind is ErrorKind.CREDENTIALS:
        return error_text(error, profile=target.profile)
    if kind is ErrorKind.ACCESS_DENIED:
        return f"access denied: missing {missing_permission(error, operation)}"
    if kind is ErrorKind.NETWORK:
        endpoint = clean(error.endpoint or "", max_len=80) or "endpoint"
        if error.code in _READ_TIMEOUTS:
            return f"{endpoint} not answering (timeout), retrying"
        # Which endpoint and why: a typo in --endpoint-url and a server that is down read the same
        # otherwise ("cannot reach http://127.0.0.1:1234 (connection refused), retrying").
        reason = clean(error.reason or "", max_len=40)
        return f"cannot reach {endpoint}{f' ({reason})' if reason else ''}, retrying"
    if kind in (ErrorKind.SERVICE, ErrorKind.OUTCOME_UNKNOWN):
        return "service unavailable, retrying"
    return clean(str(error), max_len=120)


class PollNotices:
    """The polls' notices, each told once: per reason until the target recovers, per missing
    permission until it works again, per operation an endpoint does not offer.

    ``several_targets()``: whether notices name their target (more than one is polled)."""

    def __init__(self, notices: Telling, several_targets: Callable[[], bool]) -> None:
        self._notices = notices
        self._several_targets = several_targets
        self._told: set[tuple[str, str]] = set()  # (target key, reason) told about
        self._told_denied: set[tuple[str, str]] = set()  # (target key, IAM action) told about
        self._told_unavailable: set[tuple[str, str]] = set()  # (target key, operation) told about

    def unavailable(self, target: Target, operation: str, code: str, pause_seconds: float) -> None:
        """The endpoint answers ``operation`` with the same failure every time while others work:
        it does not offer it. Said once per target and operation (not "service unavailable,
        retrying" forever), however often the policy tries it again; ``r`` tries at once."""
        if (target.key, operation) in self._told_unavailable:
            return
        self._told_unavailable.add((target.key, operation))
        minutes = max(1, round(pause_seconds / 60))
        reason = (
            f"{operation} is not available from this endpoint ({clean(code, max_len=40)}); "
            f"trying again every {minutes} min"
        )
        self._tell(target, reason, "warning")

    def denied(self, target: Target, permission: str, reason: str) -> None:
        """Told once until the permission works again (not on every unrelated success)."""
        if (target.key, permission) in self._told_denied:
            return
        self._told_denied.add((target.key, permission))
        self._tell(target, reason, "warning")

    def stale(self, target: Target, reason: str, severity: str) -> None:
        """Once per reason and target until the target recovers."""
        if (target.key, reason) in self._told:
            return
        self._told.add((target.key, reason))
        self._tell(target, reason, severity)

    def recovered(self, target: Target, stale: bool, denied: Collection[str]) -> None:
        """The target's freshness changed: a recovered target's next failure deserves a notice
        again, and so does a permission no longer denied."""
        if not stale:
            self._told = {n for n in self._told if n[0] != target.key}
        self._told_denied = {d for d in self._told_denied if d[0] != target.key or d[1] in denied}

    def _tell(self, target: Target, reason: str, severity: str) -> None:
        label = f"{target.label}: " if self._several_targets() else ""
        self._notices.notify(f"{label}{reason}", severity=severity, markup=False)  # type: ignore[arg-type]

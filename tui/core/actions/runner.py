"""The runner: confirm -> call once -> audit. It alone sends a mutation.

``ActionRunner.run`` takes a confirmed ``ActionRequest`` (built in ``builders``) and enforces
read-only mode, one API call per request id, no second request for the same operation on the same
target while one is in flight, an audit line for every attempt (audit or refuse), and "outcome
unknown" for a failure after sending. No Textual.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tui.aws.errors import AwsError, ErrorKind
from tui.aws.service import LAST_REQUEST_ID, PipelineService
from tui.core.audit import AuditLog, AuditRecord, os_reason
from tui.core.model import Identity, Target
from tui.core.sanitize import clean


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"  # sent, no answer: a refresh must show what happened
    REFUSED = "refused"  # never sent (read-only, duplicate, in flight)


@dataclass(frozen=True)
class ActionRequest:
    """One confirmed-or-to-confirm mutation. ``call`` performs exactly the API call, nothing else."""

    operation: str  # AWS operation name, e.g. "PutApprovalResult"
    target: Target
    pipeline: str
    subject: str  # "pipeline/stage/action" as far as it applies, for the audit log
    title: str  # "Approve", "Retry failed actions", ...
    confirmation: str  # exactly what will happen, to what, where
    params: Mapping[str, Any]  # what the audit log records (scrubbed of secrets)
    call: Callable[[PipelineService], Awaitable[object]]
    destructive: bool = False
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # What a success says (and the audit line records), from the call's value; None: "TITLE: done".
    done: Callable[[object], str] | None = None

    def with_where(self, identity: Identity | None) -> str:
        """The confirmation text with the account and region spelled out."""
        account = identity.account if identity else "unknown account"
        profile = self.target.profile or "default credentials"
        return f"{self.confirmation}\nin account {account}, region {self.target.region} ({profile})"


@dataclass(frozen=True)
class ActionResult:
    request: ActionRequest
    outcome: Outcome
    message: str
    value: object = None
    error: AwsError | None = None
    request_id: str | None = None  # AWS's id of the call, when it answered
    audit_error: str | None = None  # why the audit line could not be written, if it could not

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SUCCEEDED


class ActionRunner:
    """Runs confirmed requests once each, audits every attempt, never raises AWS errors."""

    def __init__(
        self,
        audit: AuditLog,
        *,
        read_only: bool,
        identity: Callable[[Target], Identity | None] = lambda _t: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.audit = audit
        self.read_only = read_only
        self._identity = identity
        self._clock = clock
        self._results: dict[str, ActionResult] = {}
        self._in_flight: set[tuple[str, str, str, str]] = set()

    async def run(self, request: ActionRequest, service: PipelineService) -> ActionResult:
        """Send the request's API call at most once; return what happened (never raises AwsError)."""
        if request.request_id in self._results:
            return self._results[request.request_id]
        key = (request.target.key, request.operation, request.pipeline, request.subject)
        audit_problem = None if self.read_only else self.audit.problem()
        if self.read_only:
            result = ActionResult(request, Outcome.REFUSED, "read-only mode: nothing was sent")
        elif audit_problem is not None:
            # Audit or refuse: a mutation nobody could trace afterwards is not sent (nor remembered:
            # once the log is writable again the same request may go).
            return ActionResult(request, Outcome.REFUSED, self.audit.refusal(audit_problem))
        elif key in self._in_flight:
            result = ActionResult(
                request, Outcome.REFUSED, f"{request.title} is already being sent; nothing sent twice"
            )
            return self._audit(result)  # not remembered: the first request's result is the one that counts
        else:
            self._in_flight.add(key)
            # Remember the request before awaiting, so a re-entrant run of the same id is refused.
            self._results[request.request_id] = ActionResult(
                request, Outcome.REFUSED, "already sent; waiting for its answer"
            )
            try:
                result = await self._send(request, service)
            finally:
                self._in_flight.discard(key)
        result = self._audit(result)
        self._results[request.request_id] = result
        return result

    async def _send(self, request: ActionRequest, service: PipelineService) -> ActionResult:
        LAST_REQUEST_ID.set(None)
        try:
            value = await request.call(service)
        except AwsError as error:
            # A 5xx answer to a mutation is as ambiguous as no answer: AWS may have applied it.
            unknown = error.kind in (ErrorKind.OUTCOME_UNKNOWN, ErrorKind.SERVICE)
            outcome = Outcome.UNKNOWN if unknown else Outcome.FAILED
            return ActionResult(request, outcome, clean(str(error), max_len=1000), error=error)
        message = request.done(value) if request.done is not None else f"{request.title}: done"
        return ActionResult(
            request,
            Outcome.SUCCEEDED,
            message,
            value=value,
            request_id=LAST_REQUEST_ID.get(),
        )

    def _audit(self, result: ActionResult) -> ActionResult:
        """Append the result's audit line; if that fails, the result (the call's outcome stands)
        with ``audit_error`` set, never an exception that would hide the outcome."""
        try:
            self._append(result)
        except OSError as exc:
            return replace(result, audit_error=os_reason(exc))
        return result

    def _append(self, result: ActionResult) -> None:
        request = result.request
        identity = self._identity(request.target)
        error = result.error
        self.audit.append(
            AuditRecord(
                time=self._clock(),
                operation=request.operation,
                target=request.subject,
                outcome=result.outcome.value,
                profile=request.target.profile,
                region=request.target.region,
                identity=identity.arn if identity else None,
                account=identity.account if identity else None,
                params=request.params,
                message=result.message,
                error_code=error.code if error else "",
                request_id=error.request_id if error else result.request_id,
            )
        )

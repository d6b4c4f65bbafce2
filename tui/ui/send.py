"""How an operator flow runs, and what it tells: one flow per subject at a time, the dialog that
confirms, the request sent once through ``Host.actions``, the outcome told (sanitized) and a refresh.

``Host.actions`` is the ``ActionRunner`` that refuses in read-only mode, sends at most once and audits
every attempt. After it answers, the operator is told what happened and the poller refreshes the
pipeline so the screen shows the truth, whatever the outcome. A second key press while a dialog for
the same subject is opening or its request is being sent does nothing but say so, so a double key
press cannot stack two dialogs. The flows themselves (what each dialog needs) are in
``operations`` (stage and pipeline actions) and ``manage`` (edit, delete).
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from textual.app import App

from tui.aws.errors import AwsError, ErrorKind
from tui.core.actions import ActionRequest, ActionResult, Outcome
from tui.core.model import Target
from tui.core.sanitize import clean
from tui.ui.host import Host, host_of
from tui.ui.screens.dialog_base import ActionDialog
from tui.ui.screens.dialogs import ConfirmDialog


@dataclass
class OperatorState:
    """Per-app bookkeeping: which subjects have a flow open."""

    busy: set[str] = field(default_factory=set)


_STATES: weakref.WeakKeyDictionary[App[Any], OperatorState] = weakref.WeakKeyDictionary()


def state(app: App[Any]) -> OperatorState:
    """The operator bookkeeping of ``app`` (created on first use)."""
    found = _STATES.get(app)
    if found is None:
        found = _STATES[app] = OperatorState()
    return found


def is_protected(host: Host, target: Target, pipeline: str) -> bool:
    """Whether a mutation of ``pipeline`` needs its name typed (``PipelinesConfig.is_protected``)."""
    return host.config.pipelines.is_protected(pipeline, target)


def read_only(host: Host) -> bool:
    """True when mutations are off (``--read-only`` or ``read_only = true``)."""
    return bool(host.read_only or host.actions.read_only)


# --- running a confirmed request ---------------------------------------------------------------


def tell(app: App[Any], text: str, severity: str = "information") -> None:
    """A notice from an operator flow."""
    app.notify(text, severity=severity, markup=False)  # type: ignore[arg-type]


def describe_result(result: ActionResult) -> tuple[str, str]:
    """The notice text and severity for a result; AWS text already went through ``clean``."""
    request, error = result.request, result.error
    where = clean(request.subject)
    if result.outcome is Outcome.SUCCEEDED:
        if request.done is not None:  # the request says what its success means (e.g. the versions)
            return f"{result.message} — {where}", "information"
        extra = ""
        if request.operation in ("StartPipelineExecution", "RollbackStage") and result.value:
            extra = f": execution {clean(result.value)}"
        return f"{request.title} — {where}{extra}", "information"
    if result.outcome is Outcome.UNKNOWN:
        text = result.message
        if "outcome unknown" not in text:
            text += " — outcome unknown — refreshing to show the truth"
        return f"{request.title} — {where}: {text}", "warning"
    if result.outcome is Outcome.REFUSED:
        return f"{request.title} — {where}: {result.message}", "warning"
    message = result.message
    if error is not None and error.kind is ErrorKind.ACCESS_DENIED:
        action = error.missing_action or f"codepipeline:{request.operation}"
        if action not in message:
            message = f"access denied: missing {action}"
    elif error is not None and error.kind in (ErrorKind.STALE_APPROVAL, ErrorKind.APPROVAL_COMPLETED):
        message += " (refreshing)"
    return f"{request.title} failed — {where}: {message}", "error"


async def run_confirmed(app: App[Any], request: ActionRequest) -> ActionResult:
    """Send a confirmed request once through ``Host.actions``, notify, then refresh the pipeline."""
    host = host_of(app)
    service = host.services.get(request.target.key)
    if service is None:
        result = ActionResult(request, Outcome.REFUSED, f"no AWS connection for {request.target.label}")
    else:
        result = await host.actions.run(request, service)
    text, severity = describe_result(result)
    if result.audit_error is not None:
        # The call's outcome first (it happened), then that it is not in the audit log.
        audit = host.actions.audit
        text += f" — the audit line was NOT written to {audit.path} ({result.audit_error})"
        severity = "error"
    tell(app, text, severity)
    if result.outcome is not Outcome.REFUSED:
        # Whatever happened (done, failed, unknown), the next poll shows the truth on screen.
        host.poller.refresh_now(request.target, request.pipeline)
    return result


def explain(result: ActionResult) -> str:
    """A failure, as the dialog shows it (the notice's text without the title and subject)."""
    text, _severity = describe_result(result)
    where = f" — {clean(result.request.subject)}: "
    return text.split(where, 1)[1] if where in text else text


def attach(app: App[Any], dialog: ActionDialog) -> ActionDialog:
    """Let ``dialog`` send its confirmed request itself, so a definite failure keeps it open."""

    async def send(request: ActionRequest) -> ActionResult:
        return await run_confirmed(app, request)

    dialog.sender = send
    dialog.explain = explain
    return dialog


async def confirm_and_run(app: App[Any], dialog: ActionDialog) -> ActionResult | None:
    """Push ``dialog`` and wait until it closes; the result of what it sent, or None (cancelled).

    The dialog sends its request through ``run_confirmed`` and closes on success or an unknown
    outcome; on a definite failure it stays open (text kept) so the operator can fix and resend
    or cancel. Must run inside a worker.
    """
    await app.push_screen(attach(app, dialog), wait_for_dismiss=True)
    return dialog.result


async def perform(app: App[Any], request: ActionRequest) -> ActionResult | None:
    """Confirm a ready-made request with ``ConfirmDialog``, then run it. Must run inside a worker."""
    host = host_of(app)
    dialog = ConfirmDialog(
        request,
        identity=host.store.identity(request.target),
        protected=is_protected(host, request.target, request.pipeline),
    )
    return await confirm_and_run(app, dialog)


def launch(app: App[Any], subject: str, flow: Callable[[], Awaitable[object]]) -> bool:
    """Run ``flow`` in a worker unless a flow for ``subject`` is already open; False if refused."""
    if read_only(host_of(app)):
        tell(app, "read-only mode: actions are off", "warning")
        return False
    busy = state(app).busy
    if subject in busy:
        tell(app, "already open or being sent — nothing sent twice", "warning")
        return False
    busy.add(subject)

    async def guarded() -> None:
        try:
            await flow()
        except AwsError as error:
            tell(app, clean(str(error)), "error")
        finally:
            busy.discard(subject)

    app.run_worker(guarded(), group="operator", exit_on_error=False)
    return True

"""The operator dialogs: a plain confirmation, the approval dialog, and (re-exported) one per action.

Every dialog dismisses with the ``ActionRequest`` to send, or None; ``tui.ui.operations`` runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Self

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from tui.core import actions, fmt
from tui.core.actions import ActionRequest
from tui.core.model import ApprovalRequest, Identity, PipelineDef, SourceRevision
from tui.core.revisions import revision_text
from tui.core.sanitize import clean
from tui.ui.keys import bind
from tui.ui.screens.action_dialogs import (
    RetryDialog,
    RollbackDialog,
    StartDialog,
    StopDialog,
    TransitionDialog,
)
from tui.ui.screens.dialog_base import ActionDialog, Choice

__all__ = [
    "ActionDialog",
    "ApprovalDialog",
    "Choice",
    "ConfirmDialog",
    "RetryDialog",
    "RollbackDialog",
    "StartDialog",
    "StopDialog",
    "TransitionDialog",
    "approval_details",
]

SUMMARY_MAX = 512  # PutApprovalResult's ApprovalSummary limit


class ConfirmDialog(ActionDialog):
    """Confirm one ready-made request: ``y`` (shown on the button) or pressing the button sends it, once.

    The focus starts on Cancel (or the protected name), so Enter alone confirms nothing.
    """

    BINDINGS = [bind("dialog_confirm", "confirm", "Confirm")]
    CONFIRM_KEY = "y"

    def __init__(self, request: ActionRequest, *, identity: Identity | None, protected: bool = False) -> None:
        super().__init__(
            title=request.title, pipeline=request.pipeline, identity=identity, protected=protected
        )
        self.request = request

    def draft(self, choice: str) -> ActionRequest | None:
        return self.request

    def action_confirm(self) -> None:
        self.confirm("confirm")


def approval_details(
    approval: ApprovalRequest,
    *,
    now: datetime,
    definition: PipelineDef | None = None,
    revisions: Sequence[SourceRevision] = (),
    loading: bool = False,
    revisions_problem: str | None = None,
) -> Table:
    """What an approver needs to decide, as a two-column grid (all AWS text sanitized).

    ``loading``: the execution's revisions are still being read (shown as such, not as unknown);
    ``revisions_problem``: why they could not be read.
    """
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("Pipeline", Text(clean(approval.pipeline_name)))
    grid.add_row("Stage", Text(clean(approval.stage_name)))
    grid.add_row("Action", Text(clean(approval.action_name)))
    grid.add_row("Execution", Text(clean(approval.execution_id) or "unknown"))
    shown = revisions or approval.source_revisions
    if not shown:
        if revisions_problem:
            grid.add_row("Revision", Text(f"could not be read: {clean(revisions_problem)}", style="yellow"))
        else:
            grid.add_row("Revision", Text("loading…" if loading else "not known yet", style="dim"))
    for revision in shown:
        grid.add_row("Revision", revision_text(revision, max_len=100, gap="  "))
    custom, link = approval.custom_data, approval.external_url
    if definition is not None and (custom is None or link is None):
        stage = definition.stage(approval.stage_name)
        action = stage.action(approval.action_name) if stage else None
        if action is not None:
            custom = custom if custom is not None else action.configuration.get("CustomData")
            link = link if link is not None else action.configuration.get("ExternalEntityLink")
    grid.add_row("Custom data", Text(clean(custom, single_line=False, max_len=1000) or "—"))
    grid.add_row("Link", Text(clean(link, max_len=300) or "—"))
    grid.add_row("Waiting", Text(fmt.ago(approval.waiting_since, now) or "unknown"))
    grid.add_row("Time left", time_left(approval, now))
    return grid


def time_left(approval: ApprovalRequest, now: datetime) -> Text:
    """'2h 05m' until the approval expires; 'expired' once it has; 'unknown' without an expiry."""
    words = fmt.time_left(approval.expires_at, now, bare=True)
    seconds = fmt.seconds_left(approval.expires_at, now)
    if seconds is None:
        return Text(words, style="dim")
    if seconds <= 0:
        return Text(words, style="bold red")
    return Text(words, style="bold yellow" if seconds < 3600 else "")


class ArmedInput(Input):
    """An Input that ignores keys typed before ``armed_at`` (before its dialog was on screen)."""

    armed_at: float | None = None

    def on_key(self, event: events.Key) -> None:
        # Runs before Input's own key handler; prevent_default keeps the character out of the field.
        if (self.armed_at is None or event.time < self.armed_at) and event.is_printable:
            event.stop()
            event.prevent_default()


class SummaryInput(ArmedInput):
    """The approval summary. Focusing it does not scroll: on a short terminal that scrolled the
    dialog past what is being approved (Pipeline / Stage / Action); typing brings it into view."""

    def focus(self, scroll_visible: bool = True) -> Self:
        return super().focus(scroll_visible=False)


class ApprovalDialog(ActionDialog):
    """Approve or reject a manual approval with a required summary.

    The summary field has the focus; Approve and Reject are two separate buttons that are never
    focused by default and Enter in the summary does not press either: deciding takes a deliberate
    Tab-and-Enter or a click, so no single key opens and approves.
    """

    def __init__(
        self,
        approval: ApprovalRequest,
        *,
        identity: Identity | None,
        now: Callable[[], datetime],
        protected: bool = False,
        definition: PipelineDef | None = None,
        revisions: Sequence[SourceRevision] = (),
        loading: bool = False,
    ) -> None:
        super().__init__(
            title="Manual approval",
            pipeline=approval.pipeline_name,
            identity=identity,
            protected=protected,
        )
        self.approval = approval
        self.now = now
        self.definition = definition
        self.revisions = tuple(revisions)
        self.loading = loading  # the execution's revisions are still being read
        self.revisions_problem: str | None = None  # why they could not be read
        self.summary = ""

    def choices(self) -> tuple[Choice, ...]:
        return (Choice("approve", "Approve", "success"), Choice("reject", "Reject", "error"))

    def compose_body(self) -> ComposeResult:
        yield Static(self._details(), id="approval-details")

    # The summary and the protected name sit side by side below the scrolling details, in the
    # order they are filled in, so both are in view at 80x24 while the details start at the top.
    PROTECTED_NAME_IN_BODY = False

    def compose_pinned(self) -> ComposeResult:
        protected = self.protected and bool(self.choices())
        if protected:
            yield Static(
                Text.assemble(
                    ("Protected pipeline. ", "bold"), "Type its name on the right to enable the buttons."
                ),
                id="dialog-protected-label",
                markup=False,
            )
        with Horizontal(id="approval-fields"):
            # Armed only once the dialog has been drawn: keys typed before it was visible (aimed
            # at the screen below) must not land in a field nobody could see.
            yield SummaryInput(
                placeholder="Summary (required): what you checked, why",
                max_length=SUMMARY_MAX,
                id="approval-summary",
                disabled=True,
            )
            if protected:
                yield Input(placeholder=clean(self.pipeline), id="dialog-protected-name")

    def _details(self) -> Table:
        return approval_details(
            self.approval,
            now=self.now(),
            definition=self.definition,
            revisions=self.revisions,
            loading=self.loading,
            revisions_problem=self.revisions_problem,
        )

    def on_mount(self) -> None:
        super().on_mount()
        # Time left counts down while the approver reads.
        self.set_interval(1.0, self._tick)
        self.call_after_refresh(self._arm)
        self.call_after_refresh(self._fit_body)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_body)

    def _fit_body(self) -> None:
        """Give the scrolling details what the pinned fields, buttons and keys leave of the screen:
        all of it on a tall terminal (nothing to scroll), less on a short one (still in view)."""
        dialog = self.query_one("#dialog")
        body = self.query_one("#dialog-body")
        others = sum(
            w.outer_size.height + w.styles.margin.height
            for w in dialog.children
            if w is not body and w.display
        )
        room = int(self.size.height * 0.95) - others - dialog.styles.gutter.height - body.styles.margin.height
        if body.styles.max_height is None or body.styles.max_height.value != max(4, room):
            body.styles.max_height = max(4, room)

    def _arm(self) -> None:
        """The dialog is on screen: from now on, keys typed go into the summary."""
        summary = self.query_one("#approval-summary", ArmedInput)
        # A new message is stamped by the same clock as events.Key.time (public, unlike textual._time).
        summary.armed_at = Message().time
        summary.disabled = False
        summary.focus()  # the opening focus (it could not take it while disabled)

    def set_revisions(self, revisions: Sequence[SourceRevision], *, problem: str | None = None) -> None:
        """The execution's revisions arrived, or could not be read (``problem`` says why): show it."""
        self.revisions = tuple(revisions)
        self.revisions_problem = problem
        self.loading = False
        if self.is_mounted:
            self._tick()

    def _tick(self) -> None:
        self.query_one("#approval-details", Static).update(self._details())

    def initial_focus(self) -> Widget | None:
        return self.query_one("#approval-summary", Input)

    def on_field(self, event: Message) -> None:
        if isinstance(event, Input.Changed) and event.input.id == "approval-summary":
            self.summary = event.value
            event.input.scroll_visible(animate=False)

    def problem(self) -> str | None:
        if not self.summary.strip():
            return "a summary is required, then choose Approve or Reject (Tab)"
        return None

    def draft(self, choice: str) -> ActionRequest | None:
        if choice not in ("approve", "reject"):
            return None
        return actions.approve(self.approval, approved=choice == "approve", summary=self.summary.strip())

    def describe(self) -> str:
        request = self.draft("approve")
        if request is None:
            return ""
        text = request.with_where(self.identity)
        return "Approve or reject" + text.removeprefix("Approve")

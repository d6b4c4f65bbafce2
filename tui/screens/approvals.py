"""The approvals inbox (`A`): every manual approval waiting, across all targets, oldest first.

Rows are reconciled by key from ``app.store.approvals()`` on every store change (``RankedTable``):
an approval answered elsewhere disappears, a new one appears at its place, the cursor stays on its row.
`a` or enter opens the same ``ApprovalDialog`` as the pipeline screen (``tui.operator.open_approval``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui import fmt, operator
from tui.config import DEFAULT_KEYS
from tui.model import ApprovalRequest
from tui.sanitize import clean
from tui.screens.action_dialogs import revisions_text
from tui.screens.dialogs import time_left
from tui.screens.operator_keys import read_only_reason
from tui.widgets.ranked_table import RankedTable

if TYPE_CHECKING:
    from tui.app import CptuiApp

TICK_SECONDS = 5.0  # "waiting 3m" and "time left" are re-evaluated this often
COLUMNS = ("Pipeline", "Stage / action", "Where", "Waiting", "Time left", "Revision")


def approval_key(approval: ApprovalRequest) -> str:
    """One row per waiting approval: a new execution reaching the same action is a new row."""
    which = approval.execution_id or approval.token
    return "|".join(
        (approval.target.key, approval.pipeline_name, approval.stage_name, approval.action_name, which)
    )


def _rank(approval: ApprovalRequest) -> tuple[float, str]:
    since = approval.waiting_since
    return (since.timestamp() if since else float("inf"), approval_key(approval))


class ApprovalsScreen(Screen[None]):
    """All pending approvals; `a` / enter to approve or reject the one under the cursor."""

    CSS_PATH = "approvals.tcss"
    BINDINGS = [
        Binding("a", "approve", "Approve / reject", id="approve"),
        Binding(DEFAULT_KEYS["refresh"], "refresh", "Refresh", id="refresh"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._approvals: dict[str, ApprovalRequest] = {}

    @property
    def cptui(self) -> CptuiApp:
        return cast("CptuiApp", self.app)

    @property
    def table(self) -> RankedTable:
        return self.query_one("#approvals-table", RankedTable)

    def compose(self) -> ComposeResult:
        yield Static("", id="approvals-title", markup=False)
        yield Static(Text("No approval is waiting."), id="approvals-empty", markup=False)
        table = RankedTable(id="approvals-table", zebra_stripes=True)
        for column in COLUMNS:
            table.add_column(column, key=column)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.cptui.store_changed.subscribe(self, self._on_store_changed)
        self.set_interval(TICK_SECONDS, self.reconcile)
        self.reconcile()
        self.table.focus()

    def on_unmount(self) -> None:
        self.cptui.store_changed.unsubscribe(self)

    def _on_store_changed(self, change: Any) -> None:
        self.reconcile()

    # --- rows ----------------------------------------------------------------------------------

    def _revision(self, approval: ApprovalRequest) -> Text:
        revisions = approval.source_revisions
        if not revisions and approval.execution_id:
            latest = self.cptui.store.latest_execution(approval.target, approval.pipeline_name)
            if latest is not None and latest.execution_id == approval.execution_id:
                revisions = latest.source_revisions
        if not revisions:
            return Text("—", style="dim")
        return revisions_text(revisions, max_len=28, with_action=False)

    def _cells(self, approval: ApprovalRequest, now: datetime) -> tuple[Text, ...]:
        return (
            Text(clean(approval.pipeline_name), style="bold"),
            Text(f"{clean(approval.stage_name)} / {clean(approval.action_name)}"),
            Text(clean(approval.target.label), style="dim"),
            Text(fmt.ago(approval.waiting_since, now).removesuffix(" ago") or "?"),
            time_left(approval, now),
            self._revision(approval),
        )

    def reconcile(self) -> None:
        """Bring the table in line with the store's approvals (by key, cursor kept)."""
        now = self.cptui.now()
        approvals = sorted(self.cptui.store.approvals(), key=_rank)
        self._approvals = {approval_key(a): a for a in approvals}
        self.table.upsert(
            ((approval_key(a), self._cells(a, now), _rank(a)) for a in approvals),
            remove_missing=True,
        )
        count = len(approvals)
        title = Text.assemble(("Approvals waiting", "bold"), f"  {count}", ("  oldest first", "dim"))
        self.query_one("#approvals-title", Static).update(title)
        self.query_one("#approvals-empty", Static).display = count == 0
        self.table.display = count > 0
        self.refresh_bindings()

    @property
    def selected(self) -> ApprovalRequest | None:
        """The approval under the cursor."""
        key = self.table.cursor_key
        return self._approvals.get(key) if key else None

    # --- keys ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "approve":
            if operator.read_only(self.cptui):
                return False  # hidden: read-only mode never offers a mutation
            return True if self.selected is not None else None
        return True

    def unavailable_reason(self, action: str) -> str | None:
        """Why `a` does nothing here, in one line (the app shows it on a press)."""
        if action != "approve":
            return None
        if operator.read_only(self.cptui):
            return read_only_reason(action)
        return "No manual approval is selected: nothing to approve or reject"

    def action_approve(self) -> None:
        approval = self.selected
        if approval is not None:
            operator.open_approval(self.cptui, approval)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if operator.read_only(self.cptui):
            self.notify(read_only_reason("approve"), severity="warning", markup=False)
            return
        self.action_approve()

    def action_refresh(self) -> None:
        self.cptui.poller.refresh_now()

    def action_back(self) -> None:
        self.dismiss()

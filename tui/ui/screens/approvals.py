"""The approvals inbox (`A`): every manual approval waiting, across all targets, oldest first.

Unknown is not none: "No approval is waiting." is said only when every pipeline in scope was read
successfully and recently (``Store.coverage``); otherwise the inbox shows the approvals it knows and
how many pipelines are not read, and why (closed port, access denied, throttled, ...).

Rows are reconciled by key from ``app.store.approvals()`` on every store change (``RankedTable``):
an approval answered elsewhere disappears, a new one appears at its place, the cursor stays on its row.
`a` or enter opens the same ``ApprovalDialog`` as the pipeline screen (``tui.ui.operations.open_approval``);
`g` (or enter / a click on the Pipeline column) opens the pipeline, to review it before deciding.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.core import fmt
from tui.core.model import ApprovalRequest
from tui.core.revisions import revisions_text
from tui.core.sanitize import clean
from tui.ui import operations as operator
from tui.ui import send
from tui.ui.host import Host, host_of
from tui.ui.keys import bind
from tui.ui.screens.dialogs import time_left
from tui.ui.screens.operator_keys import read_only_reason
from tui.ui.widgets.footer import KeyFooter
from tui.ui.widgets.ranked_table import RankedTable

TICK_SECONDS = 5.0  # "waiting 3m" and "time left" are re-evaluated this often
# Time left comes early: at 80 columns it must be on screen without scrolling sideways.
COLUMNS = ("Pipeline", "Stage / action", "Time left", "Waiting", "Where", "Revision")
PIPELINE_COLUMN = 0
NONE_WAITING = "No approval is waiting."


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
        bind("approve", "approve", "Approve / reject"),
        # Priority: the table's vim-style `g` (to the top) must not take it.
        bind("open_pipeline", "open_pipeline", "Open pipeline", priority=True),
        bind("refresh", "refresh", "Refresh"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._approvals: dict[str, ApprovalRequest] = {}

    @property
    def host(self) -> Host:
        return host_of(self.app)

    @property
    def table(self) -> RankedTable:
        return self.query_one("#approvals-table", RankedTable)

    def compose(self) -> ComposeResult:
        yield Static("", id="approvals-title", markup=False)
        yield Static("", id="approvals-coverage", markup=False)
        yield Static(Text(NONE_WAITING), id="approvals-empty", markup=False)
        table = RankedTable(id="approvals-table", zebra_stripes=True, cursor_type="cell")
        for column in COLUMNS:
            table.add_column(column, key=column)
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.host.store_changed.subscribe(self, self._on_store_changed)
        self.set_interval(TICK_SECONDS, self.reconcile)
        self.reconcile()
        # The cursor starts on Stage / action: enter answers the approval; ← then enter (or `g`)
        # opens the pipeline instead.
        self.table.cursor_coordinate = Coordinate(self.table.cursor_row, PIPELINE_COLUMN + 1)
        self.table.focus()

    def on_unmount(self) -> None:
        self.host.store_changed.unsubscribe(self)

    def _on_store_changed(self, change: Any) -> None:
        self.reconcile()

    # --- rows ----------------------------------------------------------------------------------

    def _revision(self, approval: ApprovalRequest) -> Text:
        revisions = approval.source_revisions
        if not revisions and approval.execution_id:
            latest = self.host.store.latest_execution(approval.target, approval.pipeline_name)
            if latest is not None and latest.execution_id == approval.execution_id:
                revisions = latest.source_revisions
        if not revisions:
            return Text("—", style="dim")
        return revisions_text(revisions, max_len=28, with_action=False)

    def _cells(self, approval: ApprovalRequest, now: datetime) -> tuple[Text, ...]:
        return (
            Text(clean(approval.pipeline_name), style="bold"),
            Text(f"{clean(approval.stage_name)} / {clean(approval.action_name)}"),
            time_left(approval, now),
            Text(fmt.ago(approval.waiting_since, now).removesuffix(" ago") or "?"),
            Text(clean(approval.target.label), style="dim"),
            self._revision(approval),
        )

    def reconcile(self) -> None:
        """Bring the table in line with the store's approvals (by key, cursor kept)."""
        now = self.host.now()
        approvals = sorted(self.host.store.approvals(), key=_rank)
        self._approvals = {approval_key(a): a for a in approvals}
        self.table.upsert(
            ((approval_key(a), self._cells(a, now), _rank(a)) for a in approvals),
            remove_missing=True,
        )
        count = len(approvals)
        coverage = self.host.store.coverage(now)
        known = count if coverage.complete else f"{count} known"
        title = Text.assemble(("Approvals waiting", "bold"), f"  {known}", ("  oldest first", "dim"))
        self.query_one("#approvals-title", Static).update(title)
        note = self.query_one("#approvals-coverage", Static)
        if coverage.complete:
            note.update("")
        else:
            # Unknown is not none: say what could not be read, and that approvals may wait there.
            more = "more " if count else ""
            note.update(
                Text.assemble(
                    ("? ", "bold yellow"),
                    (clean(coverage.describe(), max_len=300), "yellow"),
                    f" — {more}approvals may be waiting there",
                )
            )
        note.display = not coverage.complete
        empty = self.query_one("#approvals-empty", Static)
        if count == 0:
            empty.update(Text(NONE_WAITING if coverage.complete else "No approval known."))
        else:
            # Hidden, and empty too: until the layout drops it, a frame could still show its text
            # beside a listed approval ("No approval is waiting." under "Approvals waiting 1").
            empty.update("")
        empty.display = count == 0
        self.table.display = count > 0
        self.refresh_bindings()

    @property
    def selected(self) -> ApprovalRequest | None:
        """The approval under the cursor."""
        key = self.table.cursor_key
        return self._approvals.get(key) if key else None

    # --- keys ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_pipeline":
            return True if self.selected is not None else None
        if action == "approve":
            if send.read_only(self.host):
                return False  # hidden: read-only mode never offers a mutation
            return True if self.selected is not None else None
        return True

    def unavailable_reason(self, action: str) -> str | None:
        """Why `a` does nothing here, in one line (the app shows it on a press)."""
        if action != "approve":
            return None
        if send.read_only(self.host):
            return read_only_reason(action)
        return "No manual approval is selected: nothing to approve or reject"

    def action_approve(self) -> None:
        approval = self.selected
        if approval is not None:
            operator.open_approval(self.app, approval)

    def action_open_pipeline(self) -> None:
        """Open the approval's pipeline: review the graph and the execution before deciding."""
        approval = self.selected
        if approval is None:
            return
        from tui.ui.screens.pipeline import PipelineScreen

        self.app.push_screen(PipelineScreen(approval.target, approval.pipeline_name))

    def on_resize(self) -> None:
        # After a widen the whole table may fit: never leave it scrolled sideways.
        self.call_after_refresh(self._fit_scroll)

    def _fit_scroll(self) -> None:
        """Back to the Pipeline column; a cursor left off screen returns to Stage / action."""
        table = self.table
        if table.scroll_x == 0:
            return
        table.scroll_to(x=0, animate=False, immediate=True)
        column = table.cursor_coordinate.column
        right = sum(c.get_render_width(table) for c in table.ordered_columns[: column + 1])
        if right > table.scrollable_content_region.width:
            table.move_cursor(column=PIPELINE_COLUMN + 1, scroll=False)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        if event.coordinate.column == PIPELINE_COLUMN:
            self.action_open_pipeline()
            return
        if send.read_only(self.host):
            self.notify(read_only_reason("approve"), severity="warning", markup=False)
            return
        self.action_approve()

    def action_refresh(self) -> None:
        self.host.poller.refresh_now()

    def action_back(self) -> None:
        self.dismiss()

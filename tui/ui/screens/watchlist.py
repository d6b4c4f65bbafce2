"""The executions followed with `w` (key `W`): live status until each ends, then greyed until dismissed.

Rows are reconciled by key from ``app.alerts.watchlist`` on store changes and once a second (the
durations tick). Enter opens the execution; `d` dismisses the selected row (stops following a running
one); `D` dismisses every finished one.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.core.fmt import STATUS_COLORS, ago, duration, short_id, status_text
from tui.core.model import Standing
from tui.core.sanitize import clean
from tui.ui.host import Host, host_of
from tui.ui.keys import bind
from tui.ui.widgets.footer import KeyFooter
from tui.ui.widgets.header import IdentityHeader, identity_source
from tui.ui.widgets.ranked_table import RankedTable

if TYPE_CHECKING:
    from tui.core.store import StoreChange
    from tui.core.watchlist import Followed

TICK_SECONDS = 1.0
COLUMNS = (
    ("Status", "status", 12),
    ("Pipeline", "pipeline", 28),
    ("Execution", "execution", 10),
    ("Stage", "stage", 16),
    ("Started", "started", 9),
    ("Duration", "duration", 9),
    ("Where", "where", 20),
)
_MUTED = STATUS_COLORS["muted"]


def followed_cells(
    entry: Followed, now: datetime, standing: Standing | None = None, unread: str | None = None
) -> tuple[Text, ...]:
    """One row: finished entries greyed (the glyph still says how they ended).

    ``standing``: the pipeline's ``Standing`` when the entry is its latest execution, so a held
    execution or a waiting approval reads as in the list. ``unread``: why the pipeline's last read
    failed (the status shown is then the last one known, and says so)."""
    stage = entry.stage
    if entry.status is None:
        status = Text("… loading", style=_MUTED)
    elif standing is not None and not entry.finished and standing.overrides_status:
        status = Text(f"{standing.glyph} {standing.word}", style=STATUS_COLORS.get(standing.style, ""))
        stage = standing.stage or stage
    elif entry.finished:
        status = Text(f"{entry.status.glyph} {clean(entry.status.label)}", style=_MUTED)
    else:
        status = status_text(entry.status)
    if unread and not entry.finished:
        status.append(" ⚠?", style=STATUS_COLORS["warning"])
    end = entry.finished_at if entry.finished else now
    span = (end - entry.started).total_seconds() if entry.started and end else None
    style = _MUTED if entry.finished else ""
    where_style = _MUTED if entry.finished else (entry.target.color or "")
    return (
        status,
        Text(clean(entry.pipeline), style=style, no_wrap=True, overflow="ellipsis"),
        Text(short_id(entry.execution_id), style=style),
        Text(clean(stage or ""), style=style),
        Text(ago(entry.started, now), style=style),
        Text(duration(span), style=style),
        Text(clean(entry.target.label), style=where_style, no_wrap=True, overflow="ellipsis"),
    )


class WatchListScreen(Screen[None]):
    """Every followed execution: running ones first, then the finished ones, greyed."""

    CSS_PATH = "watchlist.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open execution", priority=True),
        bind("dismiss", "dismiss_row", "Dismiss"),
        Binding("D", "dismiss_finished", "Dismiss finished"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._shown: dict[str, Followed] = {}

    @property
    def host(self) -> Host:
        return host_of(self.app)

    @property
    def table(self) -> RankedTable:
        return self.query_one("#watchlist-table", RankedTable)

    def compose(self) -> ComposeResult:
        yield IdentityHeader(identity_source(self.host), id="header")
        yield Static("", id="watchlist-title", markup=False)
        table = RankedTable(id="watchlist-table", zebra_stripes=True)
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        yield table
        yield Static("", id="watchlist-empty", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.host.store_changed.subscribe(self, self._on_store_changed)
        self.set_interval(TICK_SECONDS, self.reconcile)
        self.reconcile()
        self.table.focus()

    def on_unmount(self) -> None:
        self.host.store_changed.unsubscribe(self)

    def _on_store_changed(self, change: StoreChange) -> None:
        if change.freshness:
            self.query_one(IdentityHeader).refresh_text()
        if change.pipelines or change.freshness:
            self.reconcile()

    def reconcile(self) -> None:
        """Bring the table in line with the watch list (only changed cells update)."""
        entries = self.host.alerts.watchlist.entries()
        now = self.host.now()
        self._shown = {e.key: e for e in entries}
        self.table.upsert(
            ((e.key, self._cells(e, now), index) for index, e in enumerate(entries)), remove_missing=True
        )
        running = sum(1 for e in entries if not e.finished)
        unread = [e for e in entries if not e.finished and self._unread(e)]
        title = Text(f"Following {running} running", style="bold")
        if unread:
            # Unknown is not none: their status is the last one known, not current.
            why = self._unread(unread[0]) or ""
            title.append(f"  ⚠ {len(unread)} not read: {clean(why)}", style=STATUS_COLORS["warning"])
        if len(entries) > running:
            title.append(f" · {len(entries) - running} finished (d dismisses, D all finished)", style=_MUTED)
        self.query_one("#watchlist-title", Static).update(title)
        empty = self.query_one("#watchlist-empty", Static)
        empty.display = not entries
        if entries:
            empty.update("")  # hidden lines hold nothing a frame could show
        else:
            watch = self.host.config.first_key("watch")
            empty.update(
                Text(
                    f"Nothing followed. Press {watch} on a pipeline (its latest execution) or on an "
                    "execution in its history to follow it until it ends."
                )
            )

    def _unread(self, entry: Followed) -> str | None:
        store = self.host.store
        return (
            store.read_mark(entry.target, entry.pipeline).error or store.freshness(entry.target).stale_reason
        )

    def _cells(self, entry: Followed, now: datetime) -> tuple[Text, ...]:
        row = self.host.store.row(entry.target, entry.pipeline)
        latest = row is not None and row.latest is not None and row.latest.execution_id == entry.execution_id
        standing = row.standing if row is not None and latest else None
        return followed_cells(entry, now, standing, self._unread(entry))

    @property
    def selected(self) -> Followed | None:
        key = self.table.cursor_key
        return self._shown.get(key) if key else None

    # --- keys ----------------------------------------------------------------------------------

    def action_open(self) -> None:
        entry = self.selected
        if entry is None:
            return
        from tui.ui.screens.execution import ExecutionScreen

        self.app.push_screen(ExecutionScreen(entry.target, entry.pipeline, entry.execution_id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_dismiss_row(self) -> None:
        entry = self.selected
        if entry is not None:
            self.host.alerts.dismiss(entry.key)
            self.reconcile()

    def action_dismiss_finished(self) -> None:
        self.host.alerts.dismiss_finished()
        self.reconcile()

    def action_back(self) -> None:
        self.dismiss()

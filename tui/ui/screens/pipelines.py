"""The pipelines list: one row per pipeline, reconciled by key from the store, filterable with `/`.

Rows are upserted by key (``RankedTable``): a poll updates only the cells that changed, re-sorts only
when the order really changes and keeps the cursor on the same pipeline. Relative times tick once a
second for the rows on screen only, and those rows are what the poller refreshes more often. Which
columns fit, and each row's cells: ``pipeline_columns``; `l` (triage): ``tui.ui.triage``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable
from datetime import datetime

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from tui.core.fleet_rows import GROUP_PREFIX, group_cells, group_key, group_rank, row_rank, where_cell
from tui.core.model import Target
from tui.core.pipeline_rows import filter_notice, matches, parse_filter
from tui.core.sanitize import clean
from tui.core.store import PipelineRow, StoreChange
from tui.ui.host import Host, host_of
from tui.ui.keys import bind
from tui.ui.screens.pipeline_columns import Column, plan_columns, row_cells
from tui.ui.triage import open_triage
from tui.ui.widgets.footer import KeyFooter
from tui.ui.widgets.header import IdentityHeader, identity_source, summary_text
from tui.ui.widgets.ranked_table import CURSOR_KEYS, RankedTable

TICK_SECONDS = 1.0


class PipelinesScreen(Screen[None]):
    """Every pipeline of every target; enter opens one, `/` filters."""

    CSS_PATH = "pipelines.tcss"
    BINDINGS = [
        bind("filter", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter"),
        bind("logs", "logs", "Build log"),
        # priority: the table's own g (top) applies when there is only one target to group by.
        bind("group", "group", "Group by target", priority=True),
        bind("watch", "watch", "Follow latest execution", show=False),
        bind("fleet_health", "fleet_health", "Fleet health", show=False),
        bind("favourite", "favourite", "Pin on top", show=False),
        bind("delete", "delete", "Delete pipeline", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, PipelineRow] = {}
        self._name_widths: dict[str, int] = {}  # pipeline name -> its cleaned length (cached)
        self._terms = parse_filter("")
        self._filter_text = ""
        self._columns: tuple[Column, ...] = ()
        self._visible: dict[str, frozenset[str]] = {}
        self._suspended = False
        # Until the user moves the cursor it stays on the top row (the most recent activity); from
        # then on it follows its pipeline through every re-sort.
        self._user_moved = False
        # Fleet: rows grouped by target (`g`), and each target's where cell and header row inputs.
        self.grouped = False
        self._where: dict[str, Text] = {}
        self._order: dict[str, int] = {}
        self._targets_seen: tuple[object, ...] = ()
        self._group_count = 0

    @property
    def host(self) -> Host:
        return host_of(self.app)

    @property
    def table(self) -> RankedTable:
        return self.query_one("#pipelines-table", RankedTable)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#pipelines-filter", Input)

    def compose(self) -> ComposeResult:
        yield IdentityHeader(identity_source(self.host), id="header")
        yield Static("", id="pipelines-summary", markup=False)
        yield RankedTable(id="pipelines-table", zebra_stripes=True)
        yield Static("", id="pipelines-empty", markup=False)
        yield Input(
            placeholder="filter: text, or status:failed stage:deploy type:v2 name:pay — esc clears",
            id="pipelines-filter",
        )
        yield Static("", id="pipelines-filter-notice", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.host.store_changed.subscribe(self, self._on_store_changed)
        self.set_interval(TICK_SECONDS, self._tick)
        self.reconcile()
        self.table.focus()

    # --- cursor and selection ----------------------------------------------------------------

    @property
    def cursor_row(self) -> PipelineRow | None:
        """The pipeline under the cursor."""
        key = self.table.cursor_key
        return self._rows.get(key) if key else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = str(event.row_key.value)
        row = self._rows.get(key)
        if row is not None:
            self.host.open_pipeline(row.target, row.name)
        elif key.startswith(GROUP_PREFIX):
            # Enter on a target's header row: show only that target (again: all of them).
            targets_view = self.host.targets_view
            target = next((t for t in self.host.targets if group_key(t) == key), None)
            targets_view.set_view(None if targets_view.view is not None else target)

    def action_logs(self) -> None:
        """Triage in one key: the failed build's log of the pipeline under the cursor, at its first
        error; on a running pipeline with nothing failed, the running build's log, followed live."""
        row = self.cursor_row
        if row is not None:
            self.run_worker(open_triage(self.app, row), group="triage", exclusive=True, exit_on_error=False)

    # --- reconciliation ----------------------------------------------------------------------

    def _on_store_changed(self, change: StoreChange) -> None:
        if change.freshness:
            self.query_one(IdentityHeader).refresh_text()
        if change.freshness and self._targets_signature() != self._targets_seen:
            self.reconcile()  # a target went stale or recovered, or its account became known
        elif change.listing or change.target is None or not self._columns:
            self.reconcile()
        elif change.pipelines:
            self.reconcile(names=change.pipelines, target=change.target)
        elif change.freshness:
            self._show_summary(list(self._rows.values()))

    def reconcile(self, names: frozenset[str] | None = None, target: Target | None = None) -> None:
        """Bring the table in line with the store: all rows, or only ``names`` of ``target``."""
        app = self.host
        now = app.now()
        # (the table orders rows by their rank: the store need not sort them first)
        rows = [r for r in app.store.rows(ordered=False) if app.targets_view.shows(r.target)]
        self._rows = {r.key: r for r in rows}
        table = self.table
        self._update_targets()
        self._ensure_columns(rows)
        if names is None or target is None:
            shown = [r for r in rows if matches(r, self._terms)]
            table.upsert(self._entries(shown, now), remove_missing=True)
        else:
            updates = []
            for name in names:
                row = app.store.row(target, name)
                if row is None or not app.targets_view.shows(target):
                    continue
                if matches(row, self._terms):
                    updates.append(self._entry(row, now))
                else:
                    table.remove(row.key)
            table.upsert(updates)
        if not self._user_moved and table.row_count and table.cursor_row != 0:
            table.move_cursor(row=0, scroll=False)
        self._show_summary(rows)
        self._report_visible()

    def on_key(self, event: events.Key) -> None:
        if event.key in CURSOR_KEYS and self.table.has_focus:
            self._user_moved = True

    def on_click(self, event: events.Click) -> None:
        self._user_moved = True

    def _ensure_columns(self, rows: list[PipelineRow]) -> None:
        """(Re)build the columns when the terminal width or the data's widths call for others."""
        several = len(self.host.targets_view.view_targets) > 1
        widths = self._name_widths
        for r in rows:
            if r.name not in widths:
                widths[r.name] = len(clean(r.name))
        name_width = max([widths[r.name] + (2 if r.favourite else 0) for r in rows] or [20])
        where_width = max((len(cell) for cell in self._where.values()), default=0) if several else 0
        width = self.size.width or self.app.size.width
        columns = plan_columns(width, min(max(name_width, 14), 36), min(where_width, 20))
        if columns == self._columns:
            return
        table = self.table
        cursor = table.cursor_key
        for key in table.row_keys_in_order():
            table.remove(key)
        table.clear(columns=True)
        for column in columns:
            table.add_column(column.label, width=column.width, key=column.key)
        self._columns = columns
        now = self.host.now()
        shown = [r for r in rows if matches(r, self._terms)]
        table.upsert(self._entries(shown, now))
        if cursor is not None and table.has_row(cursor):
            table.move_cursor(row=table.get_row_index(cursor))

    def on_resize(self, event: events.Resize) -> None:
        if self._columns:
            self._ensure_columns(list(self._rows.values()))
            self._report_visible()

    def _show_summary(self, rows: list[PipelineRow]) -> None:
        shown = self.table.row_count - self._group_count
        coverage = self.host.store.coverage(self.host.now(), self.host.targets_view.view_targets)
        self.query_one("#pipelines-summary", Static).update(
            summary_text(rows, shown, self._filter_text, coverage)
        )
        empty = self.query_one("#pipelines-empty", Static)
        if shown:
            empty.display = False
            empty.update("")  # hidden lines hold nothing a frame could show
            return
        empty.display = True
        if rows:
            empty.update(Text(f"No pipeline matches “{clean(self._filter_text)}” — esc clears the filter."))
        elif any(self.host.store.freshness(t).listed for t in self.host.targets_view.view_targets):
            empty.update(Text("No pipelines here."))
        else:
            reasons = [
                f.stale_reason for f in map(self.host.store.freshness, self.host.targets_view.view_targets)
            ]
            reason = next((r for r in reasons if r), None)
            empty.update(Text(f"Cannot list pipelines: {clean(reason)}" if reason else "Loading pipelines…"))

    def _tick(self) -> None:
        """Once a second: relative times of the rows on screen, and which rows those are."""
        if self._suspended or not self._columns:
            return
        now = self.host.now()
        visible = [self._rows[k] for k in self._visible_keys() if k in self._rows]
        self.table.upsert(self._entry(r, now) for r in visible)
        self._report_visible()

    # --- targets: where each row lives, grouping by target -------------------------------------

    def _targets_signature(self) -> tuple[object, ...]:
        """What the where cells and header rows show, bar counts: reconcile all rows when it changes."""
        app = self.host
        seen: list[object] = [self.grouped]
        for t in app.targets_view.view_targets:
            freshness = app.store.freshness(t)
            seen.append((t.key, bool(freshness.stale_reason), freshness.listed, app.store.identity(t)))
            if self.grouped:
                coverage = app.store.coverage(app.now(), [t])
                seen.append(coverage.describe() if coverage.failing else "")
            seen.append(app.targets_view.alias(t))
        return tuple(seen)

    def _update_targets(self) -> None:
        app = self.host
        self._targets_seen = self._targets_signature()
        self._order = {t.key: i for i, t in enumerate(app.targets_view.view_targets)}
        self._where = {
            t.key: where_cell(t, app.store.identity(t), bool(app.store.freshness(t).stale_reason))
            for t in app.targets_view.view_targets
        }

    def _entry(self, row: PipelineRow, now: datetime) -> tuple[str, tuple[Text | str, ...], Hashable]:
        """A pipeline row for ``RankedTable.upsert``: key, cells, rank."""
        cells = row_cells(row, now, self._columns, self._where.get(row.target.key))
        return row.key, cells, row_rank(row, self.grouped, self._order)

    def _entries(
        self, shown: list[PipelineRow], now: datetime
    ) -> list[tuple[str, tuple[Text | str, ...], Hashable]]:
        """Every shown row, plus a header row per target when grouped."""
        entries = [self._entry(r, now) for r in shown]
        self._group_count = 0
        if self.grouped and len(self._order) > 1:
            app, keys = self.host, [c.key for c in self._columns]
            counts = Counter(r.target.key for r in shown)
            for target in app.targets_view.view_targets:
                cells = group_cells(
                    target,
                    keys,
                    app.store.identity(target),
                    app.store.freshness(target),
                    app.targets_view.alias(target),
                    counts[target.key],
                    app.store.coverage(app.now(), [target]),
                )
                entries.append((group_key(target), cells, group_rank(target, self._order)))
                self._group_count += 1
        return entries

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "group":
            # A priority key: it must not take the "g" typed into the filter box.
            return len(self.host.targets_view.view_targets) > 1 and not self.filter_input.has_focus
        return self._check_action(action, parameters)

    def action_group(self) -> None:
        """`g`: rows grouped by target under a header row each, or all sorted by activity."""
        self.grouped = not self.grouped
        self.reconcile()

    def action_favourite(self) -> None:
        """`*`: pin the pipeline under the cursor on top of the list, or unpin it (saved)."""
        row = self.cursor_row
        if row is not None:
            self.host.toggle_favourite(row.name)

    def action_delete(self) -> None:
        """`D`: delete the pipeline under the cursor (its name typed to confirm)."""
        from tui.ui import manage, send

        row = self.cursor_row
        if row is None:
            return
        if send.read_only(self.host):
            self.app.notify(
                "read-only: deleting a pipeline is off (--read-only or read_only = true in the config)",
                severity="warning",
                markup=False,
            )
            return
        manage.open_delete(self.app, row.target, row.name)

    def action_watch(self) -> None:
        """`w`: follow the latest execution of the pipeline under the cursor until it ends."""
        row = self.cursor_row
        if row is not None:
            self.host.alerts.follow(row.target, row.name)

    # --- what is on screen -------------------------------------------------------------------

    def _visible_keys(self) -> list[str]:
        table = self.table
        first = int(table.scroll_y)
        height = max(1, table.size.height - 1)  # minus the header row
        return table.row_keys_in_order()[first : first + height]

    def _report_visible(self) -> None:
        by_target: dict[str, list[str]] = defaultdict(list)  # top first: the start-up reads so
        if not self._suspended:
            for key in self._visible_keys():
                row = self._rows.get(key)
                if row is not None:
                    by_target[row.target.key].append(row.name)
        for target in self.host.targets:
            ordered = by_target.get(target.key, [])
            names = frozenset(ordered)
            if self._visible.get(target.key) != names:
                self._visible[target.key] = names
                self.host.poller.set_visible(target, ordered)

    def on_screen_suspend(self, event: events.ScreenSuspend) -> None:
        # Another screen covers the list: its rows are no longer on screen.
        self._suspended = True
        self._report_visible()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self._suspended = False
        if self._columns:
            self.reconcile()

    # --- filter ------------------------------------------------------------------------------

    def action_fleet_health(self) -> None:
        """`H`: every pipeline ranked by failure rate and time red, with the delivery metrics."""
        from tui.ui.screens.fleet_health import FleetHealthScreen

        self.app.push_screen(FleetHealthScreen())

    def action_filter(self) -> None:
        box = self.filter_input
        box.display = True
        box.focus()

    def _check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return bool(self._filter_text) or self.filter_input.display
        return True

    def action_clear_filter(self) -> None:
        box = self.filter_input
        box.value = ""
        box.display = False
        self._apply_filter("")
        self.table.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "pipelines-filter":
            self._apply_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "pipelines-filter":
            if not event.value.strip():
                event.input.display = False
            self.table.focus()

    def _apply_filter(self, text: str) -> None:
        self._filter_text = text.strip()
        self._terms = parse_filter(text)
        notice = self.query_one("#pipelines-filter-notice", Static)
        problem = filter_notice(text, self._rows.values())
        notice.update(Text(f"⚠ {problem}") if problem else "")
        notice.display = bool(problem)
        self.refresh_bindings()
        self.reconcile()

    def set_filter(self, text: str) -> None:
        """Filter as if typed after `/` (for tests and the command palette)."""
        box = self.filter_input
        box.display = bool(text)
        box.value = text
        self._apply_filter(text)

    @property
    def filter_text(self) -> str:
        return self._filter_text

    def shown_rows(self) -> list[PipelineRow]:
        """The rows in the table, top to bottom."""
        return [self._rows[k] for k in self.table.row_keys_in_order() if k in self._rows]

"""Fleet health (`H` on the pipelines screen): every pipeline ranked by failure rate and time red.

Each row: failure rate and share of the window spent red, the recent outcomes as a strip of status
glyphs, and the four delivery metrics (README: "Delivery metrics"). The reads are the insights
controller's (one page of history per pipeline, at most half of each target's rate budget): the
title says how much of the fleet is covered, and a pipeline not read says why ("waiting for budget",
"could not be read: access denied …") instead of showing an empty history.
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.core.fleet_health import RECENT, FleetRow, coverage_of, fleet_rank
from tui.core.fmt import STATUS_COLORS, duration
from tui.core.sanitize import clean
from tui.ui.host import Host, host_of
from tui.ui.keys import bind
from tui.ui.widgets.footer import KeyFooter
from tui.ui.widgets.insight_charts import outcome_strip
from tui.ui.widgets.ranked_table import CURSOR_KEYS, RankedTable

# (label, width); the pipeline column takes what the others leave (at least NAME_MIN), and below
# WIDE columns the recent outcomes keep the newest NARROW_RECENT.
COLUMNS = (
    ("Pipeline", None),
    ("Fail", 4),
    ("Red", 4),
    ("Recent outcomes", RECENT),
    ("Dep/d", 5),
    ("Lead", 5),
    ("CFR", 4),
    ("Restore", 8),
    ("Runs", 4),
    ("Target", 14),
)
NAME_MIN = 16
NAME_MAX = 32
WIDE = 100
NARROW_RECENT = 10
DRAW_EVERY = 0.5  # seconds between redraws while rows arrive


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _dur(value: float | None) -> str:
    return "—" if value is None else duration(value, coarse=True)


def column_widths(width: int) -> tuple[int, ...]:
    """Each column's width at a terminal ``width``: the target column is the one cut off."""
    recent = RECENT if width >= WIDE else NARROW_RECENT
    fixed = [w if label != "Recent outcomes" else recent for label, w in COLUMNS[1:] if w is not None]
    used = sum(fixed[:-1]) + 2 * len(COLUMNS) + 2  # the target column may go off screen
    return (max(NAME_MIN, min(NAME_MAX, width - used)), *fixed)


def fleet_cells(row: FleetRow, widths: tuple[int, ...] | None = None) -> tuple[Text | str, ...]:
    widths = widths or column_widths(WIDE)
    name = Text(clean(row.pipeline, max_len=widths[0]))
    if not row.known or row.delivery is None:
        why = Text(clean(row.error or "unknown", max_len=60), style=STATUS_COLORS["muted"])
        return (name, "?", "?", why, "", "", "", "", "?", clean(row.target_label, max_len=14))
    recent_width = widths[3]
    d = row.delivery
    fail = Text(_pct(row.failure_rate), style=STATUS_COLORS["error"] if row.failure_rate else "")
    red = Text(_pct(row.red_share), style=STATUS_COLORS["error"] if d.red_for is not None else "")
    restore = _dur(d.time_to_restore)
    if d.red_for is not None:
        restore = f"red {_dur(d.red_for)}"
    return (
        name,
        fail,
        red,
        outcome_strip(row.recent, recent_width),
        "—" if d.deployments_per_day is None else f"{d.deployments_per_day:.1f}",
        _dur(d.lead_time),
        _pct(d.change_failure_rate),
        restore,
        str(row.read),
        clean(row.target_label, max_len=14),
    )


class FleetHealthScreen(Screen[None]):
    CSS_PATH = "insights.tcss"
    BINDINGS = [
        Binding("enter", "open", "Open insights", priority=True),
        bind("refresh", "refresh", "Refresh"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._dirty = False
        self.reading = False
        self._widths = column_widths(WIDE)
        # The cursor stays on the top row (the worst) until the user moves it.
        self._user_moved = False

    @property
    def host(self) -> Host:
        return host_of(self.app)

    @property
    def table(self) -> RankedTable:
        return self.query_one("#fleet-table", RankedTable)

    def compose(self) -> ComposeResult:
        yield Static(Text("Fleet health", style="bold"), id="fleet-title", markup=False)
        yield Static("", id="fleet-notice", markup=False)
        table = RankedTable(id="fleet-table", zebra_stripes=True)
        self._widths = column_widths(self.app.size.width)
        for (label, _), width in zip(COLUMNS, self._widths, strict=True):
            table.add_column(
                "Recent" if label == "Recent outcomes" and width < RECENT else label,
                key=label.lower(),
                width=width,
            )
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.table.focus()
        self._draw()
        self.set_interval(DRAW_EVERY, self._draw_if_dirty)
        self.read()

    @work(exclusive=True, group="fleet-health", exit_on_error=False)
    async def read(self, force: bool = False) -> None:
        self.reading = True
        self._dirty = True
        try:
            await self.host.insights.read_fleet(self._on_row, force=force)
        finally:
            self.reading = False
            self._dirty = True
            self._draw_if_dirty()

    def _on_row(self, row: FleetRow) -> None:
        self._dirty = True

    def _draw_if_dirty(self) -> None:
        if self._dirty:
            self._dirty = False
            self._draw()

    def _draw(self) -> None:
        rows = self.host.insights.fleet_snapshot()
        cov = coverage_of(rows)
        window = self.host.insights.window
        title = Text.assemble(
            ("Fleet health", "bold"),
            "  ·  ",
            cov.sentence,
            (f"  ·  last {min(window, 100)} executions each, worst first", "dim"),
        )
        self.query_one("#fleet-title", Static).update(title)
        notice = self.query_one("#fleet-notice", Static)
        if self.reading and cov.read < cov.pipelines:
            notice.update(
                Text(
                    "Reading histories within half of each target's rate budget; "
                    "polls keep the rest. Rows not read yet say so.",
                    style="dim",
                )
            )
            notice.display = True
        else:
            notice.display = False
        ranked: list[tuple[str, tuple[Text | str, ...], Hashable]] = [
            (r.key, fleet_cells(r, self._widths), fleet_rank(r)) for r in rows
        ]
        table = self.table
        table.upsert(ranked, remove_missing=True)
        if not self._user_moved and table.row_count and table.cursor_row != 0:
            table.move_cursor(row=0, scroll=False)

    def on_key(self, event: events.Key) -> None:
        if event.key in CURSOR_KEYS and self.table.has_focus:
            self._user_moved = True

    def on_click(self, event: events.Click) -> None:
        self._user_moved = True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        key = self.table.cursor_key
        row = next((r for r in self.host.store.rows() if r.key == key), None)
        if row is None:
            return
        from tui.ui.screens.insights import InsightsScreen

        self.app.push_screen(InsightsScreen(row.target, row.name))

    def action_refresh(self) -> None:
        self.read(force=True)

    def action_back(self) -> None:
        self.dismiss()

"""Execution history of one pipeline: a table paged on demand, kept fresh by key.

The first page is fetched on open and again whenever the store says the pipeline changed (new
executions, PARALLEL runs progressing); older pages load as the cursor nears the end. Rows are
reconciled by execution id, so neither a refresh nor a new page moves the cursor.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from tui.aws.errors import AwsError
from tui.core.datum import Datum
from tui.core.error_text import error_text
from tui.core.model import ExecutionSummary, Page, Target
from tui.core.sanitize import clean
from tui.ui import copy_link
from tui.ui.host import Host, host_of
from tui.ui.keys import bind
from tui.ui.screens.fast_polling import start_fast_polling, stop_fast_polling
from tui.ui.screens.history_view import COLUMNS, history_cells, history_rank, insights_panel, revision_width
from tui.ui.widgets.footer import KeyFooter
from tui.ui.widgets.ranked_table import RankedTable

if TYPE_CHECKING:
    from tui.core.store import StoreChange

PAGE_SIZE = 25
# Start fetching the next page when the cursor is this close to the last row.
PREFETCH_ROWS = 5
LOADING_KEY = "__loading_more__"

class HistoryScreen(Screen[None]):
    """The executions of one pipeline, newest first."""

    CSS_PATH = "history.tcss"

    BINDINGS = [
        # priority: the focused table would otherwise take enter and hide the key from the footer.
        Binding("enter", "open", "Open execution", priority=True),
        bind("refresh", "refresh", "Refresh"),
        bind("copy", "copy", "Copy"),
        bind("link", "link", "Link"),
        Binding("escape", "back", "Back"),
        bind("watch", "watch", "Follow execution", show=False),
        bind("stage_filter", "stage_filter", "Succeeded in stage…"),
        bind("insights", "insights", "Insights"),
    ]

    def __init__(self, target: Target, name: str) -> None:
        super().__init__()
        self.target = target
        self.pipeline_name = name
        self.executions: dict[str, ExecutionSummary] = {}
        self.next_token: str | None = None
        self.pages_loaded = 0
        self.loading_more = False
        self._first_page_done = False
        # The newest page (re-read on every change of the pipeline) and the page after the last.
        self.first_read: Datum[Page[ExecutionSummary]] = Datum()
        self.more_read: Datum[Page[ExecutionSummary]] = Datum()
        # `f`: only executions that succeeded in this stage (ListPipelineExecutions' filter).
        self.succeeded_in: str | None = None

    @property
    def host(self) -> Host:
        return host_of(self.app)

    @property
    def table(self) -> RankedTable:
        return self.query_one("#history-table", RankedTable)

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="history-title", markup=False)
        yield Static("", id="history-notice", markup=False)
        yield Static("", id="history-insights", markup=False)
        table = RankedTable(id="history-table", zebra_stripes=True)
        for label, width in COLUMNS:
            table.add_column(label, key=label.lower(), width=width)
        yield table
        yield Static("Loading executions…", id="history-empty", markup=False)
        yield KeyFooter()

    def _title(self) -> Text:
        title = Text.assemble((clean(self.pipeline_name), "bold"), "  ›  execution history")
        if self.succeeded_in:
            title.append(f"  ·  succeeded in {clean(self.succeeded_in)}", "bold yellow")
        title.append(f"   {self.target.label}", "dim")
        return title

    def on_mount(self) -> None:
        start_fast_polling(self, self.host, self.target, self.pipeline_name, self._on_store_changed)
        self.table.focus()
        self.load_first_page()
        self.set_interval(10, self._tick)

    def on_unmount(self) -> None:
        stop_fast_polling(self, self.host, self.target, self.pipeline_name)

    # --- data -----------------------------------------------------------------------------------

    def _on_store_changed(self, change: StoreChange) -> None:
        if change.target not in (None, self.target):
            return
        answering = not self.host.store.freshness(self.target).stale_reason
        if self.pipeline_name in change.pipelines or (
            answering and self.first_read.retry_due(self.host.now())
        ):
            # New data for this pipeline, or the endpoint answers again after the list failed.
            self.load_first_page()

    @work(exclusive=True, group="history-first", exit_on_error=False)
    async def load_first_page(self) -> None:
        """(Re)fetch the newest page and merge it in by execution id."""
        name, stage = self.pipeline_name, self.succeeded_in
        self.first_read.start(None, self.host.now())
        try:
            page: Page[ExecutionSummary] = await self.host.reads.executions(
                self.target, name, max_results=PAGE_SIZE, succeeded_in_stage=stage
            )
        except AwsError as error:
            reason = error_text(error, profile=self.target.profile)
            self.first_read.fail(f"Could not list executions: {reason}")
            self._render_markers()
            return
        self.first_read.set_value(page, self.host.now())
        if not self._first_page_done:
            self._first_page_done = True
            self.pages_loaded = 1
            self.next_token = page.next_token
        self._merge(page.items)

    def load_more(self) -> bool:
        """Fetch the page after the last one loaded; False if there is none or one is on its way."""
        token = self.next_token
        if token is None or self.loading_more:
            return False
        self.loading_more = True
        loading = (Text("…", style="dim"), "", "", "", "loading more…", "", "", "")
        self.table.upsert([(LOADING_KEY, loading, (math.inf, ""))])
        self._fetch_page(token)
        return True

    @work(group="history-more", exit_on_error=False)
    async def _fetch_page(self, token: str) -> None:
        name, stage = self.pipeline_name, self.succeeded_in
        self.more_read.start(token)
        try:
            page: Page[ExecutionSummary] = await self.host.reads.executions(
                self.target, name, max_results=PAGE_SIZE, succeeded_in_stage=stage, next_token=token
            )
        except AwsError as error:
            reason = error_text(error, profile=self.target.profile)
            self.more_read.fail(f"Could not load more executions: {reason}")
            self._render_markers()
            return
        finally:
            self.loading_more = False
            self.table.remove_key(LOADING_KEY)
        self.more_read.set_value(page, self.host.now())
        self.pages_loaded += 1
        self.next_token = page.next_token
        self._merge(page.items)
        self._maybe_load_more()

    def _merge(self, items: Sequence[ExecutionSummary]) -> None:
        for summary in items:
            self.executions[summary.execution_id] = summary
        self._upsert(items)
        self._render_markers()
        self._render_insights()

    def _render_insights(self) -> None:
        """The panel: the loaded executions' success rate, usual duration and outcomes (`i`: more)."""
        panel = self.query_one("#history-insights", Static)
        ordered = [self.executions[k] for k in self.table.row_keys_in_order() if k in self.executions]
        panel.update(insights_panel(self.pipeline_name, ordered, self.host.now(), self.size.width - 2))
        panel.display = bool(ordered)

    def _render_markers(self) -> None:
        """The notice and the empty-table line, from the two reads' state only: an error goes
        when its read succeeds, and "Loading executions…" never stands under an error."""
        self._notice(self.first_read.error or self.more_read.error or "")
        empty = self.query_one("#history-empty", Static)
        if self._first_page_done:
            text = "This pipeline has not run yet."
        else:
            # The notice says why nothing is listed; the table's line does not repeat it.
            text = "" if self.first_read.error else "Loading executions…"
        empty.display = not self.executions and bool(text)
        empty.update(text if empty.display else "")  # hidden lines hold nothing a frame could show

    def _upsert(self, items: Iterable[ExecutionSummary]) -> None:
        now, width = self.host.now(), self._revision_width()
        self.table.upsert((s.execution_id, history_cells(s, now, width), history_rank(s)) for s in items)

    def _revision_width(self) -> int:
        return revision_width(self.size.width)

    def _tick(self) -> None:
        """Relative times and running durations move on; only cells whose text changed update."""
        self._upsert(self.executions.values())

    def on_resize(self, event: events.Resize) -> None:
        self._upsert(self.executions.values())

    def _notice(self, text: str) -> None:
        notice = self.query_one("#history-notice", Static)
        notice.update(Text(text))
        notice.display = bool(text)

    # --- keys -----------------------------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._maybe_load_more()

    def _maybe_load_more(self) -> None:
        table = self.table
        if self.next_token and not self.loading_more and table.cursor_row >= table.row_count - PREFETCH_ROWS:
            self.load_more()

    def action_open(self) -> None:
        key = self.table.cursor_key
        if key is None or key not in self.executions:
            return
        from tui.ui.screens.execution import ExecutionScreen

        ordered = [self.executions[k] for k in self.table.row_keys_in_order() if k in self.executions]
        self.app.push_screen(ExecutionScreen(self.target, self.pipeline_name, key, history=ordered))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # Mouse clicks on a row (enter is the screen's priority binding).
        self.action_open()

    def action_refresh(self) -> None:
        self.host.poller.refresh_now(self.target, self.pipeline_name)
        self.load_first_page()

    def action_copy(self) -> None:
        """`y`: the selected execution's id, the pipeline's ARN, their console links."""
        key = self.table.cursor_key if self.table.cursor_key in self.executions else None
        copy_link.open_copy(self.app, copy_link.copy_items(self.host, self.target, self.pipeline_name, key))

    def action_link(self) -> None:
        key = self.table.cursor_key if self.table.cursor_key in self.executions else None
        copy_link.open_link(self.app, copy_link.link_items(self.target, self.pipeline_name, key))

    def action_watch(self) -> None:
        """`w`: follow the selected execution until it ends (listed by `W`, notified when done)."""
        key = self.table.cursor_key
        if key is not None and key in self.executions:
            self.host.alerts.follow(self.target, self.pipeline_name, key, self.executions[key])

    def action_stage_filter(self) -> None:
        """`f`: show only the executions that succeeded in a chosen stage (or all again)."""
        definition = self.host.store.definition(self.target, self.pipeline_name)
        stages = [s.name for s in definition.stages] if definition else []
        if not stages:
            self.notify("The pipeline's stages are not known yet.", severity="warning")
            return
        self.app.push_screen(StageChooser(stages, self.succeeded_in), self.set_stage_filter)

    def set_stage_filter(self, stage: str | None) -> None:
        """Show the executions that succeeded in ``stage`` ("" or None: all of them)."""
        stage = stage or None
        if stage == self.succeeded_in:
            return
        self.succeeded_in = stage
        self.executions.clear()
        self.table.clear()
        self.next_token = None
        self.pages_loaded = 0
        self._first_page_done = False
        self.first_read = Datum()
        self.more_read = Datum()
        self.query_one("#history-title", Static).update(self._title())
        self._render_markers()
        self.load_first_page()
    def action_insights(self) -> None:
        """`i`: the pipeline's insights over its last N executions."""
        from tui.ui.screens.insights import InsightsScreen

        self.app.push_screen(InsightsScreen(self.target, self.pipeline_name))

    def action_back(self) -> None:
        if self.succeeded_in:
            self.set_stage_filter(None)  # esc clears the filter first
            return
        self.dismiss()


class StageChooser(ModalScreen[str | None]):
    """Pick the stage executions must have succeeded in ("All executions" clears the filter)."""

    DEFAULT_CSS = """
    StageChooser { align: center middle; }
    StageChooser #stage-chooser { width: 50; height: auto; max-height: 80%; border: thick $primary;
        background: $surface; padding: 0 1; }
    StageChooser OptionList { height: auto; max-height: 20; }
    """
    BINDINGS = [bind("dialog_cancel", "cancel", "Close")]

    def __init__(self, stages: Sequence[str], current: str | None) -> None:
        super().__init__()
        self.stages = tuple(stages)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="stage-chooser"):
            yield Static(Text("Show executions that succeeded in", style="bold"), markup=False)
            options = [Option("All executions", id="")]
            options += [Option(Text(clean(s)), id=f"stage:{i}") for i, s in enumerate(self.stages)]
            yield OptionList(*options, id="stage-list")
            yield Static(Text("enter chooses · esc closes", style="dim"), markup=False)

    def on_mount(self) -> None:
        chooser = self.query_one(OptionList)
        chooser.highlighted = self.stages.index(self.current) + 1 if self.current in self.stages else 0
        chooser.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = event.option.id or ""
        self.dismiss(self.stages[int(key.removeprefix("stage:"))] if key else "")

    def action_cancel(self) -> None:
        self.dismiss(None if self.current is None else self.current)

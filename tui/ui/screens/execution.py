"""One pipeline execution in detail: every action execution, the failure first, and what changed.

Data: GetPipelineExecution + ListActionExecutions (on open, on `r`, and on store changes while the
execution runs); the baseline for the diff is the newest older Succeeded execution, looked up in the
history pages the caller passed (or fetched here), then GetPipelineExecution for it. Both reads are
``Datum``s: "Loading…", "Looking for the last successful execution…" and the error notice are drawn
from them only, so none outlives the read it describes; a failed read is tried again when the poller
next refreshes this pipeline. What is drawn from the data (rows, callout, detail, comparison) is in
``execution_view``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.aws.errors import AwsError
from tui.core.datum import Datum
from tui.core.definition_lines import rule_execution_lines
from tui.core.error_text import error_text
from tui.core.execution_diff import ExecutionDiff, diff_executions, find_last_success
from tui.core.model import ActionExecution, Execution, ExecutionSummary, PipelineDef, Status, Target
from tui.core.sanitize import clean
from tui.ui import copy_link
from tui.ui.host import Host, host_of
from tui.ui.keys import bind
from tui.ui.screens.execution_view import (
    COLUMNS,
    action_cells,
    action_detail,
    action_rank,
    diff_content,
    failure_content,
    is_codebuild,
    latest_attempts,
)
from tui.ui.screens.fast_polling import start_fast_polling, stop_fast_polling
from tui.ui.screens.logs import open_build_logs
from tui.ui.widgets.execution_panel import ExecutionPanel
from tui.ui.widgets.footer import KeyFooter
from tui.ui.widgets.ranked_table import RankedTable

if TYPE_CHECKING:
    from tui.core.store import StoreChange

# How far back (in history pages) to look for the last successful execution.
MAX_BASELINE_PAGES = 4


class ExecutionScreen(Screen[None]):
    """Everything about one execution; the failed action is on top and under the cursor."""

    CSS_PATH = "execution.tcss"

    BINDINGS = [
        bind("logs", "logs", "Logs"),
        bind("refresh", "refresh", "Refresh"),
        bind("copy", "copy", "Copy"),
        bind("link", "link", "Link"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(
        self,
        target: Target,
        name: str,
        execution_id: str,
        *,
        history: Sequence[ExecutionSummary] = (),
        focus: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.target = target
        self.pipeline_name = name
        self.execution_id = execution_id
        self.history = list(history)
        self.focus_action = focus
        self.execution: Execution | None = None
        self.actions: dict[str, ActionExecution] = {}  # each action's latest attempt, by id
        self.earlier: dict[tuple[str, str], list[ActionExecution]] = {}  # retried attempts
        self.baseline: Execution | None = None
        self.diff: ExecutionDiff | None = None
        # The reads this screen shows: the execution with its actions, and the comparison.
        self.read: Datum[Execution] = Datum()
        self.diff_read: Datum[ExecutionDiff] = Datum()
        self._focused_once = False

    @property
    def host(self) -> Host:
        return host_of(self.app)

    @property
    def table(self) -> RankedTable:
        return self.query_one("#execution-actions", RankedTable)

    @property
    def selected_action_execution(self) -> ActionExecution | None:
        key = self.table.cursor_key
        return self.actions.get(key) if key else None

    def compose(self) -> ComposeResult:
        title = Text.assemble(
            (clean(self.pipeline_name), "bold"),
            "  ›  execution ",
            (clean(self.execution_id), "bold"),
            (f"   {self.target.label}", "dim"),
        )
        yield Static(title, id="execution-title", markup=False)
        yield Static("", id="execution-notice", markup=False)
        with VerticalScroll(id="execution-body"):
            yield ExecutionPanel(
                self._summary(), None, now=self.host.now(), note="Loading…", id="execution-summary"
            )
            yield Static("", id="execution-failure", markup=False)
            yield Static("", id="execution-rules", markup=False)
            table = RankedTable(id="execution-actions")
            for column in COLUMNS:
                table.add_column(column, key=column.lower())
            yield table
            with Horizontal(id="execution-lower"):
                yield Static("", id="execution-action-detail", markup=False)
                yield Static(
                    Text("Looking for the last successful execution…", style="dim"), id="execution-diff"
                )
        yield KeyFooter()

    def on_mount(self) -> None:
        start_fast_polling(self, self.host, self.target, self.pipeline_name, self._on_store_changed)
        self.query_one("#execution-failure").display = False
        self.query_one("#execution-rules").display = False
        self.table.focus()
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        # Detail and diff side by side when there is room, stacked on narrow terminals.
        self.set_class(event.size.width < 100, "-narrow")

    def on_unmount(self) -> None:
        stop_fast_polling(self, self.host, self.target, self.pipeline_name)

    def _summary(self) -> ExecutionSummary | None:
        found = next((s for s in self.history if s.execution_id == self.execution_id), None)
        if found is None:
            latest = self.host.store.latest_execution(self.target, self.pipeline_name)
            if latest is not None and latest.execution_id == self.execution_id:
                return latest
        return found

    def _definition(self) -> PipelineDef | None:
        return self.host.store.definition(self.target, self.pipeline_name)

    # --- data -----------------------------------------------------------------------------------

    def _on_store_changed(self, change: StoreChange) -> None:
        if change.target not in (None, self.target):
            return
        if self.read.retry_due(self.host.now()) and not self.host.store.freshness(self.target).stale_reason:
            # A poll just succeeded: the endpoint answers, so the failed read is tried again now.
            self.load()
            return
        if self.pipeline_name not in change.pipelines:
            return
        # A finished execution does not change any more; only a running one is worth re-reading.
        if self.execution is None or not self.execution.status.is_terminal:
            self.load()
        else:
            # The definition may have arrived (stage order, source providers): re-render, no fetch.
            self._render_execution()

    @work(exclusive=True, group="execution-load", exit_on_error=False)
    async def load(self) -> None:
        """Fetch the execution and its action executions, then render; the diff follows once."""
        name, exec_id = self.pipeline_name, self.execution_id
        self.read.start(exec_id, self.host.now())
        self._render_markers()
        try:
            execution, actions = await asyncio.gather(
                self.host.reads.execution(self.target, name, exec_id),
                self.host.reads.action_executions(self.target, name, exec_id),
            )
        except AwsError as error:
            reason = error_text(error, profile=self.target.profile)
            self.read.fail(f"Could not load execution {clean(exec_id)}: {reason}")
            self._render_markers()
            return
        self.read.set_value(execution, self.host.now())
        self._render_markers()
        self.execution = execution
        latest, self.earlier = latest_attempts(actions)
        self.actions = {a.action_execution_id: a for a in latest}
        self._render_execution()
        definition = self._definition()
        if definition is not None and any(stage.all_conditions for stage in definition.stages):
            self.load_rules()
        if self.diff is None:
            self.load_diff()

    @work(exclusive=True, group="execution-rules", exit_on_error=False)
    async def load_rules(self) -> None:
        """ListRuleExecutions of this execution: its stage conditions' rules and how they went."""
        name, exec_id = self.pipeline_name, self.execution_id
        text = Text("Rule executions  ", style="bold")
        try:
            found = await self.host.reads.rule_executions(self.target, name, exec_id)
        except AwsError as error:
            text.append(f"could not be read: {error_text(error, profile=self.target.profile)}", "yellow")
        else:
            lines = rule_execution_lines(found)
            if not lines:
                text.append("none", "dim")
            for index, line in enumerate(lines):
                text.append(("\n  " if index else "") + clean(line, max_len=200))
        rules = self.query_one("#execution-rules", Static)
        rules.update(text)
        rules.display = True

    @work(exclusive=True, group="execution-diff", exit_on_error=False)
    async def load_diff(self) -> None:
        """Find the last success before this execution and compare sources and variables."""
        name = self.pipeline_name
        self.diff_read.start(self.execution_id)
        self._render_markers()
        try:
            baseline_id = find_last_success(self.history, self.execution_id)
            token: str | None = None
            pages = 0
            if not isinstance(baseline_id, str):
                history: list[ExecutionSummary] = []
                while pages < MAX_BASELINE_PAGES:
                    page = await self.host.reads.executions(self.target, name, next_token=token)
                    pages += 1
                    history.extend(page.items)
                    baseline_id = find_last_success(history, self.execution_id)
                    token = page.next_token
                    if isinstance(baseline_id, str) or token is None:
                        break
            if not isinstance(baseline_id, str):
                self.diff_read.fail("No earlier successful execution found to compare with.")
                self._render_markers()
                return
            baseline = await self.host.reads.execution(self.target, name, baseline_id)
        except AwsError as error:
            reason = error_text(error, profile=self.target.profile)
            self.diff_read.fail(f"Could not compare with the last success: {reason}")
            self._render_markers()
            return
        if self.execution is None:
            return
        self.baseline = baseline
        self.diff = diff_executions(baseline, self.execution)
        self.diff_read.set_value(self.diff, self.host.now())
        self._render_markers()

    # --- rendering ------------------------------------------------------------------------------

    def _render_execution(self) -> None:
        now = self.host.now()
        panel = self.query_one(ExecutionPanel)
        definition = self._definition()
        panel.update(self._summary(), self.execution, definition=definition, now=now)
        stage_order = [s.name for s in definition.stages] if definition else []
        if not stage_order:
            stage_order = sorted({a.stage_name for a in self.actions.values()})
        self.table.upsert(
            (
                (key, action_cells(a, now, len(self._earlier(a))), action_rank(a, stage_order))
                for key, a in self.actions.items()
            ),
            remove_missing=True,
        )
        self._render_failure()
        if not self._focused_once and self.actions:
            self._focused_once = True
            self._place_cursor()
        self._render_detail()

    def _earlier(self, action: ActionExecution) -> list[ActionExecution]:
        return self.earlier.get((action.stage_name, action.action_name), [])

    def _place_cursor(self) -> None:
        """Start on the requested action, else on the first row (the failed action when there is one)."""
        if self.focus_action is not None:
            stage, action = self.focus_action
            for key, item in self.actions.items():
                if (item.stage_name, item.action_name) == (stage, action):
                    self.table.move_cursor(row=self.table.get_row_index(key))
                    return
        self.table.move_cursor(row=0)

    def _render_failure(self) -> None:
        failed = [a for a in self.actions.values() if a.status == Status.FAILED]
        widget = self.query_one("#execution-failure", Static)
        if not failed:
            summary = self.execution.status_summary if self.execution else None
            stopped = self.execution is not None and self.execution.status in (Status.STOPPED, Status.FAILED)
            widget.display = bool(summary and stopped)
            if widget.display:
                widget.update(Text(clean(summary)))
            return
        widget.update(failure_content(failed, self.size.width))
        widget.display = True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._render_detail()

    def _render_detail(self) -> None:
        action = self.selected_action_execution
        widget = self.query_one("#execution-action-detail", Static)
        if action is None:
            widget.update("")
            return
        width = max(20, widget.size.width - 12) if widget.size.width else 100
        widget.update(action_detail(action, self._earlier(action), self.host.now(), width))

    def _diff_content(self) -> Content:
        if self.diff is None or self.execution is None or self.baseline is None:
            return Content("")
        return diff_content(self.diff, self.baseline, self.execution)

    def _render_markers(self) -> None:
        """The notice, the panel's note and the comparison, from the reads' state only."""
        self._notice(self.read.error or "")
        panel = self.query_one(ExecutionPanel)
        note = self.read.marker("Loading…")
        # (The error is in the notice above: the panel does not repeat it.)
        panel.update(
            self._summary(),
            self.execution,
            definition=self._definition(),
            now=self.host.now(),
            note=None if self.read.error else note,
        )
        diff_widget = self.query_one("#execution-diff", Static)
        if self.diff_read.value is not None:
            diff_widget.update(self._diff_content())
        elif self.diff_read.error is not None:
            diff_widget.update(Text(self.diff_read.error, style="dim"))
        elif self.diff_read.loading:
            diff_widget.update(Text("Looking for the last successful execution…", style="dim"))
        elif self.read.error is not None:
            # The comparison waits for the execution: no "looking for" under its error.
            diff_widget.update("")

    def _notice(self, text: str) -> None:
        notice = self.query_one("#execution-notice", Static)
        notice.update(Text(text))
        notice.display = bool(text)

    # --- keys -----------------------------------------------------------------------------------

    def action_logs(self) -> None:
        action = self.selected_action_execution
        if action is None or not is_codebuild(action):
            self.notify("Logs are available for CodeBuild actions.", severity="warning")
            return
        failed = action.status == Status.FAILED
        open_build_logs(
            self.app,
            self.target,
            action.external_execution_id,
            title=f"{self.pipeline_name} › {action.stage_name} › {action.action_name}",
            error_message=(action.error_message or action.error_code or "failed") if failed else None,
        )

    def action_refresh(self) -> None:
        self.load()

    def action_copy(self) -> None:
        """`y`: this execution's id, the pipeline's ARN, console links, the selected action's ids."""
        extra: dict[str, str] = {}
        action = self.selected_action_execution
        if action is not None:
            if action.external_execution_id:
                extra["External id"] = action.external_execution_id
            if action.external_execution_url:
                extra["External URL"] = action.external_execution_url
        items = copy_link.copy_items(
            self.host, self.target, self.pipeline_name, self.execution_id, extra=extra
        )
        copy_link.open_copy(self.app, items)

    def action_link(self) -> None:
        copy_link.open_link(
            self.app, copy_link.link_items(self.target, self.pipeline_name, self.execution_id)
        )

    def action_back(self) -> None:
        self.dismiss()

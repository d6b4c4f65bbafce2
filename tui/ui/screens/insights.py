"""Pipeline insights (`i` on the pipeline and history screens): "is this normal?" as pictures.

The screen only draws: the reads are the insights controller's (tui/app/insights_control.py, through
the rate budget, finished executions read once) and the numbers tui/core/insights.py's. The
execution chart appears as soon as the list of executions is read; the stage and action tables,
flaky actions and "what broke it" fill in as each execution's action executions arrive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.aws.errors import AwsError
from tui.core.error_text import error_text
from tui.core.execution_diff import ExecutionDiff, diff_executions
from tui.core.fmt import STATUS_COLORS, ago, duration, short_id
from tui.core.insights import CurrentRun, PipelineInsights, StepStats, pipeline_insights
from tui.core.model import ActionExecution, ExecutionSummary, Target
from tui.core.revisions import revision_message
from tui.core.sanitize import clean
from tui.ui.host import Host, host_of
from tui.ui.keys import bind
from tui.ui.widgets.footer import KeyFooter
from tui.ui.widgets.insight_charts import duration_chart

if TYPE_CHECKING:
    from tui.core.store import StoreChange

CHART_HEIGHT = 6
MAX_STEPS = 8  # rows per stage/action table
TICK_SECONDS = 5.0


def pct(value: float | None) -> str:
    return "unknown" if value is None else f"{value * 100:.0f}%"


def dur(value: float | None) -> str:
    return "—" if value is None else duration(value)


def summary_line(ins: PipelineInsights) -> Text:
    o = ins.outcomes
    text = Text()
    if o.decided:
        text.append(f"Success rate {pct(o.success_rate)}", style="bold")
        text.append(f" ({o.succeeded} of {o.decided})")
    else:
        text.append("Success rate unknown", style="bold")
        text.append(" (no execution succeeded or failed in the window)")
    extras = [
        (o.stopped, "stopped"),
        (o.superseded, "superseded"),
        (o.rollbacks, "rollback" if o.rollbacks == 1 else "rollbacks"),
        (o.running, "running"),
    ]
    for count, word in extras:
        if count:
            text.append(f" · {count} {word}", style="dim")
    if ins.per_day is not None:
        text.append(f" · {ins.per_day:.1f} executions/day")
    return text


def coverage_line(ins: PipelineInsights, complete: bool) -> Text:
    text = Text(f"Last {ins.window} executions: {ins.read} read", style="dim")
    if ins.read < ins.window and complete:
        text.append(" (all there are)", style="dim")
    text.append(f" · action details for {ins.with_actions} of {ins.read}", style="dim")
    return text


def current_lines(current: Sequence[CurrentRun]) -> Text:
    text = Text()
    for run in current:
        over = run.p95 is not None and run.elapsed > run.p95
        text.append("● " + clean(run.sentence) + "\n", style=STATUS_COLORS["warning" if over else "accent"])
    return text


def steps_table(title: str, steps: Sequence[StepStats], limit: int = MAX_STEPS) -> Table:
    table = Table(title=title, title_justify="left", box=None, pad_edge=False, expand=False)
    for header, justify in (
        ("", "left"),
        ("runs", "right"),
        ("failed", "right"),
        ("share", "right"),
        ("p50", "right"),
        ("p95", "right"),
        ("trend", "left"),
    ):
        table.add_column(header, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for s in steps[:limit]:
        trend = Text(f"↑ {s.slower:.1f}× slower", style=STATUS_COLORS["warning"]) if s.slower else Text("")
        failed = Text(str(s.failures), style=STATUS_COLORS["error"] if s.failures else "")
        table.add_row(
            Text(clean(s.label, max_len=40)),
            str(s.runs),
            failed,
            pct(s.share) if s.failures else "",
            dur(s.p50),
            dur(s.p95),
            trend,
        )
    return table


def flaky_text(ins: PipelineInsights, now_label: str = "") -> Text:
    text = Text("Flaky actions", style="bold")
    text.append("  failed, then passed on a retry or a re-run (same revision)\n", style="dim")
    if not ins.flaky:
        text.append("None in the executions read." if ins.with_actions else "Not known yet.", style="dim")
        return text
    for f in ins.flaky:
        text.append(f"  ⚠ {clean(f.label, max_len=40)}", style=STATUS_COLORS["warning"])
        parts = []
        if f.retries:
            parts.append(f"{f.retries}× passed on retry")
        if f.reruns:
            parts.append(f"{f.reruns}× passed on a re-run")
        text.append("  " + ", ".join(parts))
        text.append(f"  · last {short_id(f.last_execution_id)}{now_label}\n", style="dim")
    return text


def short_value(value: str | None) -> str:
    """A revision value as the diff gives it ("<id> <change id>"): commit ids shortened to 8."""
    if not value:
        return "—"
    words = list(dict.fromkeys(w[:8] if len(w) == 40 else w for w in value.split()))
    return clean(" ".join(words), max_len=40)


class InsightsScreen(Screen[None]):
    """History insights of one pipeline over its last N executions."""

    CSS_PATH = "insights.tcss"
    BINDINGS = [
        bind("refresh", "refresh", "Refresh"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, target: Target, name: str) -> None:
        super().__init__()
        self.target = target
        self.pipeline_name = name
        self.history: list[ExecutionSummary] = []
        self.actions: dict[str, Sequence[ActionExecution]] = {}
        self.complete = False  # the list was read to its end or to the window
        self.insights: PipelineInsights | None = None
        self.diff: ExecutionDiff | None = None
        self.diff_note = ""
        self.error = ""
        self.busy_note = "Reading executions…"

    @property
    def host(self) -> Host:
        return host_of(self.app)

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="insights-title", markup=False)
        yield Static("", id="insights-notice", markup=False)
        with VerticalScroll(id="insights-body"):
            yield Static("", id="insights-summary", markup=False)
            yield Static("", id="insights-chart", markup=False)
            yield Static("", id="insights-broke", markup=False)
            yield Static("", id="insights-flaky", markup=False)
            yield Static("", id="insights-steps", markup=False)
        yield KeyFooter()

    def _title(self) -> Text:
        return Text.assemble(
            (clean(self.pipeline_name), "bold"), "  ›  insights", (f"   {clean(self.target.label)}", "dim")
        )

    def on_mount(self) -> None:
        self.query_one("#insights-body").focus()
        self.host.store_changed.subscribe(self, self._on_store_changed)
        # The running execution's elapsed time moves against its p50/p95.
        self.set_interval(TICK_SECONDS, self._tick)
        self._draw()
        self.load()

    def on_unmount(self) -> None:
        self.host.store_changed.unsubscribe(self)

    def _tick(self) -> None:
        if self.insights is not None and self.insights.current:
            self._draw()

    def _on_store_changed(self, change: StoreChange) -> None:
        """A new execution, or the newest one ended: read the window again (what is cached is not
        read again: a list page and the running execution's actions)."""
        if change.target not in (None, self.target) or self.pipeline_name not in change.pipelines:
            return
        latest = self.host.store.latest_execution(self.target, self.pipeline_name)
        newest = self.history[0] if self.history else None
        moved = latest is not None and (
            newest is None or (latest.execution_id, latest.status) != (newest.execution_id, newest.status)
        )
        if moved:
            self.load()

    # --- data -----------------------------------------------------------------------------------

    @work(exclusive=True, group="insights", exit_on_error=False)
    async def load(self) -> None:
        ctl = self.host.insights
        name = self.pipeline_name
        self.error = ""
        self.busy_note = "Reading executions…"
        self._draw()
        try:
            self.history = await ctl.history(self.target, name)
        except AwsError as error:
            self.error = f"Could not list executions: {error_text(error, profile=self.target.profile)}"
            self.busy_note = ""
            self._draw()
            return
        self.complete = True
        self.busy_note = "Reading action executions…"
        self._draw()
        try:
            self.actions = dict(
                await ctl.window_actions(self.target, name, self.history, progress=self._progress)
            )
        except AwsError as error:
            why = error_text(error, profile=self.target.profile)
            self.error = f"Could not read the action executions: {why}"
        self.busy_note = ""
        self._draw()
        await self._load_breakage()

    def _progress(self, known: Mapping[str, Sequence[ActionExecution]]) -> None:
        self.actions = dict(known)
        self._draw()

    async def _load_breakage(self) -> None:
        ins = self.insights
        if ins is None or ins.breakage is None or ins.breakage.last_success_id is None:
            return
        ctl = self.host.insights
        try:
            failed = await ctl.execution(self.target, self.pipeline_name, ins.breakage.first_failure_id)
            good = await ctl.execution(self.target, self.pipeline_name, ins.breakage.last_success_id)
        except AwsError as error:
            self.diff_note = (
                f"The revisions could not be read: {error_text(error, profile=self.target.profile)}"
            )
        else:
            self.diff = diff_executions(good, failed)
        self._draw()

    # --- drawing --------------------------------------------------------------------------------

    def _draw(self) -> None:
        if not self.is_mounted:
            return
        notice = self.query_one("#insights-notice", Static)
        notice.update(
            Text(self.error or self.busy_note, style=STATUS_COLORS["warning"] if self.error else "dim")
        )
        notice.display = bool(self.error or self.busy_note)
        if not self.history:
            empty = "This pipeline has not run yet." if self.complete else ""
            self.query_one("#insights-summary", Static).update(Text(empty, style="dim"))
            return
        now = self.host.now()
        ins = pipeline_insights(
            self.pipeline_name, self.history, self.actions, now, window=self.host.insights.window
        )
        self.insights = ins
        width = max(40, self.size.width - 4)
        lines: list[RenderableType] = [coverage_line(ins, self.complete), summary_line(ins)]
        if ins.current:
            current = current_lines(ins.current)
            current.rstrip()
            lines.append(current)
        self.query_one("#insights-summary", Static).update(Group(*lines))
        head = Text("Duration per execution", style="bold")
        head.append("  oldest → newest", style="dim")
        head.append(f"   p50 {dur(ins.durations.p50)} · p95 {dur(ins.durations.p95)}")
        if ins.slower:
            head.append(f"   ↑ {ins.slower:.1f}× slower lately", style=STATUS_COLORS["warning"])
        chart = duration_chart(ins.bars, width, CHART_HEIGHT, ins.durations.p50, ins.durations.p95)
        self.query_one("#insights-chart", Static).update(Group(head, chart))
        self.query_one("#insights-broke", Static).update(self._broke(ins))
        self.query_one("#insights-flaky", Static).update(flaky_text(ins))
        steps: list[RenderableType] = []
        if ins.stages:
            steps.append(steps_table("Stages", ins.stages))
        if ins.actions:
            steps.append(steps_table("Actions", ins.actions))
        if not steps:
            steps.append(Text("Stages and actions: not known yet.", style="dim"))
        self.query_one("#insights-steps", Static).update(Group(*steps))

    def _broke(self, ins: PipelineInsights) -> RenderableType:
        text = Text("What broke it", style="bold")
        b = ins.breakage
        if b is None:
            text.append("  not failing: the newest finished execution succeeded", style="dim")
            return text
        first = next((s for s in self.history if s.execution_id == b.first_failure_id), None)
        when = ago(first.last_update_time if first else None, self.host.now())
        text.append("\n")
        text.append(f"  ✖ Failing since {short_id(b.first_failure_id)}", style=STATUS_COLORS["error"])
        text.append(f" ({when}) · {b.failures_since} failed run{'s' if b.failures_since != 1 else ''}")
        if b.last_success_id is None:
            text.append(f" · no success in the last {ins.read} executions", style="dim")
            return text
        text.append(f" since {short_id(b.last_success_id)} succeeded\n")
        if self.diff_note:
            text.append("  " + clean(self.diff_note) + "\n", style=STATUS_COLORS["warning"])
        elif self.diff is None:
            text.append("  Reading the revisions…\n", style="dim")
        elif self.diff.empty:
            text.append(
                "  Same revisions and variables as the last success: not a code change.\n", style="dim"
            )
        else:
            for change in (*self.diff.revisions, *self.diff.variables):
                text.append(f"  {clean(change.key, max_len=30)}: ", style="bold")
                text.append(short_value(change.old), style="dim")
                text.append(" → ")
                text.append(short_value(change.new) + "\n")
            summary = first.source_revisions[0].revision_summary if first and first.source_revisions else None
            message = revision_message(summary)
            if message:
                text.append(f"  “{clean(message, max_len=80)}”\n")
        return text

    def on_resize(self) -> None:
        self._draw()

    def action_refresh(self) -> None:
        self.actions = {}
        self.diff = None
        self.diff_note = ""
        self.load()

    def action_back(self) -> None:
        self.dismiss()

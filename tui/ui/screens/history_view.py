"""What the history screen draws from its data: the table's columns, an execution's row and its
order, and the insights panel over the table.

Plain functions of the model (no reads, no widgets): ``HistoryScreen`` (history.py) pages the
executions in and puts them on screen. AWS text goes through ``clean`` here.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from datetime import datetime

from rich.text import Text

from tui.core.fmt import STATUS_COLORS, ago, running_duration, short_id, status_text
from tui.core.insights import pipeline_insights
from tui.core.model import ExecutionSummary, ExecutionType
from tui.core.revisions import revision_message
from tui.core.sanitize import clean
from tui.ui.screens.insights import dur, pct
from tui.ui.widgets.insight_charts import duration_chart
from tui.ui.widgets.stage_box import principal

_TRIGGER_LABELS = {
    "StartPipelineExecution": "Manual start",
    "PollForSourceChanges": "Poll",
    "CloudWatchEvent": "Event",
    "CreatePipeline": "Created",
    "PutActionRevision": "Revision",
    "WebhookV2": "Webhook",
    "ManualRollback": "Rollback",
    "AutomatedRollback": "Auto rollback",
}
# Fixed widths keep the row inside the terminal; the revision column takes what is left.
COLUMNS = (
    ("Status", 12),
    ("Execution", 9),
    ("Mode", 10),
    ("Type", 10),
    ("Trigger", 18),
    ("Started", 8),
    ("Duration", 8),
    ("Revision", None),
)
# Width used by the fixed columns, with DataTable's cell padding (1 each side) and a scrollbar.
_FIXED_WIDTH = sum(w or 0 for _, w in COLUMNS) + 2 * len(COLUMNS) + 2
MIN_REVISION_WIDTH = 20


def revision_width(screen_width: int) -> int:
    """Width of the revision column on a screen this wide: what the fixed columns leave."""
    return max(MIN_REVISION_WIDTH, screen_width - _FIXED_WIDTH)


def trigger_label(summary: ExecutionSummary) -> str:
    """Short trigger text: kind, plus who/what when AWS says (an ARN is shortened to its name)."""
    if summary.trigger is None:
        return ""
    kind = str(summary.trigger.trigger_type)
    label = _TRIGGER_LABELS.get(kind, clean(kind))
    detail = summary.trigger.detail
    if detail and kind in ("StartPipelineExecution", "ManualRollback"):
        label += f" · {principal(detail)}"
    return label


def revision_cell(summary: ExecutionSummary, width: int = 60) -> Text:
    """The first source revision: short id in bold, then the commit message's first line."""
    if not summary.source_revisions:
        return Text("")
    revision = summary.source_revisions[0]
    short = clean(revision.short_id)
    more = f"  +{len(summary.source_revisions) - 1}" if len(summary.source_revisions) > 1 else ""
    text = Text(short, style="bold")
    message = revision_message(revision.revision_summary)
    room = width - len(short) - 2 - len(more)
    if message and room > 3:
        text.append("  " + clean(message, max_len=room))
    if more:
        text.append(more, style="dim")
    return text


def history_cells(
    summary: ExecutionSummary, now: datetime, revision_width: int = 60
) -> tuple[Text | str, ...]:
    """One table row for an execution."""
    # Only the unusual type is spelled out, so a rollback stands out in a column of blanks.
    exec_type: Text | str = ""
    if summary.execution_type == ExecutionType.ROLLBACK:
        exec_type = Text("↶ ROLLBACK", style="yellow")
    elif summary.execution_type != ExecutionType.STANDARD:
        exec_type = clean(summary.execution_type, max_len=10)
    return (
        status_text(summary.status),
        short_id(summary.execution_id),
        clean(summary.execution_mode or "", max_len=10),
        exec_type,
        clean(trigger_label(summary), max_len=18),
        ago(summary.start_time, now),
        running_duration(summary.start_time, summary.last_update_time, summary.status, now),
        revision_cell(summary, revision_width),
    )


def history_rank(summary: ExecutionSummary) -> Hashable:
    """Newest first; ties broken by id so the order is stable."""
    started = summary.start_time.timestamp() if summary.start_time else math.inf
    return (-started, summary.execution_id)


def insights_panel(name: str, newest_first: Sequence[ExecutionSummary], now: datetime, width: int) -> Text:
    """Two lines over the table: the numbers of what is loaded, then each execution's outcome and
    duration (oldest left), drawn from tui/core/insights.py."""
    ins = pipeline_insights(name, newest_first, {}, now, window=len(newest_first))
    o = ins.outcomes
    line = Text("Insights", style="bold")
    line.append(" (i: more)", style="dim")
    line.append(f" · last {ins.read}: ")
    line.append(f"{pct(o.success_rate)} success" + (f" ({o.succeeded}/{o.decided})" if o.decided else ""))
    if ins.breakage is not None:
        since = short_id(ins.breakage.first_failure_id)
        line.append(f" · failing since {since}", style=STATUS_COLORS["error"])
    line.append(f" · p50 {dur(ins.durations.p50)} · p95 {dur(ins.durations.p95)}")
    if ins.per_day is not None:
        line.append(f" · {ins.per_day:.1f}/day")
    line.truncate(max(20, width), overflow="ellipsis")
    line.append("\n")
    line.append_text(duration_chart(ins.bars, width, 1))
    return line

"""Charts drawn from Rich text: a duration bar chart and an outcome strip. No plotting package.

Each execution is a column of eighth-blocks, coloured by its outcome and never by colour alone:
the strip under it carries the status glyph (✔ ✖ ■ ↷). Rows where the p50 and p95 fall are marked
at the left edge, so "usual" is visible beside the bars.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from tui.core.fmt import STATUS_COLORS, duration
from tui.core.insights import Bar
from tui.core.model import Status

_EIGHTHS = " ▁▂▃▄▅▆▇█"
LABEL_WIDTH = 8
MAX_BAR = 3  # columns per execution when there is room


def status_color(status: Status) -> str:
    return STATUS_COLORS.get(status.style, "yellow")


def outcome_strip(statuses: Sequence[Status], width: int | None = None) -> Text:
    """One glyph per execution, oldest first, coloured by outcome (the newest kept if too many)."""
    shown = list(statuses)[-width:] if width else list(statuses)
    text = Text(no_wrap=True, overflow="crop")
    for status in shown:
        text.append(status.glyph, style=status_color(status))
    return text


def duration_chart(
    bars: Sequence[Bar], width: int, height: int, p50: float | None = None, p95: float | None = None
) -> Text:
    """``height`` rows of bars (one column per execution, oldest first), a left axis of
    ``LABEL_WIDTH`` with the p50/p95 rows named, and a last row of status glyphs."""
    room = max(1, width - LABEL_WIDTH - 1)
    shown = list(bars)[-room:]
    # Few executions get wider bars (up to MAX_BAR columns, with a gap), so the chart fills the row.
    bar = max(1, min(MAX_BAR, room // max(1, len(shown))))
    gap = " " if bar > 1 else ""
    cell = max(1, bar - len(gap))
    text = Text(no_wrap=True, overflow="crop")
    if not shown:
        text.append("No finished execution to chart yet.", style="dim")
        return text
    top = max(b.seconds for b in shown) or 1.0
    units = height * 8

    def row_of(value: float | None) -> int | None:
        if value is None:
            return None
        return height - 1 - min(height - 1, int(value / top * units) // 8)

    marks = {}
    if p95 is not None and (r := row_of(p95)) is not None:
        marks[r] = "p95"
    if p50 is not None and (r := row_of(p50)) is not None:
        marks[r] = "p50"  # p50 wins a shared row
    for r in range(height):
        label = duration(top, coarse=True) if r == 0 else marks.get(r, "")
        text.append(f"{label:>{LABEL_WIDTH}} ", style="dim")
        floor = (height - 1 - r) * 8
        for item in shown:
            level = round(item.seconds / top * units)
            fill = max(0, min(8, level - floor))
            if fill == 0 and r in marks:
                text.append("┄" * bar, style="dim")
            else:
                text.append((_EIGHTHS[fill] if fill else " ") * cell, style=status_color(item.status))
                text.append(gap)
        text.append("\n")
    text.append(" " * (LABEL_WIDTH + 1))
    for item in shown:
        text.append(item.status.glyph.ljust(bar), style=status_color(item.status))
    return text

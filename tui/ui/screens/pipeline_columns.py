"""The pipelines list's columns: which fit the terminal's width, and each row's cells in their order.

Columns drop as the terminal narrows: trigger first, then duration, then type; with several targets a
profile/region column is last. ``PipelinesScreen`` (pipelines.py) builds its table from these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from tui.core.pipeline_rows import (
    duration_text,
    name_cell,
    stage_cell,
    started_text,
    status_cell,
    trigger_text,
)
from tui.core.sanitize import clean
from tui.core.store import PipelineRow

_SCROLLBAR = 2
_PADDING = 2  # DataTable's cell padding, both sides
_MIN_TRIGGER = 24
_MIN_STAGE = 10


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int


def plan_columns(width: int, name_width: int, where_width: int = 0) -> tuple[Column, ...]:
    """The columns that fit ``width``: trigger is dropped first, then duration, then type."""
    avail = width - _SCROLLBAR
    status, stage, started, kind, span = 12, 16, 8, 4, 9
    base = status + stage + started + (where_width + _PADDING if where_width else 0) + 4 * _PADDING
    short = name_width - (avail - base - _PADDING)
    if short > 0:
        # Narrow (80 columns with a profile/region column): names like payments-api-prod and
        # payments-api-dev must stay apart; the stage column gives up to 6 cells for them.
        cut = min(short, stage - _MIN_STAGE)
        stage, base = stage - cut, base - cut
    name_width = max(12, min(name_width, avail - base - _PADDING))
    used = base + name_width + _PADDING
    with_type = used + kind + _PADDING <= avail
    used += (kind + _PADDING) if with_type else 0
    with_duration = with_type and used + span + _PADDING <= avail
    used += (span + _PADDING) if with_duration else 0
    trigger = avail - used - _PADDING if with_duration else 0
    columns = [
        Column("name", "Pipeline", name_width),
        Column("status", "Status", status),
        Column("stage", "Stage", stage),
        Column("started", "Started", started),
    ]
    if with_duration:
        columns.append(Column("duration", "Duration", span))
    if trigger >= _MIN_TRIGGER:
        columns.append(Column("trigger", "Trigger / revision", trigger))
    if with_type:
        columns.append(Column("type", "Type", kind))
    if where_width:
        columns.append(Column("where", "Profile/region", where_width))
    return tuple(columns)


def row_cells(
    row: PipelineRow, now: datetime, columns: tuple[Column, ...], where: Text | None = None
) -> tuple[Text | str, ...]:
    """The cells of one row, in column order (``where``: the target cell, default its label)."""
    cells: list[Text | str] = []
    for column in columns:
        key = column.key
        if key == "name":
            cells.append(name_cell(row))
        elif key == "status":
            cells.append(status_cell(row, now))
        elif key == "stage":
            cells.append(stage_cell(row))
        elif key == "started":
            cells.append(started_text(row, now))
        elif key == "duration":
            cells.append(duration_text(row, now))
        elif key == "trigger":
            cells.append(Text(trigger_text(row.latest), no_wrap=True, overflow="ellipsis"))
        elif key == "type":
            cells.append(clean(row.pipeline_type.value))
        else:
            cells.append(where if where is not None else clean(row.target.label))
    return tuple(cells)

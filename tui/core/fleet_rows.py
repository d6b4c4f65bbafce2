"""What the pipelines list adds for a fleet: the where cell, group header rows and ranks by target.

Rich ``Text`` only (no widgets), like ``tui.core.pipeline_rows``. With several targets each row names its
target (in the account's colour, ⚠ while that target's data is stale); grouped (`g`), every target
gets a header row with its account, alias, pipeline count and, when failing, the reason, and rows
sort by target first.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from rich.text import Text

from tui.core.fmt import STATUS_COLORS
from tui.core.model import Identity, Target
from tui.core.sanitize import clean
from tui.core.store import Coverage, Freshness, PipelineRow, sort_key
from tui.core.targets import where_label

GROUP_PREFIX = "group:"
_MUTED = STATUS_COLORS["muted"]
_WARN = STATUS_COLORS["warning"]


def group_key(target: Target) -> str:
    """The row key of a target's header row (never a pipeline's: those contain a '/')."""
    return f"{GROUP_PREFIX}{target.key}"


def where_cell(target: Target, identity: Identity | None, stale: bool) -> Text:
    """The target's label in its account's colour; ⚠ first while its data is stale."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if stale:
        text.append("⚠ ", style=_WARN)
    text.append(where_label(target, identity), style=target.color or "")
    return text


def row_rank(row: PipelineRow, grouped: bool, order: Mapping[str, int]) -> Hashable:
    """The list's order: by activity, or (grouped) by target first, below the target's header."""
    if grouped:
        return (order.get(row.target.key, len(order)), 1, *sort_key(row))
    return sort_key(row)


def group_rank(target: Target, order: Mapping[str, int]) -> Hashable:
    return (order.get(target.key, len(order)), 0)


def group_cells(
    target: Target,
    columns: Sequence[str],
    identity: Identity | None,
    freshness: Freshness,
    alias: str | None,
    count: int,
    coverage: Coverage | None = None,
) -> tuple[Text, ...]:
    """A target's header row, one cell per column key of the list. With ``coverage`` (of this
    target) failing, the count says how many pipelines are not read and the reason column why."""
    reason = freshness.stale_reason
    unread = coverage.missing if coverage is not None and coverage.failing else 0
    if not reason and unread and coverage is not None:
        reason = coverage.describe()
    account = clean(identity.account) if identity is not None else ""
    reason_column = "trigger" if "trigger" in columns else "stage"
    cells: list[Text] = []
    for key in columns:
        if key == "name":
            style = f"bold {target.color}" if target.color else "bold"
            cells.append(Text(f"▼ {where_label(target, identity)}", style=style, no_wrap=True))
        elif key == "status":
            if freshness.stale_reason:
                cells.append(Text("⚠ stale", style=_WARN))
            elif unread and freshness.listed:
                cells.append(Text(f"⚠ {unread} not read", style=_WARN))
            elif not freshness.listed:
                cells.append(Text("… loading", style=_MUTED))
            else:
                cells.append(Text(f"{count} pipeline{'s' if count != 1 else ''}", style=_MUTED))
        elif key == reason_column and reason:
            cells.append(Text(clean(reason), style=_WARN, no_wrap=True, overflow="ellipsis"))
        elif key == "stage":
            cells.append(Text(account, style=_MUTED, no_wrap=True, overflow="ellipsis"))
        elif key == "where":
            cells.append(Text(clean(alias or ""), style=_MUTED, no_wrap=True, overflow="ellipsis"))
        else:
            cells.append(Text(""))
    return tuple(cells)

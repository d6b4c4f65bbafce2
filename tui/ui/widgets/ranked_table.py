"""A DataTable reconciled by row key and kept in order by a rank per row.

Polls and paging call ``upsert``: cells are updated only where their value changed, new rows are
added, the table is re-sorted only if the order actually changed, and the cursor stays on the same
row (by key) while the viewport stays on the same rows - a poll never makes the cursor jump.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Self

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._types import SegmentLines
from textual.await_remove import AwaitRemove
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


def plain_cell(value: object) -> object:
    """A ``str`` cell as plain ``Text``: DataTable would parse a ``str`` as markup, and cells hold
    AWS text (``[link=...]`` in a revision summary must show as typed, not become a link)."""
    return Text(value, end="") if isinstance(value, str) else value


# Keys that move a table's cursor: a screen that keeps its cursor on the top row until the user
# moves it (the pipelines list, fleet health) watches for these.
CURSOR_KEYS = frozenset({"up", "down", "j", "k", "pageup", "pagedown", "home", "end", "g", "G"})
_STABLE_CELLS_MAX = 20_000
_NEWLINE = Text("\n")


class _KeyCell(Text):
    """A row's first cell: a Text that also knows its row key (DataTable.sort sees only values)."""

    def __init__(self, text: Text | str, row_key: str) -> None:
        base = text if isinstance(text, Text) else Text(text)
        super().__init__(base.plain, style=base.style, no_wrap=True, overflow=base.overflow)
        self._spans = list(base.spans)
        self.row_key = row_key


@dataclass
class Changes:
    added: int = 0
    updated: int = 0
    removed: int = 0
    reordered: bool = False


class RankedTable(DataTable[Any]):
    """DataTable whose rows are upserted by key and ordered by ascending rank."""

    # less/vim muscle memory on top of DataTable's arrows and page keys; Home/End move the cursor
    # to the first/last row (DataTable's own home/end only scroll sideways).
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g,home", "scroll_top", "Top", show=False),
        Binding("G,end", "scroll_bottom", "Bottom", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        # Rendered data cells, kept while the cell holds the same value object (see _render_cell);
        # before DataTable's __init__, which clears the caches.
        self._stable_cells: dict[tuple[object, ...], tuple[object, SegmentLines]] = {}
        super().__init__(**kwargs)
        self._ranks: dict[str, Hashable] = {}
        self._cells: dict[str, tuple[object, ...]] = {}

    def has_row(self, key: str) -> bool:
        return key in self._cells

    def row_keys_in_order(self) -> list[str]:
        return [str(row.key.value) for row in self.ordered_rows]

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor, or None for an empty table."""
        if not self.is_valid_row_index(self.cursor_row):
            return None
        return str(self.ordered_rows[self.cursor_row].key.value)

    def upsert(
        self,
        rows: Iterable[tuple[str, Sequence[RenderableType], Hashable]],
        *,
        remove_missing: bool = False,
    ) -> Changes:
        """Add or update ``(key, cells, rank)`` rows; optionally drop rows not given."""
        changes = Changes()
        cursor_key = self.cursor_key
        anchor = self._first_visible_key() if self.scroll_y > 0 else None
        columns = list(self.columns)
        seen: set[str] = set()
        for key, cells, rank in rows:
            seen.add(key)
            values = tuple(cells)
            self._ranks[key] = rank
            if key not in self._cells:
                first, rest = values[0], values[1:]
                key_cell = _KeyCell(first if isinstance(first, Text | str) else str(first), key)
                self.add_row(key_cell, *map(plain_cell, rest), key=key)
                self._cells[key] = values
                changes.added += 1
                continue
            old = self._cells[key]
            if old == values:
                continue
            for index, (before, after) in enumerate(zip(old, values, strict=True)):
                if before != after:
                    if index == 0 and isinstance(after, Text | str):
                        cell: object = _KeyCell(after, key)
                    else:
                        cell = plain_cell(after)
                    self.update_cell(key, columns[index], cell)
            self._cells[key] = values
            changes.updated += 1
        if remove_missing:
            for key in [k for k in self._cells if k not in seen]:
                self.remove_key(key)
                changes.removed += 1
        changes.reordered = self._reorder()
        if changes.added or changes.removed or changes.reordered:
            self._restore(cursor_key, anchor)
        return changes

    def remove(self, key: str | None = None) -> AwaitRemove:
        """Without a key: remove the widget (Widget.remove). With a row key: ``remove_key(key)``.

        Rows used to be removed with ``remove(key)``; ``remove_key`` is the name to use, this keeps
        both the earlier callers and Textual's own ``remove()`` working.
        """
        if key is None:
            return super().remove()
        self.remove_key(key)
        return AwaitRemove([])

    def remove_key(self, key: str) -> None:
        """Remove a row by key, if present; the cursor stays on the row it was on."""
        if key not in self._cells:
            return
        cursor_key = self.cursor_key
        self.remove_row(key)
        if cursor_key != key:
            self._restore(cursor_key, None)

    def remove_row(self, row_key: RowKey | str) -> None:
        """DataTable.remove_row, keeping the upsert bookkeeping in step."""
        key = row_key.value if isinstance(row_key, RowKey) else row_key
        super().remove_row(row_key)
        if key is not None:
            self._cells.pop(key, None)
            self._ranks.pop(key, None)

    def clear(self, columns: bool = False) -> Self:
        """DataTable.clear, forgetting every upserted row too."""
        self._cells.clear()
        self._ranks.clear()
        return super().clear(columns)

    # --- rendering ---------------------------------------------------------------------------

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """DataTable's cell rendering, cached per cell value.

        DataTable keys its own cache on one counter that every ``update_cell`` bumps, so a poll that
        changes one cell re-renders every cell on screen (35 ms at 120x36; ``bench/render.py``).
        Cells here are never mutated, only replaced, so the cell's value object, its place and the
        styles decide the rendering.
        """
        if row_index < 0 or column_index < 0:  # header and label cells: DataTable's own cache
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        value = self._data[row_key].get(column_key)
        key = (
            row_key,
            column_key,
            row_index,
            column_index,
            base_style,
            width,
            cursor,
            hover,
            self.show_cursor,
            self._show_hover_cursor,
            self._pseudo_class_state,
            self.rows[row_key].height,
        )
        known = self._stable_cells.get(key)
        if known is not None and known[0] is value:
            return known[1]
        lines = self._render_text_line(
            value, row_key, row_index, column_index, base_style, width, cursor, hover
        )
        if lines is None:
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        if len(self._stable_cells) > _STABLE_CELLS_MAX:
            self._stable_cells.clear()
        self._stable_cells[key] = (value, lines)
        return lines

    def _render_text_line(
        self,
        value: object,
        row_key: RowKey,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> SegmentLines | None:
        """The segments DataTable would make for a one-line ``Text`` cell, made directly.

        DataTable renders every cell through Rich's console (Styled(Padding(cell))): about 0.15 ms
        a cell, 35 ms for the 230 cells of a 120x36 screen, paid again for every row a re-sort
        moves. A one-row ``Text`` needs only a truncate, a pad and the two styles; anything else
        (other renderables, tabs, newlines, auto-height rows) goes the general way. A test compares
        both paths segment by segment.
        """
        if type(value) not in (Text, _KeyCell) or not isinstance(value, Text):
            return None
        if self.rows[row_key].height != 1:
            return None
        plain = value.plain
        pad = self.cell_padding
        inner = width - 2 * pad
        if inner <= 0 or "\n" in plain or "\t" in plain or value.justify not in (None, "default"):
            return None
        fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            fixed,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        console = self.app.console
        line = value.copy()
        line.truncate(inner, overflow=value.overflow or "fold")
        # (join turns the Text's own style into a span, as Text.__rich_console__ does)
        segments = list(_NEWLINE.join([line]).render(console, end=""))
        segments = Segment.adjust_line_length(segments, inner, style=None, pad=True)
        null = Style.null()
        if pad:
            segments = [Segment(" " * pad, null), *segments, Segment(" " * pad, null)]
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        return [list(Segment.apply_style(segments, style=pre_style, post_style=post_style))]

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._stable_cells.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._stable_cells.clear()

    def _reorder(self) -> bool:
        ranks: dict[str, Any] = self._ranks
        previous: Any = None
        for row in self.ordered_rows:  # in order already? (n-1 comparisons, not a sort)
            rank = ranks[row.key.value]  # type: ignore[index]
            if previous is not None and rank < previous:
                break
            previous = rank
        else:
            return False
        first_column = next(iter(self.columns))
        self.sort(first_column, key=lambda cell: self._ranks[cell.row_key])
        return True

    def _first_visible_key(self) -> str | None:
        index = int(self.scroll_y)
        if not self.is_valid_row_index(index):
            return None
        return str(self.ordered_rows[index].key.value)

    def _restore(self, cursor_key: str | None, anchor: str | None) -> None:
        if cursor_key is not None and cursor_key in self._cells:
            index = self.get_row_index(cursor_key)
            if index != self.cursor_row:
                self.move_cursor(row=index, scroll=False)
        if anchor is not None and anchor in self._cells:
            # Rows inserted above the viewport must not push the rows the user is reading.
            self.scroll_to(y=self.get_row_index(anchor), animate=False, immediate=True)

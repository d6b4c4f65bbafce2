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
from rich.text import Text
from textual.await_remove import AwaitRemove
from textual.binding import Binding
from textual.widgets.data_table import RowKey

from tui.ui.widgets.textual_private import CellCachedTable


def plain_cell(value: object) -> object:
    """A ``str`` cell as plain ``Text``: DataTable would parse a ``str`` as markup, and cells hold
    AWS text (``[link=...]`` in a revision summary must show as typed, not become a link)."""
    return Text(value, end="") if isinstance(value, str) else value


# Keys that move a table's cursor: a screen that keeps its cursor on the top row until the user
# moves it (the pipelines list, fleet health) watches for these.
CURSOR_KEYS = frozenset({"up", "down", "j", "k", "pageup", "pagedown", "home", "end", "g", "G"})


class _KeyCell(Text):
    """A row's first cell: a Text that also knows its row key (DataTable.sort sees only values)."""

    def __init__(self, text: Text | str, row_key: str) -> None:
        base = text if isinstance(text, Text) else Text(text)
        super().__init__(base.plain, style=base.style, no_wrap=True, overflow=base.overflow)
        self.spans = list(base.spans)
        self.row_key = row_key


@dataclass
class Changes:
    added: int = 0
    updated: int = 0
    removed: int = 0
    reordered: bool = False


class RankedTable(CellCachedTable):
    """DataTable whose rows are upserted by key and ordered by ascending rank."""

    PLAIN_TEXT_TYPES = (Text, _KeyCell)

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

"""Every private Textual hook cptui uses, in one place, each one measured necessary.

``tests/unit/test_textual_private.py`` pins each (it exists, takes these arguments, behaves so), so a
Textual upgrade that changes one fails there, by name, rather than silently slowing or breaking a
screen. Nothing else in ``tui/`` touches a Textual name that starts with ``_``.

- ``CellCachedTable`` (the base of ``RankedTable``): DataTable keys its cell cache on one counter
  that every ``update_cell`` bumps, so a poll that changes one cell re-renders every cell on screen
  (35 ms at 120x36, ``bench/render.py``), and renders each through Rich's console (0.15 ms a cell).
  It overrides ``_render_cell`` and ``_clear_caches`` and reads ``_row_locations``,
  ``_column_locations``, ``_data``, ``_show_hover_cursor``, ``_pseudo_class_state`` and
  ``_get_styles_to_render_cell``: a cell is kept while it holds the same value object, and a
  one-line ``Text`` is rendered directly (``tests/ui/test_ranked_table_render.py`` compares both ways
  segment by segment).
- ``character_to_key``: Textual's own name for the key a character types (``?`` ->
  ``question_mark``), so a ``[keys]`` remap is compared the way Textual binds it.
- ``write_to_terminal``: raw output through the app's ``_driver`` (None headless), as Textual itself
  writes the bell and OSC 52: the bell and desktop notifications (OSC 9 / OSC 777) have no public way.
- ``after_each_frame``: wraps the app's ``_display`` (where each composed frame goes to the terminal),
  so the benchmark hook (tui/app/bench_hook.py) can stamp when a change is painted; no public event
  says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.keys import _character_to_key
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

SegmentLines = list[list[Segment]]
_STABLE_CELLS_MAX = 20_000
_NEWLINE = Text("\n")


def character_to_key(character: str) -> str:
    """Textual's key name for a one-character key (``?`` -> ``question_mark``, ``a`` -> ``a``)."""
    return _character_to_key(character)


def write_to_terminal(app: App[Any], data: str) -> None:
    """Raw output to ``app``'s terminal (the bell, OSC sequences); nothing when headless."""
    driver = app._driver
    if driver is not None:
        driver.write(data)


def after_each_frame(app: App[Any], callback: Callable[[], None]) -> None:
    """``callback()`` after each frame ``app`` writes out (a frame with something in it)."""
    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        original(screen, renderable)
        if renderable is not None:
            callback()

    app._display = display  # type: ignore[method-assign]


class CellCachedTable(DataTable[Any]):
    """A DataTable that renders a cell again only when its value object changed."""

    # Cells of exactly these types, one line high, are rendered directly (see _render_text_line).
    PLAIN_TEXT_TYPES: tuple[type, ...] = (Text,)

    def __init__(self, **kwargs: Any) -> None:
        # Rendered data cells, kept while the cell holds the same value object (see _render_cell);
        # before DataTable's __init__, which clears the caches.
        self._stable_cells: dict[tuple[object, ...], tuple[object, SegmentLines]] = {}
        super().__init__(**kwargs)

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
        if type(value) not in self.PLAIN_TEXT_TYPES or not isinstance(value, Text):
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

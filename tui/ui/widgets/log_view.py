"""LogView: a build log rendered lazily with Textual's Line API.

Lines live in a bounded ``LineRing`` as raw strings; only the rows on screen are turned into Strips
(``render_line``), and those are kept in an LRU cache keyed by the line's absolute number, so a line that
scrolls by while following is rendered once. Colours from the build (SGR) are kept through
``tui.core.sanitize.ansi_to_text``; every other control sequence is stripped and Rich markup is never parsed.

Follow mode keeps the view at the bottom as batches arrive; any scroll up (keys, wheel, scrollbar)
pauses it, ``end`` resumes it. Search and the error scan read the raw strings in chunks inside an
exclusive worker, so a new query cancels the old one and the UI stays responsive on 200,000 lines.
"""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from math import ceil
from typing import Any

from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.timer import Timer

from tui.core.config import DEFAULT_ERROR_PATTERNS
from tui.core.logbuffer import (
    DEFAULT_MAX_LINES,
    LineRing,
    RowIndex,
    compile_error_patterns,
)
from tui.core.logsearch import LogSearch, first_match
from tui.core.sanitize import strip_ansi
from tui.ui.widgets.log_rows import LogRows

MAX_VIRTUAL_WIDTH = 10_000
BAR_REDRAW_DELAY = 0.25  # while paused, the scrollbar catches up with lines arriving below this often


class LogView(ScrollView, can_focus=True):
    """A scrollable, searchable build log that can follow new lines."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Line up", show=False),
        Binding("down,j", "cursor_down", "Line down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown,space", "page_down", "Page down", show=False),
        Binding("home,g", "top", "Top", show=False),
        Binding("end,G", "bottom", "End (follow)", show=False),
        Binding("left", "scroll_left", "Left", show=False),
        Binding("right", "scroll_right", "Right", show=False),
    ]

    COMPONENT_CLASSES = {
        "log-view--cursor",
        "log-view--match",
        "log-view--timestamp",
        "log-view--dropped",
    }

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $foreground;
        overflow-x: auto;
        overflow-y: scroll;
        & > .log-view--cursor { background: $primary 45%; }
        & > .log-view--match { background: $warning 75%; color: auto 90%; }
        & > .log-view--timestamp { color: $text-muted; }
        & > .log-view--dropped { color: $text-muted; text-style: italic; }
    }
    """

    follow: var[bool] = var(True, init=False)
    """Stick to the bottom as lines arrive."""
    show_timestamps: var[bool] = var(False, init=False)
    wrap: var[bool] = var(False, init=False)

    class StateChanged(Message):
        """Follow, cursor or search results changed: the status line should be redrawn."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.StateChanged)

    def __init__(
        self,
        *,
        max_lines: int = DEFAULT_MAX_LINES,
        error_patterns: Sequence[str] = DEFAULT_ERROR_PATTERNS,
        show_timestamps: bool = False,
        wrap: bool = False,
        follow: bool = True,
        utc: bool = True,
        clock_24h: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._ring = LineRing(max_lines)
        self._error_pattern = compile_error_patterns(error_patterns)
        self._rows: RowIndex | None = None  # only while wrapping lines wider than the view
        self._wrapped_at: int | None = None  # the content width wrapping was worked out for
        self._bar_thumb: tuple[int, ...] = ()  # the vertical scrollbar's thumb as last drawn
        self._bar_redraw: Timer | None = None
        self._frame: tuple[Offset, int] | None = None  # (scroll offset, width) while a frame renders
        self._auto_scroll = False  # set while *we* scroll, so that only the user pauses follow
        self.cursor: int | None = None  # absolute line number, None while following
        self._search = LogSearch(self._ring)
        self._paint = LogRows(
            self._ring,
            self._search,
            self._component_style,
            lambda: self.app.console,
            utc=utc,
            clock_24h=clock_24h,
        )
        self.set_reactive(LogView.follow, follow)
        self.set_reactive(LogView.show_timestamps, show_timestamps)
        self.set_reactive(LogView.wrap, wrap)

    @property
    def utc(self) -> bool:
        """Timestamps in UTC (else local time)."""
        return self._paint.utc

    def _component_style(self, name: str) -> Style:
        """The widget's base style ("") or a component's full style (for ``LogRows``)."""
        return self.rich_style if not name else self.get_component_rich_style(name)

    # --- content --------------------------------------------------------------------------

    @property
    def line_count(self) -> int:
        """Lines held (at most ``max_lines``)."""
        return len(self._ring)

    @property
    def total_lines(self) -> int:
        """Lines ever appended, dropped ones included."""
        return self._ring.end

    @property
    def dropped(self) -> int:
        return self._ring.dropped

    @property
    def first_line(self) -> int:
        """Absolute number of the oldest line held."""
        return self._ring.first

    def raw_line(self, n: int) -> str:
        return self._ring.line(n)

    def snapshot(self) -> list[str]:
        """A copy of the raw lines held, oldest first (for saving in a thread)."""
        return self._ring.lines()

    def append(self, lines: Sequence[str], timestamps: Sequence[int]) -> None:
        """Add a batch of raw lines (one call per frame at most: each call may repaint)."""
        if not lines:
            return
        ring = self._ring
        old_first, old_end = ring.first, ring.end
        old_banner = self._banner
        old_rows = self._total_rows()
        top_shift = 0
        if self._rows is not None and old_end > old_first:
            # Rows the lines about to be dropped take, measured before the ring forgets them.
            next_first = max(old_first, min(old_end, old_end + len(lines) - ring.capacity))
            top_shift = self._rows.line_start(next_first) - self._rows.line_start(old_first)
        dropped = ring.append(lines, timestamps)
        if self._rows is not None:
            if old_end < ring.first:
                self._rows.rebuild(ring)
            else:
                self._rows.extend(lines)
                self._rows.trim(ring.first)
        elif self.wrap and ring.max_len > self._content_width:
            # The first line too wide to fit: from here on lines can take more than one row. The lines
            # above it take one row each, so what is on screen stays where it is.
            self._rebuild_rows()
        elif dropped:
            top_shift = dropped
        self._search.appended(old_end)
        if self.cursor is not None and self.cursor < ring.first:
            self.cursor = ring.first
        self._update_virtual_size()
        if self.follow:
            self._scroll_end()
            self.refresh()
        elif dropped:
            # Keep the same lines on screen while the ring drops lines above them.
            shift = top_shift - (self._banner - old_banner)
            self._scroll_programmatic(y=max(0, self.scroll_y - shift))
            self.refresh()
        elif old_rows < self.scroll_offset.y + self.scrollable_content_region.height:
            # Paused: the rows on screen are unchanged unless the new lines start within the screen.
            self.refresh_lines(old_rows, self._total_rows() - old_rows)
        if dropped and self._search.pattern is not None:
            self.post_message(self.StateChanged())

    def retract(self, count: int) -> None:
        """Remove the newest ``count`` lines (a live tail's provisional lines being corrected)."""
        ring = self._ring
        if not ring.retract(count):
            return
        self._paint.forget()  # line numbers are reused: rows drawn for them are stale
        if self._rows is not None:
            self._rows.retract_to(ring.end)
        self._search.retracted()
        if self.cursor is not None and self.cursor >= ring.end:
            self.cursor = ring.end - 1 if len(ring) else None
        self._update_virtual_size()
        if self.follow:
            self._scroll_end()
        self.refresh()

    def clear(self) -> None:
        self._ring.clear()
        self._paint.forget()
        self.cursor = None
        self._search.cleared()
        if self._rows is not None:
            self._rows.rebuild(self._ring)
        self._update_virtual_size()
        self.refresh()

    # --- geometry -------------------------------------------------------------------------

    @property
    def _banner(self) -> int:
        return 1 if self._ring.first > 0 else 0

    @property
    def _gutter_width(self) -> int:
        return self._paint.timestamp_width if self.show_timestamps else 0

    @property
    def _content_width(self) -> int:
        return max(1, self.scrollable_content_region.width - self._gutter_width)

    def _total_rows(self) -> int:
        ring = self._ring
        body = self._rows.total_rows(ring.first) if self._rows is not None else len(ring)
        return body + self._banner

    def _update_virtual_size(self) -> None:
        width = 0 if self.wrap else min(MAX_VIRTUAL_WIDTH, self._ring.max_len) + self._gutter_width
        size = Size(width, self._total_rows())
        old = self.virtual_size
        if size == old:
            return
        room = self.scrollable_content_region.width
        if not (
            self.show_vertical_scrollbar
            and self.styles.overflow_y == "scroll"
            and (size.width > room) == (old.width > room)
        ):
            self.virtual_size = size  # a scrollbar appears or goes: a layout pass
            return
        # The vertical scrollbar is always shown and the horizontal one stays as it is: skip the layout
        # pass that setting `virtual_size` would trigger. While tailing, that pass (a full-screen
        # compositor update) happened on every flushed batch; the toggles (timestamps, wrap) paid it too.
        # The caller repaints the rows that changed (appending while paused changes none on screen).
        self.set_reactive(LogView.virtual_size, size)
        bar = self.vertical_scrollbar
        if size.width != old.width or size.height < old.height:
            self._scroll_update(size)  # the scroll offsets may have to come back within range
        elif self.follow:
            if self._thumb_moves(size.height, self.max_scroll_y):
                self._scroll_update(size)
            else:  # a long log grew, the thumb stays at the bottom: no frame just to draw it again
                bar.set_reactive(ScrollBar.window_virtual_size, size.height)
        else:
            bar.set_reactive(ScrollBar.window_virtual_size, size.height)
            if self._thumb_moves(size.height, bar.position) and self._bar_redraw is None:
                # Paused: the thumb creeps up (by eighths of a cell) as lines arrive below the
                # screen; a few redraws a second show it, a frame for every batch would not.
                self._bar_redraw = self.set_timer(BAR_REDRAW_DELAY, self._redraw_bar)

    def _locate(self, row: int) -> tuple[int, int] | None:
        """(line, row within the line) at display row ``row``; None for the banner or past the end."""
        row -= self._banner
        ring = self._ring
        if row < 0:
            return None
        if self._rows is None:
            n = ring.first + row
            return (n, 0) if n < ring.end else None
        if row >= self._rows.total_rows(ring.first):
            return None
        return self._rows.locate(ring.first, row)

    def _line_rows(self, n: int) -> tuple[int, int]:
        """(first display row, number of rows) of line ``n``."""
        ring = self._ring
        if self._rows is None:
            return self._banner + n - ring.first, 1
        start = self._rows.line_start(n) - self._rows.line_start(ring.first)
        return self._banner + start, self._rows.line_rows(n)

    def _visible_lines(self) -> tuple[int, int] | None:
        """First and last line (absolute) at least partly on screen."""
        if not len(self._ring):
            return None
        height = max(1, self.scrollable_content_region.height)
        top = self._locate(self.scroll_offset.y) or self._locate(self._banner)
        bottom = self._locate(self.scroll_offset.y + height - 1) or (self._ring.end - 1, 0)
        return (top[0] if top else self._ring.first), bottom[0]

    def _rebuild_rows(self) -> None:
        """Index where each line starts, while wrapping and only if some line is too wide to fit: until
        then every line takes one row, and measuring every line held (200,000) is what a key would wait on."""
        width = self._content_width
        self._wrapped_at = width if self.wrap else None
        self._rows = RowIndex(width) if self.wrap and self._ring.max_len > width else None
        if self._rows is not None:
            self._rows.rebuild(self._ring)

    # --- scrolling and follow -------------------------------------------------------------

    def _scroll_programmatic(self, *, x: float | None = None, y: float | None = None) -> None:
        self._auto_scroll = True
        try:
            # force: before the first layout the scrollbars are not "shown", which would veto the scroll.
            self.scroll_to(x=x, y=y, animate=False, immediate=True, force=True)
        finally:
            self._auto_scroll = False

    def _scroll_end(self) -> None:
        self._scroll_programmatic(y=self.max_scroll_y)

    def _thumb_moves(self, virtual: float, position: float) -> bool:
        """Whether the vertical scrollbar's thumb at this state is drawn elsewhere than it was last
        drawn (worked out in eighths of a cell, as Textual's ``ScrollBarRender`` draws it)."""
        bar = self.vertical_scrollbar
        size, window, virtual = bar.size.height, bar.window_size, ceil(virtual)
        window = window if window < virtual else 0
        thumb: tuple[int, ...] = (size,)
        if window and size and virtual and size != virtual:
            length = max(1, window / (virtual / size))
            start = int((size - length) * (bar.validate_position(position) / (virtual - window)) * 8)
            thumb = (size, start, start + ceil(length * 8))
        moves = thumb != self._bar_thumb
        self._bar_thumb = thumb
        return moves

    def _redraw_bar(self) -> None:
        self._bar_redraw = None
        self._scroll_update(self.virtual_size)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        bar = self.vertical_scrollbar if self.show_vertical_scrollbar else None
        if bar is not None and not self._thumb_moves(bar.window_virtual_size, new_value):
            # ScrollView.watch_scroll_y without the scrollbar's repaint: following a long log moves
            # the position with every batch, and the thumb (already at the bottom) does not move.
            bar.set_reactive(ScrollBar.position, bar.validate_position(new_value))
            if round(old_value) != round(new_value):
                self.refresh(self.size.region)
        else:
            super().watch_scroll_y(old_value, new_value)
        if self.follow and not self._auto_scroll and new_value < old_value and new_value < self.max_scroll_y:
            self.follow = False

    def watch_follow(self, follow: bool) -> None:
        if follow:
            self.cursor = None
            self._scroll_end()
            self.refresh()
        self.post_message(self.StateChanged())

    def watch_show_timestamps(self) -> None:
        self._relayout()

    def watch_wrap(self) -> None:
        self._relayout()

    def _relayout(self) -> None:
        """Wrapping or the gutter changed: re-index rows, keep the same line at the top."""
        anchor = self._visible_lines()
        self._rebuild_rows()
        self._update_virtual_size()
        if self.follow:
            self._scroll_end()
        elif anchor is not None:
            target = self.cursor if self.cursor is not None else anchor[0]
            self._scroll_programmatic(x=0, y=self._line_rows(target)[0])
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._bar_thumb = ()  # redrawn at the new size
        if self.wrap and self._wrapped_at != self._content_width:
            self._relayout()
        elif self.follow:
            self._scroll_end()

    def go_to_line(self, n: int, *, center: bool = True) -> None:
        """Put the cursor on line ``n`` (pausing follow) and scroll it into view."""
        ring = self._ring
        if not len(ring):
            return
        n = min(max(n, ring.first), ring.end - 1)
        before, old = self.scroll_offset, self.cursor
        self.follow = False
        self.cursor = n
        self._ensure_visible(n, center=center)
        if self.scroll_offset == before:
            # Nothing scrolled: repaint only the rows of the line the cursor left and of its new line.
            if old is not None and ring.first <= old < ring.end and old != n:
                self.refresh_lines(*self._line_rows(old))
            self.refresh_lines(*self._line_rows(n))
        else:
            self.refresh()
        self.post_message(self.StateChanged())

    def center_cursor(self) -> None:
        """Scroll so the cursor line sits in the middle of the view (after the layout settled)."""
        if self.cursor is None:
            return
        start, rows = self._line_rows(self.cursor)
        height = max(1, self.scrollable_content_region.height)
        self._scroll_programmatic(y=max(0, start - (height - rows) // 2))
        self.refresh()

    def _ensure_visible(self, n: int, *, center: bool) -> None:
        start, rows = self._line_rows(n)
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if center:
            if not (top <= start and start + rows <= top + height):
                self._scroll_programmatic(y=max(0, start - (height - rows) // 2))
        elif start < top:
            self._scroll_programmatic(y=start)
        elif start + rows > top + height:
            self._scroll_programmatic(y=start + rows - height)

    def action_cursor_up(self) -> None:
        visible = self._visible_lines()
        if visible is None:
            return
        anchor = self.cursor if self.cursor is not None else visible[1]
        self.go_to_line(anchor - 1, center=False)

    def action_cursor_down(self) -> None:
        visible = self._visible_lines()
        if visible is None or (self.follow and self.cursor is None):
            return
        anchor = self.cursor if self.cursor is not None else visible[0] - 1
        self.go_to_line(anchor + 1, center=False)

    def _page(self, direction: int) -> None:
        visible = self._visible_lines()
        if visible is None:
            return
        height = max(1, self.scrollable_content_region.height - 1)
        if direction < 0:
            anchor = self.cursor if self.cursor is not None else visible[1]
            self.follow = False
            self._scroll_programmatic(y=max(0, self.scroll_offset.y - height))
        else:
            if self.follow and self.cursor is None:
                return
            anchor = self.cursor if self.cursor is not None else visible[0]
            self._scroll_programmatic(y=self.scroll_offset.y + height)
        self.go_to_line(anchor + direction * height, center=False)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_page_down(self) -> None:
        self._page(1)

    def action_top(self) -> None:
        self.follow = False
        self.cursor = self._ring.first if len(self._ring) else None
        self._scroll_programmatic(y=0)
        self.refresh()
        self.post_message(self.StateChanged())

    def action_bottom(self) -> None:
        """Resume following (and jump to the end)."""
        if self.follow:
            self._scroll_end()
        self.follow = True

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        found = self._locate(self.scroll_offset.y + offset.y)
        if found is not None:
            self.go_to_line(found[0], center=False)

    # --- search and errors ----------------------------------------------------------------

    @property
    def search_query(self) -> str:
        return self._search.query

    @property
    def searching(self) -> bool:
        """A full scan for the current query is still running."""
        return self._search.scanning

    @property
    def match_status(self) -> tuple[int, int] | None:
        """(current match, 1-based, or 0 if none selected; number of matching lines), or None."""
        return self._search.status

    @property
    def matches(self) -> Sequence[int]:
        return self._search.matches

    def search(self, query: str) -> None:
        """Highlight lines matching ``query`` (regex or plain, case-insensitive) and go to the first."""
        full_scan = self._search.start(query)
        self.refresh()
        if full_scan is None:
            self.post_message(self.StateChanged())
            return
        # The scan read the lines held now; lines appended from here on are scanned by `append`.
        self.run_worker(
            self._finish_search(full_scan), group="log-search", exclusive=True, exit_on_error=False
        )

    async def _finish_search(self, full_scan: Coroutine[Any, Any, bool]) -> None:
        if not await full_scan:
            return  # a newer query took over
        if self._search.matches:
            visible = self._visible_lines()
            top = visible[0] if visible and not self.follow else self._ring.first
            found = self._search.select_from(top)
            if found is not None:
                self.go_to_line(found)
        self.post_message(self.StateChanged())

    def next_match(self, forward: bool = True) -> bool:
        """Move to the next (or previous) matching line, wrapping around; False if there is none."""
        found = self._search.step(forward)
        if found is None:
            return False
        self.go_to_line(found)
        return True

    async def find_error(self, after: int | None = None) -> int | None:
        """The first line matching the error patterns (after line ``after``, if given)."""
        if self._error_pattern is None:
            return None
        return await first_match(self._ring, self._error_pattern, 0 if after is None else after + 1)

    async def jump_to_error(self, *, next_after_cursor: bool = False) -> int | None:
        """Go to the first error line (or the next one after the cursor); None if there is none."""
        after = self.cursor if next_after_cursor else None
        found = await self.find_error(after)
        if found is None and after is not None:
            found = await self.find_error(None)
        if found is not None:
            self.go_to_line(found)
        return found

    def selected_text(self) -> str:
        """The cursor's line (or the last line while following) as it reads on screen."""
        ring = self._ring
        if not len(ring):
            return ""
        n = self.cursor if self.cursor is not None else ring.end - 1
        return strip_ansi(ring.line(n))

    # --- rendering ------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._paint.restyle()

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every row of this frame shares, worked out once instead of once a row.
        self._frame = (self.scroll_offset, self.scrollable_content_region.width)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        frame = self._frame or (self.scroll_offset, self.scrollable_content_region.width)
        (scroll_x, scroll_y), width = frame
        row = scroll_y + y
        ring, paint = self._ring, self._paint
        first = ring.first
        if first and row == 0:
            return paint.banner(width)
        if self._rows is None:
            n = first + row - (1 if first else 0)
            if n >= ring.end:
                return paint.blank(width)
            if scroll_x == 0:
                return paint.row(n, width, n == self.cursor, self.show_timestamps)
            sub_row = 0
        else:
            found = self._locate(row)
            if found is None:
                return paint.blank(width)
            n, sub_row = found
        wrap = max(1, width - self._gutter_width) if self._rows is not None else None
        return paint.piece(n, sub_row, width, scroll_x, wrap, n == self.cursor, self.show_timestamps)

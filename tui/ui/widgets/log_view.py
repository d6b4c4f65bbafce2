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
from typing import Any

from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.reactive import var
from textual.strip import Strip

from tui.core.config import DEFAULT_ERROR_PATTERNS
from tui.core.logbuffer import DEFAULT_MAX_LINES, LineRing, compile_error_patterns
from tui.core.logsearch import LogSearch, first_match
from tui.core.sanitize import strip_ansi
from tui.ui.widgets.log_layout import LogLayout
from tui.ui.widgets.log_rows import LogRows
from tui.ui.widgets.quiet_scroll import QuietScrollView

MAX_VIRTUAL_WIDTH = 10_000


class LogView(QuietScrollView, can_focus=True):
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
        self._layout = LogLayout(self._ring)
        self._frame: tuple[Offset, int] | None = None  # (scroll offset, width) while a frame renders
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
        ring, layout = self._ring, self._layout
        old_end = ring.end
        old_banner = layout.banner
        old_rows = layout.total_rows()
        dropped, top_shift = layout.append(lines, timestamps, self._wrap_width)
        self._search.appended(old_end)
        if self.cursor is not None and self.cursor < ring.first:
            self.cursor = ring.first
        self._update_virtual_size()
        if self.follow:
            self._scroll_end()
            self.refresh()
        elif dropped:
            # Keep the same lines on screen while the ring drops lines above them.
            shift = top_shift - (layout.banner - old_banner)
            self._scroll_programmatic(y=max(0, self.scroll_y - shift))
            self.refresh()
        elif old_rows < self.scroll_offset.y + self.scrollable_content_region.height:
            # Paused: the rows on screen are unchanged unless the new lines start within the screen.
            self.refresh_lines(old_rows, layout.total_rows() - old_rows)
        if dropped and self._search.pattern is not None:
            self.post_message(self.StateChanged())

    def retract(self, count: int) -> None:
        """Remove the newest ``count`` lines (a live tail's provisional lines being corrected)."""
        ring = self._ring
        if not ring.retract(count):
            return
        self._paint.forget()  # line numbers are reused: rows drawn for them are stale
        self._layout.retracted()
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
        self._layout.cleared()
        self._update_virtual_size()
        self.refresh()

    # --- geometry -------------------------------------------------------------------------

    @property
    def _gutter_width(self) -> int:
        return self._paint.timestamp_width if self.show_timestamps else 0

    @property
    def _content_width(self) -> int:
        return max(1, self.scrollable_content_region.width - self._gutter_width)

    @property
    def _wrap_width(self) -> int | None:
        """The width lines wrap at, None while not wrapping."""
        return self._content_width if self.wrap else None

    def _update_virtual_size(self) -> None:
        width = 0 if self.wrap else min(MAX_VIRTUAL_WIDTH, self._ring.max_len) + self._gutter_width
        self._set_virtual_size(Size(width, self._layout.total_rows()), following=self.follow)

    def _visible_lines(self) -> tuple[int, int] | None:
        """First and last line (absolute) at least partly on screen."""
        if not len(self._ring):
            return None
        height = max(1, self.scrollable_content_region.height)
        top = self._layout.locate(self.scroll_offset.y) or self._layout.locate(self._layout.banner)
        bottom = self._layout.locate(self.scroll_offset.y + height - 1) or (self._ring.end - 1, 0)
        return (top[0] if top else self._ring.first), bottom[0]

    # --- scrolling and follow -------------------------------------------------------------

    def _scroll_end(self) -> None:
        self._scroll_programmatic(y=self.max_scroll_y)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
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
        self._layout.rebuild(self._wrap_width)
        self._update_virtual_size()
        if self.follow:
            self._scroll_end()
        elif anchor is not None:
            target = self.cursor if self.cursor is not None else anchor[0]
            self._scroll_programmatic(x=0, y=self._layout.line_rows(target)[0])
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._forget_thumb()
        if self.wrap and self._layout.wrapped_at != self._content_width:
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
                self.refresh_lines(*self._layout.line_rows(old))
            self.refresh_lines(*self._layout.line_rows(n))
        else:
            self.refresh()
        self.post_message(self.StateChanged())

    def center_cursor(self) -> None:
        """Scroll so the cursor line sits in the middle of the view (after the layout settled)."""
        if self.cursor is None:
            return
        start, rows = self._layout.line_rows(self.cursor)
        height = max(1, self.scrollable_content_region.height)
        self._scroll_programmatic(y=max(0, start - (height - rows) // 2))
        self.refresh()

    def _ensure_visible(self, n: int, *, center: bool) -> None:
        start, rows = self._layout.line_rows(n)
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
        found = self._layout.locate(self.scroll_offset.y + offset.y)
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
        ring, paint, layout = self._ring, self._paint, self._layout
        first = ring.first
        if first and row == 0:
            return paint.banner(width)
        if not layout.wrapping:
            n = first + row - (1 if first else 0)
            if n >= ring.end:
                return paint.blank(width)
            if scroll_x == 0:
                return paint.row(n, width, n == self.cursor, self.show_timestamps)
            sub_row = 0
        else:
            found = layout.locate(row)
            if found is None:
                return paint.blank(width)
            n, sub_row = found
        wrap = max(1, width - self._gutter_width) if layout.wrapping else None
        return paint.piece(n, sub_row, width, scroll_x, wrap, n == self.cursor, self.show_timestamps)

"""How ``LogView`` draws a line of a build log: one finished Strip per row, cached.

``LogView`` works out which line (and which wrapped row of it) goes on each row of the screen; this
draws it: the build's colours kept (``ansi_to_text``), every other control sequence stripped, search
matches highlighted, the timestamp gutter, the cursor, the view's own colours under all of it. Most
build lines are plain printable ASCII with no search to highlight: those become one Segment directly,
without a Rich Text, which matters while tailing (every row on screen is a new line on every frame).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip

from tui.core.logbuffer import LineRing
from tui.core.logsearch import LogSearch
from tui.core.sanitize import ansi_to_text

TIMESTAMP_WIDTH = 13  # "HH:MM:SS.mmm "
TIMESTAMP_WIDTH_12H = 16  # "hh:MM:SS.mmm PM "
# Rows kept: a few screens. Each cached Strip is a long-lived object graph the garbage collector has to
# walk (Textual gives every Strip its own caches); thousands of them made full collections take long
# enough to be felt as key lag while tailing.
CACHE_LINES = 320


class LogRows:
    """Draws lines of ``ring`` with the styles ``style`` looks up (``""``: the view's own style)."""

    def __init__(
        self,
        ring: LineRing,
        search: LogSearch,
        style: Callable[[str], Style],
        console: Callable[[], Console],
        *,
        utc: bool = True,
        clock_24h: bool = True,
    ) -> None:
        self._ring = ring
        self._search = search
        self._lookup = style
        self._console = console
        self.utc = utc
        self.clock_24h = clock_24h
        # The timestamp gutter's width: "14:05:07.123 " or "02:05:07.123 PM " (``[general] clock_24h``).
        self.timestamp_width = TIMESTAMP_WIDTH if clock_24h else TIMESTAMP_WIDTH_12H
        self._content: LRUCache[tuple[int, int, int], Strip] = LRUCache(CACHE_LINES)
        self._rows: LRUCache[tuple[int, int, int, int, bool, bool], Strip] = LRUCache(CACHE_LINES)
        self._styles: dict[str, Style] = {}
        self._epoch = 0

    def restyle(self) -> None:
        """The view's styles changed (theme, focus): draw everything again."""
        self._content.clear()
        self._rows.clear()
        self._styles = {}

    def forget(self) -> None:
        """Line numbers are being reused (lines retracted, or the log cleared): drop what was drawn."""
        self._epoch += 1
        self._content.clear()

    def style(self, name: str) -> Style:
        """The view's style ("") or a component's, looked up once per style change."""
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self._lookup(name)
        return style

    def _gutter_style(self) -> Style:
        """The timestamps' colour only: the row's background (the cursor's, on its line) shows under it."""
        style = self._styles.get(" gutter")
        if style is None:
            style = self._styles[" gutter"] = Style(color=self.style("log-view--timestamp").color)
        return style

    def timestamp_label(self, n: int) -> str:
        millis = self._ring.timestamp(n)
        when = datetime.fromtimestamp(millis / 1000, tz=UTC)
        if not self.utc:
            when = when.astimezone()
        if not self.clock_24h:
            return f"{when:%I:%M:%S}.{millis % 1000:03d} {'AM' if when.hour < 12 else 'PM'} "
        return f"{when:%H:%M:%S}.{millis % 1000:03d} "

    def _text(self, n: int) -> Text:
        """Line ``n`` as Rich Text: build colours kept, controls stripped, search matches styled."""
        text = ansi_to_text(self._ring.line(n))
        pattern = self._search.pattern
        if pattern is not None:
            style = self.style("log-view--match")
            for match in pattern.finditer(text.plain):
                if match.end() > match.start():
                    text.stylize(style, match.start(), match.end())
        return text

    def row(self, n: int, width: int, cursor: bool, timestamps: bool) -> Strip:
        """The common case (no wrap, no horizontal scroll): line ``n`` as one finished row, cached."""
        key = (n, self._search.generation, self._epoch, width, timestamps, cursor)
        strip = self._rows.get(key)
        if strip is not None:
            return strip
        raw = self._ring.line(n)
        if self._search.pattern is None and raw.isascii() and raw.isprintable():
            # Most build lines: plain text, nothing to parse or highlight, one cell a character.
            strip = self._plain_row(n, raw, width, cursor, timestamps)
        else:
            text = self._text(n)
            if timestamps:
                # The label as a span (``Text(label, style=...)`` would style the whole row).
                text = Text.assemble((self.timestamp_label(n), self._gutter_style()), text)
            text.truncate(width, overflow="crop", pad=True)
            # A span under the others, not ``text.style``: Rich renders a Text without spans unstyled,
            # which drew plain uncoloured lines in the terminal's colours and hid the cursor on them.
            text.stylize_before(self.style("log-view--cursor") if cursor else self.style(""))
            strip = Strip(list(text.render(self._console())), width)
        self._rows[key] = strip
        return strip

    def _plain_row(self, n: int, line: str, width: int, cursor: bool, timestamps: bool) -> Strip:
        """``row`` for a printable ASCII line without search: the segments the Text path would render,
        built directly (no Text, no spans, no cell measuring)."""
        base = self.style("log-view--cursor") if cursor else self.style("")
        segments: list[Segment] = []
        room = width
        if timestamps:
            label = self.timestamp_label(n)[:room]
            segments.append(Segment(label, base + self._gutter_style()))
            room -= len(label)
        body = line[:room]
        if len(body) < room:
            body += " " * (room - len(body))
        if body:
            segments.append(Segment(body, base))
        return Strip(segments, width)

    def _content_strip(self, n: int) -> Strip:
        """Line ``n`` at full length (no gutter, no crop), cached: for wrapping and h-scroll."""
        key = (n, self._search.generation, self._epoch)
        strip = self._content.get(key)
        if strip is None:
            text = self._text(n)
            strip = Strip(list(text.render(self._console())), text.cell_len)
            self._content[key] = strip
        return strip

    def piece(
        self,
        n: int,
        sub_row: int,
        width: int,
        scroll_x: int,
        wrap: int | None,
        cursor: bool,
        timestamps: bool,
    ) -> Strip:
        """Row ``sub_row`` of line ``n`` wrapped at ``wrap`` cells, or (``wrap`` None) the line scrolled
        ``scroll_x`` cells to the left; with the gutter, in ``width`` cells."""
        base = self.style("")
        content_width = max(1, width - (self.timestamp_width if timestamps else 0))
        strip = self._content_strip(n)
        if wrap is not None:
            length = strip.cell_length
            cuts = [*range(wrap, length, wrap), length]
            pieces = strip.divide(cuts)
            piece = pieces[sub_row] if sub_row < len(pieces) else Strip([])
            piece = piece.crop_extend(0, content_width, base)
        else:
            piece = strip.crop_extend(scroll_x, scroll_x + content_width, base)
        if timestamps:
            if sub_row:
                gutter = Strip.blank(self.timestamp_width)
            else:
                gutter = Strip([Segment(self.timestamp_label(n), self._gutter_style())], self.timestamp_width)
            piece = Strip.join([gutter, piece])
        if cursor:
            return piece.apply_style(base + self.style("log-view--cursor"))
        return piece.apply_style(base)

    def banner(self, width: int) -> Strip:
        """The first row once the ring has dropped lines: how many, and how many it keeps."""
        ring, base = self._ring, self.style("")
        label = f"… {ring.dropped:,} earlier lines dropped (keeping the last {ring.capacity:,})"
        text = Text(label, style=self.style("log-view--dropped"))
        strip = Strip(list(text.render(self._console())), text.cell_len)
        return strip.crop_extend(0, width, base).apply_style(base)

    def blank(self, width: int) -> Strip:
        return Strip.blank(width, self.style(""))

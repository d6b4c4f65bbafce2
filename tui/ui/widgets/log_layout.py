"""LogLayout: where each line of a build log sits among the log view's display rows.

Row 0 is a banner once the ring has dropped lines; below it every line takes one row, or, while wrapping
and once some line is wider than the view, as many rows as it wraps into (kept in a ``RowIndex``).
``LogView`` asks it which line a row shows and which rows a line takes; it is plain Python.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.core.logbuffer import LineRing, RowIndex


class LogLayout:
    """The mapping between a ring's lines and display rows, kept in step as lines come and go."""

    def __init__(self, ring: LineRing) -> None:
        self._ring = ring
        self._rows: RowIndex | None = None  # only while wrapping lines wider than the view
        self.wrapped_at: int | None = None  # the content width wrapping was worked out for

    @property
    def wrapping(self) -> bool:
        """Some line takes more than one row."""
        return self._rows is not None

    @property
    def banner(self) -> int:
        """Rows the "lines dropped" banner takes (0 or 1)."""
        return 1 if self._ring.first > 0 else 0

    def total_rows(self) -> int:
        ring = self._ring
        body = self._rows.total_rows(ring.first) if self._rows is not None else len(ring)
        return body + self.banner

    def locate(self, row: int) -> tuple[int, int] | None:
        """(line, row within the line) at display row ``row``; None for the banner or past the end."""
        row -= self.banner
        ring = self._ring
        if row < 0:
            return None
        if self._rows is None:
            n = ring.first + row
            return (n, 0) if n < ring.end else None
        if row >= self._rows.total_rows(ring.first):
            return None
        return self._rows.locate(ring.first, row)

    def line_rows(self, n: int) -> tuple[int, int]:
        """(first display row, number of rows) of line ``n``."""
        ring = self._ring
        if self._rows is None:
            return self.banner + n - ring.first, 1
        start = self._rows.line_start(n) - self._rows.line_start(ring.first)
        return self.banner + start, self._rows.line_rows(n)

    def rebuild(self, wrap_width: int | None) -> None:
        """Index where each line starts, while wrapping (``wrap_width``: the content width, None when not
        wrapping) and only if some line is too wide to fit: until then every line takes one row, and
        measuring every line held (200,000) is what a key would wait on."""
        self.wrapped_at = wrap_width
        too_wide = wrap_width is not None and self._ring.max_len > wrap_width
        self._rows = RowIndex(wrap_width) if too_wide and wrap_width is not None else None
        if self._rows is not None:
            self._rows.rebuild(self._ring)

    def append(
        self, lines: Sequence[str], timestamps: Sequence[int], wrap_width: int | None
    ) -> tuple[int, int]:
        """Append to the ring, keeping the row index in step; returns (lines dropped, display rows those
        took above the first line kept)."""
        ring = self._ring
        old_first, old_end = ring.first, ring.end
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
        elif wrap_width is not None and ring.max_len > wrap_width:
            # The first line too wide to fit: from here on lines can take more than one row. The lines
            # above it take one row each, so what is on screen stays where it is.
            self.rebuild(wrap_width)
        elif dropped:
            top_shift = dropped
        return dropped, top_shift

    def retracted(self) -> None:
        """The ring's newest lines were removed."""
        if self._rows is not None:
            self._rows.retract_to(self._ring.end)

    def cleared(self) -> None:
        """The ring was emptied."""
        if self._rows is not None:
            self._rows.rebuild(self._ring)

"""The lines of a build log held in memory: a bounded ring, plus the scans that read it.

Plain Python (no Textual) so the memory and speed limits can be tested on their own. Lines are stored as
the raw strings CloudWatch gave (SGR colours included) and rendered only when they are on screen. Each
line has an *absolute* number that never changes (line 0 is the first line ever appended); when the ring is
full the oldest lines are dropped and ``first`` moves on, so search results and the cursor stay valid
without renumbering.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate

from rich.cells import cell_len

from tui.core.sanitize import strip_ansi

DEFAULT_MAX_LINES = 200_000
_GLOBAL_FLAGS = re.compile(r"\(\?([imsx]+)\)")


class LineRing:
    """The newest ``capacity`` lines of a log and their timestamps (ms since the epoch)."""

    def __init__(self, capacity: int = DEFAULT_MAX_LINES) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._lines: list[str] = []
        # array, not a list of ints: 8 bytes a line instead of ~36 (one int object each).
        self._stamps = array("q")
        self.end = 0  # absolute number one past the newest line
        self.max_len = 0  # widest line seen (cells), for the horizontal scroll range and wrapping

    @property
    def first(self) -> int:
        """Absolute number of the oldest line still held; also how many lines were dropped."""
        return max(0, self.end - self.capacity)

    @property
    def dropped(self) -> int:
        return self.first

    def __len__(self) -> int:
        return self.end - self.first

    def append(self, lines: Sequence[str], timestamps: Sequence[int]) -> int:
        """Add lines at the end; returns how many old lines this call pushed out of the ring."""
        count = len(lines)
        if count != len(timestamps):
            raise ValueError("one timestamp per line")
        if not count:
            return 0
        before = self.first
        # Measure only the lines that might be wider than the widest so far: colour codes make a line
        # longer than it looks, and a wide character (CJK, emoji) takes two cells for one character.
        widest = self.max_len
        wider = [s for s in lines if len(s) > widest or (2 * len(s) > widest and not s.isascii())]
        if wider:
            self.max_len = max(widest, *map(display_width, wider))
        cap = self.capacity
        if count > cap:
            # Only the newest `cap` lines can survive; skip writing the rest.
            skip = count - cap
            self.end += skip
            lines = lines[skip:]
            timestamps = timestamps[skip:]
            count = cap
        offset = 0
        room = cap - len(self._lines)
        if room > 0:
            take = min(room, count)
            self._lines.extend(lines[:take])
            self._stamps.extend(timestamps[:take])
            self.end += take
            offset = take
        while offset < count:
            pos = self.end % cap
            take = min(count - offset, cap - pos)
            self._lines[pos : pos + take] = lines[offset : offset + take]
            self._stamps[pos : pos + take] = array("q", timestamps[offset : offset + take])
            self.end += take
            offset += take
        return self.first - before

    def retract(self, count: int) -> int:
        """Forget the newest ``count`` lines (they were provisional); returns how many went."""
        count = max(0, min(count, len(self)))
        self.end -= count
        if self.end < len(self._lines):
            # Still filling: keep the list as long as the lines, so appends stay in place.
            del self._lines[self.end :]
            del self._stamps[self.end :]
        return count

    def line(self, n: int) -> str:
        """The raw line with absolute number ``n`` (IndexError if dropped or not yet written)."""
        if not self.first <= n < self.end:
            raise IndexError(n)
        return self._lines[n % self.capacity]

    def timestamp(self, n: int) -> int:
        if not self.first <= n < self.end:
            raise IndexError(n)
        return self._stamps[n % self.capacity]

    def lines(self, start: int | None = None, stop: int | None = None) -> list[str]:
        """A copy of the raw lines ``start <= n < stop`` (clamped to what is held)."""
        lo = self.first if start is None else max(start, self.first)
        hi = self.end if stop is None else min(stop, self.end)
        if lo >= hi:
            return []
        cap = self.capacity
        a, b = lo % cap, (hi - 1) % cap + 1
        if a < b:
            return self._lines[a:b]
        return self._lines[a:] + self._lines[:b]

    def clear(self) -> None:
        self._lines = []
        self._stamps = array("q")
        self.end = 0
        self.max_len = 0


def display_width(line: str) -> int:
    """Terminal cells the line takes once rendered (colours and controls stripped)."""
    if line.isascii() and line.isprintable():
        return len(line)
    return cell_len(strip_ansi(line))


class RowIndex:
    """Where each line starts when lines wrap at ``width`` cells: row <-> line in O(log n).

    ``_starts[i]`` is the absolute display row where line ``_origin + i`` starts; one extra entry holds the
    end. Entries for dropped lines are trimmed in bulk, not one by one, to keep appends cheap.
    """

    def __init__(self, width: int) -> None:
        self.width = max(1, width)
        self._origin = 0
        self._starts: list[int] = [0]

    def rows_for(self, line: str) -> int:
        return max(1, -(-display_width(line) // self.width))

    def rebuild(self, ring: LineRing) -> None:
        self._origin = ring.first
        self._starts = [0]
        self.extend(ring.lines())

    def extend(self, lines: Sequence[str]) -> None:
        """Index lines that were appended to the ring (in order, after the ones already indexed)."""
        width = self.width
        rows = (max(1, -(-display_width(s) // width)) for s in lines)
        running = accumulate(rows, initial=self._starts[-1])
        next(running)  # the initial value, already the last entry
        self._starts.extend(running)

    @property
    def indexed_end(self) -> int:
        """Absolute number one past the last indexed line."""
        return self._origin + len(self._starts) - 1

    def trim(self, first: int) -> None:
        """Forget lines before ``first`` once enough have gone to make the copy worth it."""
        gone = first - self._origin
        if gone > 4096 and gone * 4 > len(self._starts):
            del self._starts[:gone]
            self._origin = first

    def retract_to(self, end: int) -> None:
        """Forget lines from ``end`` on (they were retracted from the ring)."""
        keep = max(1, end - self._origin + 1)
        del self._starts[keep:]

    def line_start(self, n: int) -> int:
        """Absolute display row where line ``n`` starts."""
        return self._starts[n - self._origin]

    def line_rows(self, n: int) -> int:
        i = n - self._origin
        return self._starts[i + 1] - self._starts[i]

    def total_rows(self, first: int) -> int:
        """Display rows taken by lines ``first`` .. the last indexed line."""
        return self._starts[-1] - self._starts[first - self._origin]

    def locate(self, first: int, row: int) -> tuple[int, int]:
        """The line at display row ``row`` (counted from line ``first``) and the row within it."""
        lo = first - self._origin
        target = self._starts[lo] + row
        i = bisect_right(self._starts, target, lo, len(self._starts) - 1) - 1
        return self._origin + i, target - self._starts[i]


def compile_search(query: str) -> re.Pattern[str]:
    """A case-insensitive pattern: the query as a regex if it is one, else as plain text."""
    try:
        return re.compile(query, re.IGNORECASE)
    except re.error:
        return re.compile(re.escape(query), re.IGNORECASE)


def compile_error_patterns(patterns: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern matching any of ``patterns``; invalid ones are taken as plain text.

    A leading global flag such as ``(?i)`` is scoped to its own pattern (``(?i:...)``): Python refuses
    global flags in the middle of the combined alternation.
    """
    parts: list[str] = []
    for pattern in patterns:
        flags = _GLOBAL_FLAGS.match(pattern)
        part = f"(?{flags.group(1)}:{pattern[flags.end() :]})" if flags else f"(?:{pattern})"
        try:
            re.compile(part)
        except re.error:
            part = re.escape(pattern)
        parts.append(part)
    return re.compile("|".join(parts)) if parts else None


def scan(lines: Sequence[str], pattern: re.Pattern[str], base: int = 0) -> list[int]:
    """Absolute numbers (``base`` + index) of the lines whose on-screen text matches ``pattern``."""
    search = pattern.search
    found: list[int] = []
    for index, line in enumerate(lines):
        if "\x1b" in line or not line.isascii():
            line = strip_ansi(line)
        if search(line):
            found.append(base + index)
    return found


def iter_plain(lines: Sequence[str]) -> Iterator[str]:
    """Lines as they read on screen, for saving and copying (nothing that can drive a terminal)."""
    for line in lines:
        yield strip_ansi(line)

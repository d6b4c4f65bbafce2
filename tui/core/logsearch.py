"""Searching a build log held in a ``LineRing``: the query, the matching lines, the selected one. Plain
Python.

Matches are absolute line numbers (they survive the ring dropping old lines; ``prune`` forgets the
dropped ones). A new query scans the lines held in chunks, yielding to the event loop between them, so
200,000 lines never freeze the screen; lines appended while that scan runs are scanned as they arrive
(``appended``) and joined to its result; a newer query makes an older scan stop.
"""

from __future__ import annotations

import asyncio
import re
from bisect import bisect_left
from collections.abc import Coroutine
from typing import Any

from tui.core.logbuffer import LineRing, compile_search, scan

SCAN_CHUNK = 20_000  # lines scanned between yields to the event loop (~5-10 ms)


class LogSearch:
    """The current search over ``ring``."""

    def __init__(self, ring: LineRing) -> None:
        self._ring = ring
        self.query = ""
        self.pattern: re.Pattern[str] | None = None
        self.generation = 0  # one per query: what rendered highlights are cached against
        self.matches: list[int] = []
        self.index: int | None = None  # the selected match (an index into ``matches``)
        self.scanning = False
        self._tail: list[int] = []  # matches among lines appended while the full scan runs

    def start(self, query: str) -> Coroutine[Any, Any, bool] | None:
        """Search for ``query`` (regex or plain text, case-insensitive; empty: no search). Returns the
        full scan to run (it reads the lines held now; True once it finished, False if a newer query
        replaced it), or None if there is nothing to scan."""
        self.generation += 1
        self.query = query
        self.matches = []
        self._tail = []
        self.index = None
        if not query:
            self.pattern = None
            self.scanning = False
            return None
        self.pattern = compile_search(query)
        self.scanning = True
        ring = self._ring
        return self._scan_all(self.pattern, self.generation, ring.first, ring.lines())

    async def _scan_all(self, pattern: re.Pattern[str], generation: int, base: int, lines: list[str]) -> bool:
        found: list[int] = []
        for start in range(0, len(lines), SCAN_CHUNK):
            found.extend(scan(lines[start : start + SCAN_CHUNK], pattern, base + start))
            await asyncio.sleep(0)
            if generation != self.generation:
                return False
        self.matches = found + self._tail
        self._tail = []
        self.scanning = False
        self.prune()
        return True

    def appended(self, old_end: int) -> None:
        """Lines from ``old_end`` on were appended to the ring: scan them."""
        if self.pattern is None:
            return
        ring = self._ring
        start = max(old_end, ring.first)
        found = scan(ring.lines(start), self.pattern, start)
        (self._tail if self.scanning else self.matches).extend(found)
        self.prune()

    def retracted(self) -> None:
        """The newest lines were taken back: forget matches past the ring's end."""
        end = self._ring.end
        self.matches = [n for n in self.matches if n < end]
        self._tail = [n for n in self._tail if n < end]
        if self.index is not None and self.index >= len(self.matches):
            self.index = None

    def cleared(self) -> None:
        self.matches.clear()
        self._tail.clear()
        self.index = None

    def prune(self) -> None:
        """Forget matches on lines the ring dropped."""
        first = self._ring.first
        if self.matches and self.matches[0] < first:
            cut = bisect_left(self.matches, first)
            del self.matches[:cut]
            if self.index is not None:
                self.index = self.index - cut if self.index >= cut else None

    @property
    def status(self) -> tuple[int, int] | None:
        """(selected match, 1-based, or 0 if none is selected; matching lines), or None: no search."""
        if self.pattern is None:
            return None
        self.prune()
        return (0 if self.index is None else self.index + 1), len(self.matches)

    def select_from(self, top: int) -> int | None:
        """Select the first match at or after line ``top`` (else the first); its line, or None."""
        if not self.matches:
            return None
        self.index = next((i for i, n in enumerate(self.matches) if n >= top), 0)
        return self.matches[self.index]

    def step(self, forward: bool = True) -> int | None:
        """Select the next (or previous) match, wrapping around; its line, or None if there is none."""
        self.prune()
        if not self.matches:
            return None
        count = len(self.matches)
        if self.index is None:
            self.index = 0 if forward else count - 1
        else:
            self.index = (self.index + (1 if forward else -1)) % count
        return self.matches[self.index]


async def first_match(ring: LineRing, pattern: re.Pattern[str], start: int) -> int | None:
    """The first line from ``start`` on whose text matches ``pattern`` (scanned in chunks)."""
    start = max(ring.first, start)
    lines = ring.lines(start)
    for offset in range(0, len(lines), SCAN_CHUNK):
        found = scan(lines[offset : offset + SCAN_CHUNK], pattern, start + offset)
        if found:
            return found[0]
        await asyncio.sleep(0)
    return None

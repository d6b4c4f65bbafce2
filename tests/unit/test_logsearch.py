"""LogSearch (tui/core/logsearch.py): a query's matches over a line ring, kept right while lines are
appended during the full scan, dropped by the ring, or retracted. Plain Python, no App."""

from __future__ import annotations

import asyncio

from tui.core.logbuffer import LineRing
from tui.core.logsearch import LogSearch, first_match

T0 = 1_764_147_600_000


def ring_of(lines: list[str], capacity: int = 100) -> LineRing:
    ring = LineRing(capacity)
    ring.append(lines, [T0] * len(lines))
    return ring


def test_lines_appended_during_the_full_scan_are_matched_once() -> None:
    ring = ring_of(["a needle", "hay", "needle b"])
    search = LogSearch(ring)
    full_scan = search.start("NEEDLE")
    assert full_scan is not None and search.scanning
    ring.append(["needle c", "hay"], [T0, T0])  # arrives before the scan runs
    search.appended(3)
    assert asyncio.run(full_scan) is True
    assert search.matches == [0, 2, 3] and not search.scanning
    assert search.status == (0, 3)


def test_a_newer_query_stops_the_older_scan() -> None:
    search = LogSearch(ring_of(["x", "y"]))
    old = search.start("x")
    newer = search.start("y")
    assert old is not None and newer is not None
    assert asyncio.run(old) is False
    assert asyncio.run(newer) is True and search.matches == [1]


def test_steps_wrap_and_dropped_or_retracted_lines_leave_the_matches() -> None:
    ring = ring_of([f"m{i}" if i % 2 == 0 else "-" for i in range(6)], capacity=6)
    search = LogSearch(ring)
    full_scan = search.start("m")
    assert full_scan is not None and asyncio.run(full_scan)
    assert search.matches == [0, 2, 4]
    assert [search.step(), search.step(), search.step(), search.step(False)] == [0, 2, 4, 2]
    ring.append(["m6", "-"], [T0, T0])  # the ring drops lines 0 and 1
    search.appended(6)
    assert search.matches == [2, 4, 6] and search.status == (1, 3)
    ring.retract(2)
    search.retracted()
    assert search.matches == [2, 4]
    assert search.start("") is None and search.status is None


def test_first_match_starts_where_it_is_told() -> None:
    ring = ring_of(["ok", "ERROR one", "ok", "ERROR two"])
    search = LogSearch(ring)
    full_scan = search.start("error")
    assert full_scan is not None and asyncio.run(full_scan)
    pattern = search.pattern
    assert pattern is not None
    assert asyncio.run(first_match(ring, pattern, 0)) == 1
    assert asyncio.run(first_match(ring, pattern, 2)) == 3
    assert asyncio.run(first_match(ring, pattern, 4)) is None

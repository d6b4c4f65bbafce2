"""CloudWatch Logs storage for the simulator: log streams whose events are computed, not stored.

A stream is a time-ordered list of segments. A ``ScriptSegment`` holds a finite list of lines that
is generated on first use (a build's install/build/test output); a ``RateSegment`` yields ``rate``
lines per second from a function of the line index (a training job that logs thousands of lines a
second costs no memory). An event is visible once the clock has reached its timestamp.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

# (timestamp in ms, message)
Line = tuple[int, str]


class Segment(Protocol):
    def total(self) -> int: ...
    def count_before(self, ms: int) -> int: ...
    def event(self, i: int) -> Line: ...


class ScriptSegment:
    """A finite list of lines, produced by ``factory`` the first time anyone reads it."""

    def __init__(self, factory: Callable[[], list[Line]]) -> None:
        self._factory = factory
        self._lines: list[Line] | None = None
        self._times: list[int] = []

    def _load(self) -> list[Line]:
        if self._lines is None:
            self._lines = sorted(self._factory(), key=lambda line: line[0])
            self._times = [ms for ms, _ in self._lines]
        return self._lines

    def total(self) -> int:
        return len(self._load())

    def count_before(self, ms: int) -> int:
        self._load()
        return bisect.bisect_left(self._times, ms)

    def event(self, i: int) -> Line:
        return self._load()[i]


class RateSegment:
    """``rate`` lines per second from ``start_ms`` to ``end_ms``; line ``i`` is ``line(i)``."""

    def __init__(self, start_ms: int, end_ms: int, rate: int, line: Callable[[int], str]) -> None:
        self.start_ms = start_ms
        self.rate = max(1, rate)
        self._total = max(0, (end_ms - start_ms) * self.rate // 1000)
        self._line = line

    def total(self) -> int:
        return self._total

    def count_before(self, ms: int) -> int:
        d = ms - self.start_ms
        if d <= 0:
            return 0
        # Event i is at start + floor(i * 1000 / rate): it is before ms iff i < d * rate / 1000.
        return min(self._total, (d * self.rate + 999) // 1000)

    def event(self, i: int) -> Line:
        return self.start_ms + i * 1000 // self.rate, self._line(i)


@dataclass
class LogStream:
    """One log stream: ordered, non-overlapping segments of events."""

    group: str
    name: str
    created_ms: int
    segments: list[Segment] = field(default_factory=list)

    def count_before(self, ms: int) -> int:
        """Number of events whose timestamp is earlier than ``ms``."""
        return sum(seg.count_before(ms) for seg in self.segments)

    def visible(self, now: float) -> int:
        """Number of events ingested by simulated time ``now`` (seconds)."""
        return self.count_before(int(now * 1000) + 1)

    def event(self, i: int) -> tuple[int, str, int]:
        """Event ``i`` as (timestamp ms, message, ingestion time ms)."""
        for seg in self.segments:
            n = seg.total()
            if i < n:
                ms, msg = seg.event(i)
                # Ingestion trails the event by a little, deterministically.
                return ms, msg, ms + 150 + (i * 37) % 400
            i -= n
        raise IndexError(i)

    def events(self, start: int, stop: int) -> Iterator[tuple[int, int, str, int]]:
        """Yield (index, timestamp, message, ingestion) for indexes in [start, stop)."""
        for i in range(max(0, start), stop):
            ms, msg, ing = self.event(i)
            yield i, ms, msg, ing


@dataclass
class LogGroup:
    name: str
    created_ms: int
    streams: dict[str, LogStream] = field(default_factory=dict)


class LogStore:
    """All log groups of one account and region."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.groups: dict[str, LogGroup] = {}

    def group_arn(self, group: str) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:{group}"

    def resolve_group(self, identifier: str) -> LogGroup | None:
        """Find a group by name or ARN (with or without the trailing ``:*``)."""
        name = identifier
        if identifier.startswith("arn:"):
            name = identifier.split(":log-group:", 1)[-1]
            if name.endswith(":*"):
                name = name[:-2]
        return self.groups.get(name)

    def add_stream(self, group: str, stream: LogStream) -> LogStream:
        grp = self.groups.setdefault(group, LogGroup(group, stream.created_ms))
        grp.streams[stream.name] = stream
        return stream

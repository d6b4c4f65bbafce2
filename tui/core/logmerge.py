"""One log out of CloudWatch's events, from two sources that overlap. Plain Python.

A live-tail session and GetLogEvents deliver some of the same events around the moment the session
starts (``SeamDedupe`` passes each once), and the live lines are provisional: when the session ends the
log is read again by token and the lines shown are made to match that read (``reconcile``). Events
become display lines with ``event_lines``.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tui.core.model import LogEvent


def event_lines(events: Iterable[LogEvent]) -> tuple[list[str], list[int]]:
    """Split events into display lines: trailing newline dropped, ``\\r`` redraws keep their last state."""
    lines: list[str] = []
    stamps: list[int] = []
    add_line, add_stamp = lines.append, stamps.append
    for event in events:
        message = event.message
        if message.endswith("\n"):
            message = message[:-1]
        if "\n" not in message and "\r" not in message:
            add_line(message)
            add_stamp(event.timestamp)
            continue
        for part in message.replace("\r\n", "\n").split("\n"):
            if "\r" in part:
                # A progress bar redraws itself with \r: show its last non-empty state.
                part = next((p for p in reversed(part.split("\r")) if p), "")
            add_line(part)
            add_stamp(event.timestamp)
    return lines, stamps


class SeamDedupe:
    """The multiset union of two overlapping event sources (GetLogEvents and a live tail).

    An event is passed on only if its source has now delivered that ``(timestamp, message)`` more often
    than any source did before, so genuine repeats (two blank lines in the same millisecond) survive.
    Memory is bounded: the oldest keys are forgotten beyond ``capacity``, and events at or before the
    newest forgotten timestamp are taken as already delivered.
    """

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._counts: dict[str, Counter[tuple[int, str]]] = {}
        self._passed: Counter[tuple[int, str]] = Counter()
        self._order: deque[tuple[int, str]] = deque()
        self.horizon: int | None = None

    def admit(self, source: str, events: Sequence[LogEvent]) -> list[LogEvent]:
        """The events of ``events`` (from ``source``) that no source delivered yet."""
        counts = self._counts.setdefault(source, Counter())
        passed = self._passed
        out: list[LogEvent] = []
        for event in events:
            if self.horizon is not None and event.timestamp <= self.horizon:
                continue
            key = (event.timestamp, event.message)
            counts[key] += 1
            if counts[key] > passed[key]:
                passed[key] = counts[key]
                self._order.append(key)
                out.append(event)
        while len(self._order) > self.capacity:
            old = self._order.popleft()
            self.horizon = old[0] if self.horizon is None else max(self.horizon, old[0])
            passed.pop(old, None)
            for other in self._counts.values():
                other.pop(old, None)
        return out


@dataclass(frozen=True)
class Correction:
    """How to turn the lines shown (provisional) into the authoritative log: drop the last ``retract``
    lines shown, then add ``lines``."""

    retract: int
    lines: list[str]
    timestamps: list[int]


def reconcile(provisional: Sequence[LogEvent], authoritative: Sequence[LogEvent]) -> Correction:
    """Keep the longest common start of the two event lists; replace the rest of what was shown."""
    same = 0
    for shown, read in zip(provisional, authoritative, strict=False):
        if shown.timestamp != read.timestamp or shown.message != read.message:
            break
        same += 1
    retract = len(event_lines(provisional[same:])[0])
    lines, stamps = event_lines(authoritative[same:])
    return Correction(retract, lines, stamps)

"""Clocks that drive the simulator's world.

The engine never reads wall time directly: it asks its clock. Tests use ``ManualClock`` and move
time with ``advance`` so every transition happens exactly when they say; the demo uses
``RealClock``, optionally sped up.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

DEFAULT_START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Clock(Protocol):
    """What the simulator needs from a clock: the current time as an aware datetime."""

    def now(self) -> datetime: ...

    def advance(self, seconds: float) -> datetime: ...


class ManualClock:
    """A clock that only moves when told to. Thread-safe: tests may advance it from any thread."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime (tzinfo=UTC)")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current simulated time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move time forward by ``seconds`` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError("ManualClock cannot go backwards")
        with self._lock:
            self._now = self._now + timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when``, which must not be earlier than the current time."""
        with self._lock:
            if when < self._now:
                raise ValueError("ManualClock cannot go backwards")
            self._now = when


class RealClock:
    """Wall-clock time, optionally sped up: ``speed=10`` makes one real second ten simulated."""

    def __init__(self, speed: float = 1.0, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._origin = start or datetime.now(UTC)
        self._mono = time.monotonic()
        self._skipped = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Simulated time: the start plus real elapsed time times ``speed``, plus any skips."""
        elapsed = (time.monotonic() - self._mono) * self.speed
        with self._lock:
            return self._origin + timedelta(seconds=elapsed + self._skipped)

    def advance(self, seconds: float) -> datetime:
        """Skip ``seconds`` ahead at once (the demo's fast-forward); time keeps running after."""
        if seconds < 0:
            raise ValueError("RealClock cannot go backwards")
        with self._lock:
            self._skipped += seconds
        return self.now()


def epoch(when: datetime) -> float:
    """Seconds since the epoch, as the AWS JSON protocols send timestamps."""
    return when.timestamp()

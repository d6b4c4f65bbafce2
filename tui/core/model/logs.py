"""CloudWatch Logs events: a page of GetLogEvents and a live-tail batch."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LogEvent:
    timestamp: int  # milliseconds since the epoch, as CloudWatch Logs gives it
    message: str
    ingestion_time: int | None = None


class LiveBatch(list[LogEvent]):
    """One live-tail update's events. ``sampled``: CloudWatch sent a sample of a flood (over 500
    events a second), so lines are missing until the log is read in full."""

    def __init__(self, events: Iterable[LogEvent] = (), *, sampled: bool = False) -> None:
        super().__init__(events)
        self.sampled = sampled


@dataclass(frozen=True)
class LogPage:
    events: tuple[LogEvent, ...]
    next_forward_token: str | None = None
    next_backward_token: str | None = None

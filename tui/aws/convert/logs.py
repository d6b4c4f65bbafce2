"""CloudWatch Logs: GetLogEvents' pages and the events of StartLiveTail."""

from __future__ import annotations

from tui.aws.convert.readers import Json, dicts, integer, text
from tui.core.model import LogEvent, LogPage


def log_event(data: Json) -> LogEvent:
    """An OutputLogEvent (GetLogEvents) or a LiveTailSessionLogEvent (StartLiveTail)."""
    return LogEvent(
        timestamp=integer(data, "timestamp") or 0,
        message=str(data.get("message") or ""),
        ingestion_time=integer(data, "ingestionTime"),
    )


def log_page(response: Json) -> LogPage:
    """GetLogEvents' response."""
    return LogPage(
        events=tuple(log_event(e) for e in dicts(response, "events")),
        next_forward_token=text(response, "nextForwardToken"),
        next_backward_token=text(response, "nextBackwardToken"),
    )

"""Small formatting helpers shared by every screen: relative times, durations, statuses.

No Textual here (Rich ``Text`` only), so these are unit-testable and usable from the store too.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from tui.core.model import Standing, Status
from tui.core.sanitize import clean

# Theme-independent fallbacks for Rich renderables; widgets map the same names to $success etc. in tcss.
STATUS_COLORS = {
    "success": "green",
    "error": "red",
    "warning": "yellow",
    "accent": "cyan",
    "muted": "bright_black",
}


def ago(when: datetime | None, now: datetime) -> str:
    """'12s ago', '3m ago', '5h ago', '2d ago'; '' when unknown."""
    if when is None:
        return ""
    seconds = (now - when).total_seconds()
    if seconds < 0:
        return "just now" if seconds > -5 else "in " + duration(-seconds)
    if seconds < 60:
        return f"{int(seconds)}s ago"
    return duration(seconds, coarse=True) + " ago"


def duration(seconds: float | None, *, coarse: bool = False) -> str:
    """'45s', '3m 12s', '1h 05m', '2d 3h'; coarse keeps only the largest unit."""
    if seconds is None:
        return ""
    s = int(max(0, seconds))
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m" if coarse else f"{m}m {s:02d}s"
    h, m = divmod(m, 60)
    if h < 24:
        return f"{h}h" if coarse else f"{h}h {m:02d}m"
    d, h = divmod(h, 24)
    return f"{d}d" if coarse else f"{d}d {h}h"


def status_text(status: Status, *, label: bool = True) -> Text:
    """Glyph (+ label) coloured by status; the glyph keeps it readable without colour."""
    color = STATUS_COLORS.get(status.style, "yellow")
    body = f"{status.glyph} {clean(status.label)}" if label else status.glyph
    return Text(body, style=color, no_wrap=True, overflow="ellipsis")


def short_id(value: str | None, width: int = 8) -> str:
    """The first characters of an execution id or commit, for dense tables."""
    return clean(value or "")[:width]


def seconds_left(expires_at: datetime | None, now: datetime) -> float | None:
    """Seconds until ``expires_at`` (0 or less once passed); None without an expiry."""
    return None if expires_at is None else (expires_at - now).total_seconds()


def time_left(expires_at: datetime | None, now: datetime, *, bare: bool = False) -> str:
    """An approval's time left, the same words everywhere: '1h 20m left' until it expires,
    'expired' once it has, 'time left unknown' without an expiry. ``bare`` (under a "Time left"
    heading): '1h 20m', 'expired', 'unknown'."""
    seconds = seconds_left(expires_at, now)
    if seconds is None:
        return "unknown" if bare else "time left unknown"
    if seconds <= 0:
        return "expired"
    return duration(seconds) if bare else f"{duration(seconds)} left"


def standing_text(standing: Standing, now: datetime | None = None) -> Text:
    """A ``Standing`` in words, coloured: ``⊘ Held at the disabled transition into Production``,
    ``⏸ Waiting for approval in Approval · 1h 20m left``. The same words on every screen."""
    text = Text(f"{standing.glyph} {clean(standing.sentence)}", style=STATUS_COLORS.get(standing.style, ""))
    if standing.expires_at is not None and now is not None:
        seconds = (standing.expires_at - now).total_seconds()
        left = time_left(standing.expires_at, now)
        text.append(f" · {left}", style="bold yellow" if seconds < 3600 else STATUS_COLORS["warning"])
    return text


def running_duration(
    start: datetime | None, last_update: datetime | None, status: Status, now: datetime
) -> str:
    """Elapsed time: up to now while running, up to the last update once finished."""
    if start is None:
        return ""
    end = last_update if status.is_terminal else now
    return duration(((end or now) - start).total_seconds())

"""Every notice an app told, in order (toasts expire from the screen; this record does not).

``sim_app`` records from the app's birth, so a test reads ``told(app)`` without setting anything
up and cannot miss a notice that came and went while it waited for something else.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from textual.app import App


class Notice(NamedTuple):
    message: str
    severity: str
    title: str

    @property
    def shown(self) -> str:
        """As the toast reads: 'title: message' (or the message alone)."""
        return f"{self.title}: {self.message}" if self.title else self.message


_TOLD: WeakKeyDictionary[App[Any], list[Notice]] = WeakKeyDictionary()


def record_notices(app: App[Any]) -> list[Notice]:
    """Record every ``app.notify`` from now on (idempotent); returns the live list."""
    if app in _TOLD:
        return _TOLD[app]
    told: list[Notice] = []
    _TOLD[app] = told
    notify = app.notify

    def record(message: str, **kwargs: Any) -> None:
        told.append(Notice(message, str(kwargs.get("severity", "information")), str(kwargs.get("title", ""))))
        notify(message, **kwargs)

    app.notify = record  # type: ignore[method-assign]
    return told


def told(app: App[Any]) -> list[Notice]:
    """The notices ``app`` told so far (recording starts here if it had not)."""
    return record_notices(app)


def told_text(app: App[Any]) -> list[str]:
    """``told(app)`` as the toasts read."""
    return [n.shown for n in told(app)]


def alerts(app: App[Any]) -> list[Notice]:
    """The notifications told as notices (``[notifications] toast``), in order: the only notices with
    a title ('Approval waiting', 'Pipeline failed', 'Execution succeeded', ...)."""
    return [n for n in told(app) if n.title]

"""What the controllers are given besides the session, as protocols: each takes only what it uses.

``CptuiApp`` (``application.py``) makes the ``Session`` (``tui/core/session.py``: the store, the config,
the targets and their services, the action runner, the budgeted reads, the clock) and hands it to
every controller, with the few app services a controller needs: ``Scheduling`` (Textual's timers and
workers), ``Telling`` (notices to the operator), ``StoreChanges`` (publish a store change, or be told
of each). The controllers never import the app (that was a twenty-module import circle), nor reach
into it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.signal import Signal
from textual.timer import Timer
from textual.worker import Worker

from tui.core.store import StoreChange

T = TypeVar("T")


class Scheduling(Protocol):
    """Textual's timers and workers (the app's), and subscriptions that last as long as it runs."""

    def subscribe_store(self, callback: Callable[[StoreChange], object], *, immediate: bool = False) -> None:
        """Call ``callback`` with every published store change, for as long as the app runs."""

    def set_interval(
        self, interval: float, callback: Callable[[], Any] | None = None, *, name: str | None = None
    ) -> Timer: ...

    def set_timer(
        self, delay: float, callback: Callable[[], Any] | None = None, *, name: str | None = None
    ) -> Timer: ...

    def call_later(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool: ...

    def run_worker(
        self,
        work: Callable[[], Coroutine[Any, Any, T]],
        *,
        name: str | None = "",
        group: str = "default",
        description: str = "",
        exit_on_error: bool = True,
    ) -> Worker[T]:
        """Run ``work()`` in a worker. The work is an async function, not a coroutine: the coroutine
        is made when the worker starts, so a worker cancelled before it starts (the app closing)
        leaves no coroutine that was never awaited."""


class Telling(Protocol):
    """Notices to the operator (sanitized and capped by the app)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None: ...

    def report_error(self, error: BaseException, *, once: str | None = None) -> None: ...


class StoreChanges:
    """The store's change signal, as the controllers use it: publish a change (every screen redraws
    what it concerns), or be told of each one for as long as the app runs. Screens subscribe to
    ``signal`` themselves (``Host.store_changed``), for as long as they are mounted."""

    def __init__(self, owner: DOMNode) -> None:
        self._owner = owner
        self.signal: Signal[StoreChange] = Signal(owner, "store_changed")

    def publish(self, change: StoreChange) -> None:
        self.signal.publish(change)

    def subscribe(self, callback: Callable[[StoreChange], object], *, immediate: bool = False) -> None:
        self.signal.subscribe(self._owner, callback, immediate=immediate)


class AppScheduler:
    """``Scheduling`` by the app's timers and workers, and nothing else of the app: what a controller
    is handed instead of the app."""

    def __init__(self, app: Scheduling) -> None:
        self._app = app

    def subscribe_store(self, callback: Callable[[StoreChange], object], *, immediate: bool = False) -> None:
        self._app.subscribe_store(callback, immediate=immediate)

    def set_interval(
        self, interval: float, callback: Callable[[], Any] | None = None, *, name: str | None = None
    ) -> Timer:
        return self._app.set_interval(interval, callback, name=name)

    def set_timer(
        self, delay: float, callback: Callable[[], Any] | None = None, *, name: str | None = None
    ) -> Timer:
        return self._app.set_timer(delay, callback, name=name)

    def call_later(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        return self._app.call_later(callback, *args, **kwargs)

    def run_worker(self, work: Callable[[], Coroutine[Any, Any, T]], **options: Any) -> Worker[T]:
        """``Scheduling.run_worker``: its options (name, group, ...) passed on as they are."""
        return self._app.run_worker(work, **options)


class AppNotices:
    """``Telling`` by the app's notices (looked up at each call), and nothing else of the app."""

    def __init__(self, app: Telling) -> None:
        self._app = app

    def notify(self, message: str, **options: Any) -> None:
        """``Telling.notify``: its options (title, severity, timeout, markup) passed on as they are."""
        self._app.notify(message, **options)

    def report_error(self, error: BaseException, *, once: str | None = None) -> None:
        self._app.report_error(error, once=once)

"""What the controllers reach for in the app, as protocols: each controller names what it needs.

``CptuiApp`` (``application.py``) builds the controllers and hands itself in; the controllers never
import it (that was a twenty-module import circle). ``Session`` (``tui/ui/host.py``, shared with the
screens) is what every controller reads: the store and its change signal, the config, the targets
and their services, the budgeted reads, the clock; ``Scheduling`` is Textual's timers and workers;
``Telling`` is how a controller speaks to the operator. A controller's own protocol adds the sibling
controllers it drives, typed by their class.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

from textual.notifications import SeverityLevel
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
        work: Coroutine[Any, Any, T],
        name: str | None = "",
        group: str = "default",
        description: str = "",
        exit_on_error: bool = True,
    ) -> Worker[T]: ...


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

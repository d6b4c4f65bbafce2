"""While a screen shows one pipeline, the poller keeps that pipeline fresh (polls it fast) and the
screen hears the store's changes; both end when the screen goes. The pipeline, history and execution
screens call these from ``on_mount`` and ``on_unmount``.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode

from tui.core.model import Target
from tui.core.store import StoreChange
from tui.ui.host import Host


def start_fast_polling(
    screen: DOMNode, host: Host, target: Target, pipeline: str, on_change: Callable[[StoreChange], None]
) -> None:
    """Poll ``pipeline`` fast and call ``on_change`` with each change of the store."""
    host.poller.poll_fast(target, pipeline)
    host.store_changed.subscribe(screen, on_change)


def stop_fast_polling(screen: DOMNode, host: Host, target: Target, pipeline: str) -> None:
    """Undo ``start_fast_polling``."""
    host.store_changed.unsubscribe(screen)
    host.poller.stop_polling_fast(target, pipeline)

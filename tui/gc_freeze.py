"""Keep Python's cyclic garbage collector from stalling a long-lived dashboard.

With a thousand pipelines the process holds about 400,000 objects that live as long as it does
(modules, the store, the table's rows and render caches), and every full collection walks all of
them: 200-350 ms during which no key is answered (``bench/render.py`` measured it). ``gc.freeze()``
moves the objects alive at that moment out of the collector's view; they are still freed by
reference counting when released, only cyclic garbage among them would be kept. So the app freezes
twice, once the pipeline list is on screen and once every row has its status, and never again.

Only in a real terminal: a test process runs hundreds of headless apps, and freezing each one's
object graph would keep them all.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app import CptuiApp

CHECK_SECONDS = 2.0


def loading_stage(app: CptuiApp) -> int:
    """0: nothing listed yet; 1: the pipeline list is on screen; 2: every row has its status."""
    if not any(app.store.freshness(t).listed for t in app.targets):
        return 0
    rows = app.store.rows()
    return 2 if rows and all(r.loaded for r in rows) else 1


def freeze_after_loading(app: CptuiApp) -> None:
    """Freeze the objects alive once the list is listed, and again once it is loaded (not headless)."""
    if app.is_headless:
        return
    frozen = 0

    def check() -> None:
        nonlocal frozen
        stage = loading_stage(app)
        if stage > frozen:
            gc.freeze()
            frozen = stage
        if frozen >= 2:
            timer.stop()

    timer = app.set_interval(CHECK_SECONDS, check, name="gc-freeze")

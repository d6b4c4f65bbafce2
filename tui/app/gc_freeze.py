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

from tui.app.context import Scheduling, StoreChanges
from tui.ui.host import SessionView

CHECK_SECONDS = 2.0
START_LIMIT = 5.0


def loading_stage(session: SessionView) -> int:
    """0: nothing listed yet; 1: the pipeline list is on screen; 2: every row has its status."""
    if not any(session.store.freshness(t).listed for t in session.targets):
        return 0
    rows = session.store.rows()
    return 2 if rows and all(r.loaded for r in rows) else 1


_paused_at_start = False


def pause_for_start() -> None:
    """Turn the collector off before a real run imports Textual and the app (``cptui`` itself);
    ``freeze_after_loading`` turns it back on."""
    global _paused_at_start
    if gc.isenabled():
        gc.disable()
        _paused_at_start = True


def freeze_after_loading(
    session: SessionView, scheduler: Scheduling, changes: StoreChanges, *, headless: bool
) -> None:
    """Freeze the objects alive once the list is listed, and again once it is loaded (not headless).

    Until the first list arrives the collector is off: importing aiobotocore and loading botocore's
    models allocate enough to trigger a full collection of everything just imported, and it fell
    on the frame that paints the first rows (60-70 ms of the cold start, ``bench/startup.py``).
    Reference counting still frees everything else meanwhile; a few seconds at most.
    """
    was_enabled = gc.isenabled() or _paused_at_start
    if headless:
        if was_enabled:
            gc.enable()
        return
    frozen = 0
    gc.disable()

    def resume() -> None:
        if was_enabled and not gc.isenabled():
            gc.enable()

    def check() -> None:
        nonlocal frozen
        stage = loading_stage(session)
        if stage > frozen:
            gc.freeze()
            frozen = stage
            resume()
        if frozen >= 2:
            timer.stop()

    # The first stage is checked as the list lands (before its rows are painted), later ones
    # every few seconds; whatever happens, the collector is back on after START_LIMIT seconds.
    def on_change(_change: object) -> None:
        if frozen == 0:
            check()

    changes.subscribe(on_change, immediate=True)
    timer = scheduler.set_interval(CHECK_SECONDS, check, name="gc-freeze")
    scheduler.set_timer(START_LIMIT, resume, name="gc-resume")

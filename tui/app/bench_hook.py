"""A start-up probe for ``bench/startup.py``, enabled only by the environment.

With ``CPTUI_BENCH_READY_FILE=path`` the app appends one line ``<milestone> <time.monotonic()>`` per
milestone to that file (on Linux the monotonic clock is system-wide, so the parent subtracts the time
it spawned the process). A milestone counts when a frame showing it has been written to the terminal:

- ``frame``: the first frame of the pipelines list (it may still say "Loading pipelines…");
- ``rows``: the first frame with the listed pipelines' names;
- ``live_first``: the first frame with a live status in a row;
- ``live_screen``: the first frame where every row on screen has its live status;
- ``live_all``: every pipeline has its live status (most of them are off screen).

With ``CPTUI_BENCH_EXIT=1`` the app exits after ``live_all`` (or after the milestone it names, e.g.
``CPTUI_BENCH_EXIT=live_screen``); the last line is then ``rss <VmHWM kB>``.
"""

from __future__ import annotations

import os
import time
from typing import Any

from textual.app import App

from tui.ui.host import host_of

READY_FILE = "CPTUI_BENCH_READY_FILE"
EXIT = "CPTUI_BENCH_EXIT"
MILESTONES = ("frame", "rows", "live_first", "live_screen", "live_all")


def install_from_env(app: App[Any]) -> None:
    """Install the probe when ``CPTUI_BENCH_READY_FILE`` is set; otherwise do nothing."""
    path = os.environ.get(READY_FILE)
    if path:
        last = os.environ.get(EXIT, "")
        _Probe(app, path, "live_all" if last == "1" else last if last in MILESTONES else None).install()


def peak_rss_kb() -> int:
    """This process's peak resident set (VmHWM), in kB; 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class _Probe:
    def __init__(self, app: App[Any], path: str, exit_after: str | None) -> None:
        self.app = app
        self.path = path
        self.exit_after = exit_after
        self.reached: set[str] = set()

    def install(self) -> None:
        original = self.app._display

        def display(screen: Any, update: Any) -> None:
            original(screen, update)
            if update is not None:
                self.check(painted=True)

        self.app._display = display  # type: ignore[method-assign,assignment]
        host_of(self.app).store_changed.subscribe(self.app, lambda _change: self.check(painted=False))

    def _states(self) -> dict[str, bool]:
        from tui.ui.screens.pipelines import PipelinesScreen

        screen = self.app.screen
        if not isinstance(screen, PipelinesScreen):
            return {}
        rows = host_of(self.app).store.rows()
        by_key = {r.key: r for r in rows}
        on_screen = [by_key[k] for k in screen._visible_keys() if k in by_key]
        return {
            "frame": True,
            "rows": bool(on_screen),
            "live_first": any(r.loaded for r in on_screen),
            "live_screen": bool(on_screen) and all(r.loaded for r in on_screen),
            "live_all": bool(rows) and all(r.loaded for r in rows),
        }

    def check(self, *, painted: bool) -> None:
        now = time.monotonic()
        new = [
            name
            for name, ok in self._states().items()
            # What is off screen needs no frame to count.
            if ok and name not in self.reached and (painted or name == "live_all")
        ]
        if not new:
            return
        self.reached.update(new)
        lines = [f"{name} {now:.6f}\n" for name in MILESTONES if name in new]
        done = self.exit_after is not None and self.exit_after in self.reached
        if done:
            lines.append(f"rss {peak_rss_kb()}\n")
        with open(self.path, "a", encoding="ascii") as out:
            out.writelines(lines)
        if done:
            self.exit_after = None
            self.app.exit()

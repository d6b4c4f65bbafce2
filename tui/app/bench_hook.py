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

With ``CPTUI_BENCH_TRACE=1`` it also writes ``paint <time> <live>/<rows>`` for each frame that changed
how many rows on screen are live, and ``send <time> <operation> <pipeline>`` for each poll dispatched
(``bench/startup.py trace`` merges them with the simulator's request log).
"""

from __future__ import annotations

import os
import time
from typing import Any

from rich.text import Text
from textual.app import App
from textual.widgets.data_table import CellDoesNotExist

from tui.ui.host import host_of
from tui.ui.widgets.textual_private import after_each_frame

READY_FILE = "CPTUI_BENCH_READY_FILE"
EXIT = "CPTUI_BENCH_EXIT"
TRACE = "CPTUI_BENCH_TRACE"
MILESTONES = ("frame", "rows", "live_first", "live_screen", "live_all")
STATUS_COLUMN = "status"
# A status cell with one of these is not live yet: "… loading", "✓ cached 3m" (the warm start). The
# benchmark reads the terminal's screen with the same words (bench/startup.py).
NOT_LIVE = ("loading", "cached", "…")


def is_live(status: str) -> bool:
    """True when a status cell's text is a live status."""
    return bool(status.strip()) and not any(word in status for word in NOT_LIVE)


def install_from_env(app: App[Any]) -> None:
    """Install the probe when ``CPTUI_BENCH_READY_FILE`` is set; otherwise do nothing."""
    path = os.environ.get(READY_FILE)
    if path:
        last = os.environ.get(EXIT, "")
        probe = _Probe(app, path, "live_all" if last == "1" else last if last in MILESTONES else None)
        probe.trace = os.environ.get(TRACE, "") == "1"
        probe.install()


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
        self.trace = False
        self._traced: tuple[int, int] | None = None

    def install(self) -> None:
        after_each_frame(self.app, lambda: self.check(painted=True))
        host = host_of(self.app)
        host.store_changed.subscribe(self.app, lambda _change: self.check(painted=False))
        if self.trace:
            policy: Any = getattr(host.poller, "policy")  # noqa: B009  (the controller's, not the Protocol's)
            next_due = policy.next_due

            def traced(now: float) -> list[Any]:
                due: list[Any] = next_due(now)
                stamp = time.monotonic()
                self._write([f"send {stamp:.6f} {f.kind.operation} {f.name or ''}\n" for f in due])
                return due

            policy.next_due = traced  # type: ignore[method-assign]

    def _write(self, lines: list[str]) -> None:
        if lines:
            with open(self.path, "a", encoding="ascii") as out:
                out.writelines(lines)

    def _on_screen(self) -> list[bool] | None:
        """Whether each row on screen shows a live status, as the table draws it (None: not the
        pipelines list). The table's own cells decide, not the store: a read's answer is in the
        store a message before the list redraws its row, and a frame painted in between would
        count the row as live one frame early."""
        from tui.ui.screens.pipelines import PipelinesScreen

        screen = self.app.screen
        if not isinstance(screen, PipelinesScreen):
            return None
        table = screen.table
        shown: list[bool] = []
        for key in screen._visible_keys():
            try:
                cell = table.get_cell(key, STATUS_COLUMN)
            except (CellDoesNotExist, KeyError):
                continue  # (a target's header row, or no status column)
            shown.append(is_live(cell.plain if isinstance(cell, Text) else str(cell)))
        return shown

    def _trace_paint(self, now: float, on_screen: list[bool]) -> None:
        seen = (sum(on_screen), len(on_screen))
        if seen != self._traced:
            self._traced = seen
            self._write([f"paint {now:.6f} {seen[0]}/{seen[1]}\n"])

    def _states(self) -> dict[str, bool]:
        on_screen = self._on_screen()
        if on_screen is None:
            return {}
        rows = host_of(self.app).store.rows()
        return {
            "frame": True,
            "rows": bool(on_screen),
            "live_first": any(on_screen),
            "live_screen": bool(on_screen) and all(on_screen),
            "live_all": bool(rows) and all(r.loaded for r in rows),
        }

    def check(self, *, painted: bool) -> None:
        now = time.monotonic()
        states = self._states()
        if self.trace and painted and (on_screen := self._on_screen()) is not None:
            self._trace_paint(now, on_screen)
        new = [
            name
            for name, ok in states.items()
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

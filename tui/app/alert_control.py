"""The app's side of notifications and the watch list: detect on store changes, deliver once.

Events come from ``tui.core.notify.EventDetector`` (approvals that start waiting, failures of favourite
pipelines) and ``tui.core.watchlist.WatchList`` (followed executions that end). Each is delivered once
within ``[notifications] dedupe_window`` (``NotifiedLog``, persisted next to the audit log, by
default ``$XDG_STATE_HOME/cptui/notified.json``) through the channels the config turns on: a notice
(``toast``), the terminal bell (``bell``) and a desktop notification by OSC 9 / OSC 777 (``desktop``),
written to the terminal through the app's driver as Textual itself does for OSC 52.

A followed execution that is its pipeline's latest is tracked from the store while the poller polls
the pipeline fast; an older one (a queued or parallel execution, or one picked in the history) is read
with GetPipelineExecution every ``active_interval`` under the target's rate budget.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from tui.app.context import Scheduling, StoreChanges, Telling
from tui.aws.errors import AwsError, ErrorKind
from tui.core.notify import (
    BELL,
    STATE_FILE,
    Event,
    EventDetector,
    NotifiedLog,
    desktop_protocol,
    desktop_sequence,
    tmux_passthrough,
)
from tui.core.sanitize import clean
from tui.core.session import Session
from tui.core.watchlist import WATCH_FILE, Followed, WatchList, WatchListFile
from tui.ui.host import Polling

if TYPE_CHECKING:
    from tui.core.model import ExecutionSummary, Target
    from tui.core.store import StoreChange

TICK_SECONDS = 1.0


def state_path_for(audit_log: Path) -> Path:
    """Where told events are kept: beside the audit log (``$XDG_STATE_HOME/cptui/`` by default)."""
    return audit_log.parent / STATE_FILE


def watch_path_for(audit_log: Path) -> Path:
    """Where the followed executions are kept across restarts: beside the audit log too."""
    return audit_log.parent / WATCH_FILE


class Alerts:
    """Created by ``CptuiApp``; ``start()`` once the app runs. ``polling``: a followed execution's
    pipeline is polled fast; ``write``: raw output to the terminal (bell, desktop notifications)."""

    def __init__(
        self,
        session: Session,
        scheduler: Scheduling,
        notices: Telling,
        changes: StoreChanges,
        polling: Polling,
        write: Callable[[str], None],
        *,
        state_path: Path | None = None,
        watch_path: Path | None = None,
        env: Mapping[str, str] | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self.session = session
        self.scheduler = scheduler
        self.notices = notices
        self.changes = changes
        self.polling = polling
        self._write = write
        config = session.config.notifications
        self.watchlist = WatchList()
        self.watch_file = WatchListFile(watch_path)
        self._saved_version = self.watchlist.version
        self.detector = EventDetector(
            is_favourite=lambda name: session.config.pipelines.is_favourite(name), recent=config.dedupe_window
        )
        self.log = NotifiedLog(state_path, config.dedupe_window)
        env = os.environ if env is None else env
        self.protocol = desktop_protocol(env)
        self.tmux = bool(env.get("TMUX"))
        self._monotonic = monotonic or time.monotonic
        self._polled_fast: dict[str, tuple[Target, str]] = {}  # followed key -> the pipeline polled fast
        self._fetching: set[str] = set()
        self._fetched_at: dict[str, float] = {}

    def start(self) -> None:
        self.changes.subscribe(self.on_store_changed, immediate=True)
        self.scheduler.set_interval(TICK_SECONDS, self._tick, name="watchlist")
        # What was followed before a restart is followed again (its end still gets told).
        self.watchlist.restore(self.watch_file.load({t.key: t for t in self.session.targets}))
        self._saved_version = self.watchlist.version
        for entry in self.watchlist.running():
            self.polling.poll_fast(entry.target, entry.pipeline)
            self._polled_fast[entry.key] = (entry.target, entry.pipeline)

    # --- detection -----------------------------------------------------------------------------

    def on_store_changed(self, change: StoreChange) -> None:
        if not change.pipelines:
            return
        now = self.session.now()
        targets = [change.target] if change.target is not None else list(self.session.targets)
        events: list[Event] = []
        for target in targets:
            events += self.detector.observe(self.session.store, target, change.pipelines, now)
        events += self.watchlist.update_from_store(self.session.store, now)
        self._settle()
        self._persist()
        self.deliver(events)

    # --- delivery ------------------------------------------------------------------------------

    def deliver(self, events: list[Event]) -> None:
        """Tell each event once within the dedupe window, through the channels the config enables."""
        config = self.session.config.notifications
        now = self.session.now()
        for event in events:
            if not self.log.claim(event.key, now):
                continue  # told already (found again within the window, perhaps by an earlier run)
            if config.toast:
                self.notices.notify(
                    event.body,
                    title=event.title,
                    severity=event.severity,  # type: ignore[arg-type]
                    timeout=10,
                    markup=False,
                )
            if config.bell:
                self.write(BELL)
            if config.desktop:
                sequence = desktop_sequence(self.protocol, f"cptui: {event.title}", event.body)
                self.write(tmux_passthrough(sequence) if self.tmux else sequence)

    def write(self, data: str) -> None:
        """Raw output to the terminal (the bell, OSC sequences)."""
        self._write(data)

    # --- the watch list ------------------------------------------------------------------------

    def follow(
        self,
        target: Target,
        pipeline: str,
        execution_id: str | None = None,
        known: ExecutionSummary | None = None,
    ) -> Followed | None:
        """As ``Following.follow`` (tui/ui/host.py) says; the entry, or None when nothing new is followed."""
        latest = self.session.store.latest_execution(target, pipeline)
        if execution_id is None:
            if latest is None:
                self.notices.notify(f"{clean(pipeline)} has no execution to follow yet.", markup=False)
                return None
            execution_id = latest.execution_id
        current = latest if latest is not None and latest.execution_id == execution_id else None
        if current is None and known is not None and known.execution_id == execution_id:
            current = known
        entry = self.watchlist.follow(
            target,
            pipeline,
            execution_id,
            self.session.now(),
            status=current.status if current else None,
            started=current.start_time if current else None,
        )
        short = clean(execution_id)[:8]
        if entry is None:
            self.notices.notify(f"Already following {clean(pipeline)} {short}.", markup=False)
            return None
        if entry.finished:
            status = entry.status.label.lower() if entry.status else "ended"
            self.notices.notify(f"{clean(pipeline)} {short} has already {status}.", markup=False)
            return entry
        self.polling.poll_fast(target, pipeline)
        self._polled_fast[entry.key] = (target, pipeline)
        key = self.session.config.first_key("watchlist")
        self.notices.notify(
            f"Following {clean(pipeline)} {short} — {key} lists what you follow.", markup=False
        )
        self._tick()
        return entry

    def dismiss(self, key: str) -> None:
        """Stop following one execution, or forget a finished one."""
        self.watchlist.dismiss(key)
        self._settle()
        self._persist()

    def dismiss_finished(self) -> int:
        count = self.watchlist.dismiss_finished()
        self._settle()
        self._persist()
        return count

    def _persist(self) -> None:
        """Write the watch list if it changed since it was last written."""
        if self.watchlist.version != self._saved_version:
            self._saved_version = self.watchlist.version
            self.watch_file.save(self.watchlist.entries())

    def _settle(self) -> None:
        """Stop polling fast the pipelines whose followed execution ended or was dismissed."""
        for key in [k for k in self._polled_fast if (e := self.watchlist.get(k)) is None or e.finished]:
            target, pipeline = self._polled_fast.pop(key)
            self.polling.stop_polling_fast(target, pipeline)
            self._fetched_at.pop(key, None)

    def _tick(self) -> None:
        """Read the followed executions the store does not track, each every ``active_interval``."""
        self._persist()
        every = self.session.config.polling.active_interval
        now = self._monotonic()
        for entry in self.watchlist.needs_fetch(self.session.store):
            last = self._fetched_at.get(entry.key)
            if entry.key in self._fetching or (last is not None and now - last < every):
                continue
            self._fetching.add(entry.key)
            self._fetched_at[entry.key] = now
            self.scheduler.run_worker(
                partial(self._fetch, entry),
                name=f"follow {entry.pipeline}",
                group="watchlist",
                exit_on_error=False,
            )

    async def _fetch(self, entry: Followed) -> None:
        name, execution_id = entry.pipeline, entry.execution_id

        try:
            execution = await self.session.reads.execution(entry.target, name, execution_id)
        except AwsError as error:
            if error.kind is ErrorKind.NOT_FOUND:
                # Gone (history is kept 12 months): nothing more will be learnt about it.
                self.notices.notify(
                    f"{clean(name)} {clean(execution_id)[:8]} no longer exists.",
                    severity="warning",
                    markup=False,
                )
                self.dismiss(entry.key)
            return
        finally:
            self._fetching.discard(entry.key)
        event = self.watchlist.update(entry.key, execution.status, self.session.now())
        self._settle()
        self._persist()
        if event is not None:
            self.deliver([event])

"""The warm start: each target's last list, painted at the first frame, kept for the next start.

``CptuiApp`` creates a ``WarmStart`` before its first screen: the rows cached by the last run
(tui/core/cache.py, ``$XDG_CACHE_HOME/cptui/``) go into the store at once, each marked as cached with its
age until its first live read replaces it. When a target's identity arrives from another account than
the cache's, its cached rows go (one log line). The live rows are written back every few minutes and
when the app exits: the rows are taken from the store on the UI thread (immutable rows, a list per
target), and turned into JSON and written (atomically: a temporary file renamed over the old one) by
one writer thread, in the order they were taken, so a thousand rows never hold up a key press.
``config.cache_dir`` None (tests, ``--no-cache``, ``[general] cache = false``) reads and writes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tui.app.context import Scheduling
from tui.core.cache import CachedList, load_list, save_list
from tui.core.session import Session

if TYPE_CHECKING:
    from tui.core.model import Target
    from tui.core.store import PipelineRow, StoreChange

log = logging.getLogger(__name__)

SAVE_EVERY = 120.0  # seconds between writes of the live lists (and once at exit)
# At exit, how long to wait for who the caller is when it is not known yet (see ``close``).
EXIT_IDENTITY_WAIT = 3.0
# The first write, once the rows on screen are usually read: a run killed before its exit (a closed
# terminal) still leaves a cache.
FIRST_SAVE = 15.0


@dataclass(frozen=True)
class _ListToSave:
    """One target's live rows as the store had them, for the writer thread."""

    target: Target
    endpoint: str | None
    account: str
    rows: tuple[PipelineRow, ...]
    saved_at: datetime


def _write(folder: Path, lists: list[_ListToSave]) -> None:
    """On the writer thread: each list as JSON, written atomically (``save_list``)."""
    for item in lists:
        try:
            save_list(folder, item.target, item.endpoint, item.account, item.rows, item.saved_at)
        except Exception:  # a head start only: never an error the operator sees
            log.exception("cannot write the cached list of %s", item.target.label)


class WarmStart:
    """Created by ``CptuiApp``: the session, its timers, and ``publish`` (the poller's: a store
    change made outside a poll)."""

    def __init__(
        self, session: Session, scheduler: Scheduling, publish: Callable[[StoreChange], None]
    ) -> None:
        self.session = session
        self.scheduler = scheduler
        self.publish = publish
        self.folder: Path | None = session.config.cache_dir
        # Cached lists painted and not yet checked against the target's account.
        self.pending: dict[str, CachedList] = {}
        self.first_save = FIRST_SAVE
        self._writer: ThreadPoolExecutor | None = None  # one thread: writes land in order
        self._writes: list[Future[None]] = []

    def _endpoint(self, target: Target) -> str | None:
        service = self.session.services.get(target.key)
        return getattr(service, "endpoint_url", None)

    def paint(self) -> None:
        """Put every target's cached rows into the store (before the first screen is built)."""
        if self.folder is None:
            return
        store = self.session.store
        for target in self.session.targets:
            cached = load_list(self.folder, target, self._endpoint(target))
            if cached is None or not cached.rows:
                continue
            self.pending[target.key] = cached
            store.paint_cached(target, cached.rows, cached.saved_at)

    def start(self) -> None:
        """Check accounts as identities arrive; save the live lists now and then."""
        if self.folder is None:
            return
        self.scheduler.subscribe_store(self.on_store_changed, immediate=True)
        self.scheduler.set_timer(self.first_save, self._first_save, name="warm-start first save")
        self.scheduler.set_interval(SAVE_EVERY, self.save, name="warm-start save")

    def on_store_changed(self, change: StoreChange) -> None:
        if not change.freshness or not self.pending:
            return
        for target in self.session.targets:
            cached = self.pending.get(target.key)
            identity = self.session.store.identity(target)
            if cached is None or identity is None:
                continue
            del self.pending[target.key]
            if identity.account != cached.account:
                log.warning("ignoring the cached list of %s: it was read from another account", target.label)
                self.publish(self.session.store.drop_cached(target))

    def _first_save(self) -> None:
        """The first write; on a start slower than ``first_save`` (nothing known yet to write), it
        tries again after as long, rather than leaving it to the next ``SAVE_EVERY``."""
        if not self.save():
            self.scheduler.set_timer(self.first_save, self._first_save, name="warm-start first save")

    async def _learn_accounts(self) -> None:
        """A list is kept with the account it was read from. Who the caller is waits for the rows on
        screen at start-up (tui/core/poller.py), so a run that ends a few seconds after it began
        may know its lists but not yet its account: ask now (briefly), rather than keep nothing."""
        if self.folder is None:
            return
        store = self.session.store
        unknown = [
            t
            for t in self.session.targets
            if store.identity(t) is None and store.freshness(t).listed and store.rows_to_cache(t)
        ]

        async def ask(target: Target) -> None:
            service = self.session.services.get(target.key)
            if service is None:
                return
            try:
                identity = await asyncio.wait_for(service.identity(), EXIT_IDENTITY_WAIT)
            except Exception:  # (unreachable, denied, too slow: the list is not kept this time)
                log.info("not keeping the list of %s: its account is not known", target.label)
                return
            store.set_identity(target, identity)

        await asyncio.gather(*(ask(t) for t in unknown))

    def save(self) -> bool:
        """Hand each target's live rows (only of targets whose account and list are known) to the
        writer thread; True if any list is to be written."""
        if self.folder is None:
            return False
        store, now = self.session.store, self.session.now()
        lists: list[_ListToSave] = []
        for target in self.session.targets:
            identity = store.identity(target)
            if identity is None or not store.freshness(target).listed:
                continue
            rows = store.rows_to_cache(target)
            if rows:
                lists.append(_ListToSave(target, self._endpoint(target), identity.account, tuple(rows), now))
        if not lists:
            return False
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cptui-cache")
        self._writes = [w for w in self._writes if not w.done()]
        self._writes.append(self._writer.submit(_write, self.folder, lists))
        return True

    async def close(self) -> None:
        """At exit: the last write, waited for (off the UI thread); then the writer thread ends."""
        await self._learn_accounts()
        self.save()
        writes, self._writes = self._writes, []
        if writes:
            await asyncio.gather(*(asyncio.wrap_future(w) for w in writes), return_exceptions=True)
        if self._writer is not None:
            self._writer.shutdown(wait=False)
            self._writer = None

"""The Textual side of polling: runs the ``PollPolicy`` in workers, writes the store, publishes changes.

A timer asks the policy what is due a few times a second; each fetch runs in its own worker (group
``poll``) so the UI never waits. Results go into the store; the changes of a burst are merged and
published once on the store's change signal. Failures keep the last data and mark the target stale with
a reason a person can act on; the operator is told once per new reason. On-demand reads
(``Session.reads``, tui/core/reads.py) take their token from the same per-target budget. What each
answer writes into the store, and what a failure marks, is in ``poll_results``; the words and the
once-only rule of the notices in ``poll_notices``; the start-up burst's size and what is remembered
of it in ``startup_burst``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from tui.app.context import Scheduling, StoreChanges, Telling
from tui.app.poll_notices import PollNotices
from tui.app.poll_results import PollResults
from tui.app.startup_burst import StartupBursts
from tui.aws.errors import AwsError, ErrorKind
from tui.core.poll_state import Fetch, FetchKind, PollSettings
from tui.core.poller import PollPolicy
from tui.core.session import Session
from tui.core.store import StoreChange

if TYPE_CHECKING:
    from textual.timer import Timer

    from tui.core.model import Target

TICK_SECONDS = 0.25
# A paced start-up read goes this long after the pace has its token (a timer may fire a hair early).
_PACE_SLACK = 0.002
ACQUIRE_STEP = 0.25  # longest sleep while an on-demand call waits for a token


class PollController:
    """Drives polling for every target of the session. Created by ``CptuiApp``; screens use
    ``poll_fast`` / ``stop_polling_fast`` / ``set_visible`` / ``refresh_now``.

    ``screen_height``: the terminal's height (the first list burst covers a screenful)."""

    def __init__(
        self,
        session: Session,
        scheduler: Scheduling,
        notices: Telling,
        changes: StoreChanges,
        settings: PollSettings | None = None,
        *,
        screen_height: Callable[[], int],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.scheduler = scheduler
        self.notices = notices
        self.changes = changes
        self.policy = PollPolicy(settings)
        self.calls: Counter[str] = Counter()  # every API call made, by operation (polls and app.reads)
        self._monotonic = monotonic
        self._targets: dict[str, Target] = {t.key: t for t in session.targets}
        self._pending: StoreChange | None = None
        self._timer: Timer | None = None
        self._pace_timer: Timer | None = None  # the start-up pace's next read, between ticks
        self._fetch_ended = asyncio.Event()
        self.told = PollNotices(notices, lambda: len(self._targets) > 1)
        # Start-up bursts: remembered from earlier runs (shrunk by throttles), and granted in this one.
        self.bursts = StartupBursts(
            self.policy,
            session.config.cache_dir,
            screen_height=screen_height,
            first_rows=lambda key: [r.name for r in session.store.rows(self._targets[key])],
        )
        self.results = PollResults(
            session,
            self.policy,
            self.bursts,
            self.told,
            monotonic=monotonic,
            dispatch_now=self.tick,
            dispatch_soon=self._dispatch_soon,
            emit=self._emit,
        )
        for key in self._targets:
            self.policy.add_target(key, monotonic())

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._timer is not None

    def start(self) -> None:
        """Start the timer and dispatch what is due at once."""
        if self._timer is None:
            self._timer = self.scheduler.set_interval(TICK_SECONDS, self.tick, name="poll")
            self._read_cached_rows_now()
            self.tick()

    def _read_cached_rows_now(self) -> None:
        """A warm start: the rows the cache painted are named before the list is, so the start-up
        burst reads the ones on screen together with the list, not a round trip after it. A read
        that comes back first waits for the list to name its row (``PollResults``); a
        pipeline deleted since answers not found and is forgotten."""
        now = self._monotonic()
        store = self.session.store
        for key, target in self._targets.items():
            if store.freshness(target).listed or key in self.bursts.granted:
                continue
            cached = [r.name for r in store.rows(target) if r.cached_at is not None]
            if cached:
                self.policy.set_pipelines(key, dict.fromkeys(cached, 0), now)
                self.bursts.grant(key, now)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._pace_timer is not None:
            self._pace_timer.stop()
            self._pace_timer = None

    def add_target(self, target: Target) -> None:
        """Poll a target added at runtime (the fleet picker): identity and its list are due now."""
        if target.key in self._targets:
            return
        self._targets[target.key] = target
        self.policy.add_target(target.key, self._monotonic())
        self._dispatch_soon()

    # --- focus -------------------------------------------------------------------------------

    def poll_fast(self, target: Target, name: str) -> None:
        """A screen shows this pipeline: fetch it now, then poll it at the active cadence."""
        if target.key in self._targets:
            self.policy.poll_fast(target.key, name, self._monotonic())
            self._dispatch_soon()

    def stop_polling_fast(self, target: Target, name: str) -> None:
        if target.key in self._targets:
            self.policy.stop_polling_fast(target.key, name)

    def set_visible(self, target: Target, names: Iterable[str]) -> None:
        """The rows of this target on screen now (the pipelines list calls this as it scrolls)."""
        if target.key in self._targets:
            self.policy.set_visible(target.key, names)
            # Rows that just came on screen may never have loaded: do not wait for the next tick.
            self._dispatch_soon()

    def refresh_now(self, target: Target | None = None, name: str | None = None) -> None:
        """Refresh what is on screen (or one pipeline) immediately, ending any back-off."""
        key = target.key if target is not None else None
        self.policy.refresh_now(self._monotonic(), key, name)
        self._dispatch_soon()

    def monotonic(self) -> float:
        """The polls' clock (monotonic seconds; tests move it by hand)."""
        return self._monotonic()

    @property
    def in_flight(self) -> int:
        return self.policy.in_flight()

    @property
    def idle(self) -> bool:
        """Nothing in flight and nothing the user asked for still waiting."""
        return self.policy.in_flight() == 0 and self.policy.pending_urgent() == 0

    def unavailable(self, target: Target) -> list[str]:
        """The operations resting for ``target`` because its endpoint does not offer them."""
        if target.key not in self._targets:
            return []
        now = self._monotonic()
        return [k.operation for k in FetchKind if self.policy.rested(target.key, k, now)]

    def throttled(self, target: Target) -> bool:
        return target.key in self._targets and self.policy.throttled(target.key)

    # --- the budget for on-demand calls ------------------------------------------------------

    async def acquire(self, target: Target) -> None:
        """Wait for a token of ``target``'s budget (on-demand calls skip the polls' reserve)."""
        if target.key not in self._targets:
            return
        while True:
            wait = self.policy.take_token(target.key, self._monotonic())
            if wait == 0.0:
                return
            # In short steps: the budget may grow meanwhile (a throttle's penalty wearing off).
            await asyncio.sleep(min(wait, ACQUIRE_STEP))

    def call_finished(self, target: Target, operation: str, error: AwsError | None = None) -> None:
        """Book-keeping for an on-demand call: count it; a throttle shrinks the shared budget."""
        self.calls[operation] += 1
        if error is None or target.key not in self._targets:
            return
        if error.kind is ErrorKind.THROTTLED:
            self.policy.on_throttle(target.key, self._monotonic())
        if error.kind in (ErrorKind.THROTTLED, ErrorKind.CREDENTIALS, ErrorKind.NETWORK):
            self.results.mark_stale(target, error, operation)

    # --- dispatch ----------------------------------------------------------------------------

    def _dispatch_soon(self) -> None:
        if self.running:
            self.scheduler.call_later(self.tick)

    def tick(self) -> None:
        """Start every fetch that is due; keep the header's throttle flag current."""
        # Rows' statuses before who the caller is: at start-up they come in the same batch, and
        # the identity's client (and the alias lookup it leads to) would delay them.
        due = sorted(self.policy.next_due(self._monotonic()), key=lambda f: f.kind is FetchKind.IDENTITY)
        for fetch in due:
            self.scheduler.run_worker(
                partial(self._run, fetch),
                name=f"poll {fetch.kind.value} {fetch.name or ''}".strip(),
                group="poll",
                exit_on_error=False,
            )
        for key, target in self._targets.items():
            self._emit(self.session.store.set_throttled(target, self.policy.throttled(key)))
            if self.policy.in_startup_phase(key):
                self.bursts.settle(key, self._monotonic())
        self._pace()

    def _pace(self) -> None:
        """While a start-up phase is paced (its burst was throttled), tick again when its pace has
        the next read's token: at 10 reads/s the quarter-second tick sent them two or three at a
        time, late (``bench/startup.py trace``)."""
        if self._monotonic is not time.monotonic:
            return  # (a driven clock, in tests and bench/driven.py: its driver ticks)
        wait = self.policy.startup_wait(self._monotonic())
        if self._pace_timer is not None:
            self._pace_timer.stop()
            self._pace_timer = None
        if wait is not None and wait < TICK_SECONDS and self.running:
            self._pace_timer = self.scheduler.set_timer(
                wait + _PACE_SLACK, self._paced_tick, name="poll pace"
            )

    def _paced_tick(self) -> None:
        self._pace_timer = None
        if self.running:
            self.tick()

    async def _run(self, fetch: Fetch) -> None:
        try:
            await self._run_fetch(fetch)
        finally:
            self._fetch_ended.set()  # (wait_for_fetches checks its condition again)

    async def wait_for_fetches(self, done: Callable[[], bool], timeout: float) -> None:
        """Until ``done()`` holds, checked each time a fetch ends; at most ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._fetch_ended.clear()
            remaining = deadline - loop.time()
            if done() or remaining <= 0:
                return
            try:
                await asyncio.wait_for(self._fetch_ended.wait(), remaining)
            except TimeoutError:
                return

    async def _run_fetch(self, fetch: Fetch) -> None:
        target = self._targets[fetch.target]
        service = self.session.services[fetch.target]
        self.calls[fetch.kind.operation] += 1
        try:
            change = await self.results.fetch(service, target, fetch)
        except asyncio.CancelledError:
            self.policy.on_cancel(fetch)
            raise
        except AwsError as error:
            quiet = error.kind is ErrorKind.THROTTLED and self.policy.in_startup(fetch)
            if self.policy.on_error(fetch, self._monotonic(), error.kind, error.code):
                self.results.unavailable(target, fetch, error.code or error.kind.value)
                return
            if quiet:
                # The start-up burst was too big for the endpoint: retried at once, paced to what
                # it accepts; nothing for the user to do; the next start sends a smaller burst.
                self.bursts.settle(fetch.target, self._monotonic())
                self._dispatch_soon()
                return
            self.results.failed(target, fetch, error)
            return
        except Exception as error:
            # A response we could not read: keep polling the rest, and say so once.
            if self.policy.on_error(fetch, self._monotonic(), ErrorKind.OTHER, type(error).__name__):
                self.results.unavailable(target, fetch, type(error).__name__)
                return
            self.notices.report_error(error, once=f"{fetch.kind.operation}:{type(error).__name__}")
            self._emit(self.results.mark_unread(target, fetch, "answer could not be read"))
            return
        finally:
            if self.policy.in_startup_phase(fetch.target):
                self.bursts.settle(fetch.target, self._monotonic())
        self._emit(self.results.answered(target, fetch, change))

    # --- publishing --------------------------------------------------------------------------

    def publish(self, change: StoreChange) -> None:
        """Publish a store change made outside a poll (merged with the polls' pending one)."""
        self._emit(change)

    def _emit(self, change: StoreChange) -> None:
        """Merge into the pending change; publish once the current burst is processed."""
        if change.empty:
            return
        target = change.target
        if change.freshness and target is not None:
            freshness = self.session.store.freshness(target)
            self.told.recovered(target, bool(freshness.stale_reason), freshness.denied)
        if self._pending is None:
            self._pending = change
            self.scheduler.call_later(self._flush)
        else:
            self._pending = self._pending.merge(change)

    def _flush(self) -> None:
        change, self._pending = self._pending, None
        if change is not None:
            self.changes.publish(change)

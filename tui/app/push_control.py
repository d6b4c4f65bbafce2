"""The app's side of push mode: one long-polling worker per queue, events into the store.

For each target with a queue (``[[events.targets]]`` or ``[events] queue_url``) a ``Receiver``
runs in a worker (group ``events``), outside the CodePipeline rate budget. Each batch of events is
applied to the store at once (``EventApplier``: de-duplicated by id, never backwards), published
like a poll's result, and each changed pipeline gets one confirming read through the budget
(``PollPolicy.confirm``). While a queue answers, its targets' polling stretches to the safety sweep
(``[events] sweep_interval``, within ``sweep_calls_per_second``: tui/core/sweep.py); when it fails
(deleted, unreachable, access denied on sqs:ReceiveMessage) they poll as before, with one notice per
reason. The header shows which: ``live · events · sweep every 31 min`` (the longest a pipeline goes
unread, what bounds a lost event) or ``polling (why)`` (``Freshness.mode``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from textual.screen import Screen

from tui.app.context import Scheduling, Telling
from tui.app.poll_control import PollController
from tui.core.model import Target
from tui.core.session import Session
from tui.events.consumer import EventApplier, PipelineEvent
from tui.events.receiver import Receiver

log = logging.getLogger(__name__)

LIVE = "live · events"
NO_QUEUE = "polling (no queue configured)"
PUSH_OFF = "polling (push mode off)"
STARTING = "polling (connecting to the event queue)"
# A batch's messages are deleted once its confirming reads are done, or after this many seconds
# (a target whose reads fail must not hold its messages forever: the sweep covers it).
CONFIRM_WAIT = 30.0
# The header's sweep period is worked out again at most this often (seconds): it moves with the
# pipelines on screen and with recent activity, and each new text relayouts the screen (at 1,000
# pipelines with ten changes a second it changed 1.6 times a second).
SWEEP_SHOWN_EVERY = 60.0


def polling(why: str) -> str:
    return f"polling ({why})"


def live(sweep: float | None) -> str:
    """``live · events``, with the safety sweep's period in effect (seconds, rounded to minutes)."""
    if sweep is None:
        return LIVE
    minutes = max(1, round(sweep / 60))
    span = f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{LIVE} · sweep every {span}"


@dataclass
class _Queue:
    url: str
    targets: list[Target]
    managed: bool
    receiver: Receiver | None = None
    live: bool | None = None
    told: set[str] = field(default_factory=set)


class EventsController:
    """Push mode for every target of the session. Created by ``CptuiApp``; ``start`` after polling.
    ``poller``: what it hands sweeps and confirming reads to; ``screens``: the app's screen stack (a
    log screen open on a build keeps its CodeBuild events)."""

    def __init__(
        self,
        session: Session,
        scheduler: Scheduling,
        notices: Telling,
        poller: PollController,
        screens: Callable[[], Sequence[Screen[Any]]],
        *,
        wait_seconds: int = 20,
        retry_after: float = 300.0,
    ) -> None:
        self.session = session
        self.scheduler = scheduler
        self.notices = notices
        self.poller = poller
        self.screens = screens
        self.applier = EventApplier(session.store)
        self.wait_seconds = wait_seconds
        self.retry_after = retry_after
        self.queues: dict[str, _Queue] = {}
        self.events_applied = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._sweep_shown: dict[str, float] = {}  # target key -> when its period was last worked out

    @property
    def sweep(self) -> float:
        return float(self.session.config.events.sweep_interval)

    @property
    def budget(self) -> float:
        """CodePipeline calls/s the safety sweep and the list may cost (``[events]``)."""
        return float(self.session.config.events.sweep_calls_per_second)

    def start(self) -> None:
        """Start one receiver per configured queue; say how each target is updated."""
        events = self.session.config.events
        for target in self.session.targets:
            self.add_target(target, events_enabled=events.enabled)

    def add_target(self, target: Target, *, events_enabled: bool | None = None) -> None:
        enabled = self.session.config.events.enabled if events_enabled is None else events_enabled
        if not enabled:
            self._mode([target], PUSH_OFF)
            return
        entry = self.session.config.events.for_target(target)
        if entry is None or not entry.queue_url or target.key not in self.session.services:
            self._mode([target], NO_QUEUE)
            return
        queue = self.queues.get(entry.queue_url)
        if queue is not None:  # a queue several targets share (an organisation's central one)
            queue.targets.append(target)
            if queue.live:
                self.poller.policy.set_push(target.key, self.sweep, self.budget)
                self._show_sweep([target])
            else:
                self._mode([target], STARTING)
            return
        service: Any = self.session.services[target.key]
        if not hasattr(service, "aws_call"):
            # Checked before the queue is registered: a target sharing this URL later must not
            # join a queue that has no receiver (it would say "connecting" for ever).
            self._mode([target], polling("this endpoint offers no SQS"))
            return
        queue = _Queue(entry.queue_url, [target], entry.managed)
        self.queues[entry.queue_url] = queue
        queue.receiver = Receiver(
            service,
            entry.queue_url,
            functools.partial(self._on_events, queue),
            functools.partial(self._on_state, queue),
            managed=entry.managed,
            wait_seconds=self.wait_seconds,
            retry_after=self.retry_after,
        )
        self._mode([target], STARTING)
        # A task of its own (not a Textual worker): ``stop`` must await its release of held
        # messages before the app closes the service's clients.
        task = asyncio.get_running_loop().create_task(queue.receiver.run(), name=f"events {target.label}")
        task.add_done_callback(_log_failure)
        self._tasks.append(task)

    async def stop(self) -> None:
        """Stop every receiver; what they hold is made visible again before this returns."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _mode(self, targets: Sequence[Target], mode: str) -> None:
        for target in targets:
            self.poller.publish(self.session.store.set_mode(target, mode))

    def _show_sweep(self, targets: Sequence[Target]) -> None:
        """``live · events · sweep every …``: the period in effect (it grows with the pipelines)."""
        policy = self.poller.policy
        now = self.poller.monotonic()
        for target in targets:
            shown = self._sweep_shown.get(target.key)
            current = self.session.store.freshness(target).mode
            if current.startswith(LIVE) and shown is not None and now - shown < SWEEP_SHOWN_EVERY:
                continue
            self._sweep_shown[target.key] = now
            plan = policy.sweep_plan(target.key, now) if target.key in policy.targets else None
            mode = live(plan.rest if plan is not None else None)
            if current != mode:
                self._mode([target], mode)

    def _on_state(self, queue: _Queue, ok: bool, why: str | None) -> None:
        policy = self.poller.policy
        if ok:
            # The queue answered: whatever changed is in it, so the data is current as of now
            # (the header's "updated ... ago"; the sweep covers events that never arrive).
            when = self.session.now()
            for target in queue.targets:
                fresh = self.session.store.freshness(target)
                # (a failing poll keeps its reason; within a second, the header's age is the same)
                recent = fresh.updated_at is not None and (when - fresh.updated_at).total_seconds() < 1.0
                if fresh.listed and not fresh.stale_reason and not recent:
                    self.poller.publish(self.session.store.mark_fresh(target, when))
            if queue.live is not True:
                queue.live = True
                queue.told.clear()  # a later failure deserves a notice again
                for target in queue.targets:
                    policy.set_push(target.key, self.sweep, self.budget)
            self._show_sweep(queue.targets)
            return
        reason = why or "queue unreachable"
        was_live, queue.live = queue.live, False
        for target in queue.targets:
            policy.set_push(target.key, None)
            if was_live:
                # What events would have told meanwhile: read what is on screen now (once, on
                # the switch: a queue that keeps failing must not undo the polls' back-off).
                self.poller.refresh_now(target)
        self._mode(queue.targets, polling(reason))
        if reason not in queue.told:
            queue.told.add(reason)
            labels = ", ".join(t.label for t in queue.targets)
            self.notices.notify(
                f"{labels}: live updates off, polling instead ({reason})",
                severity="warning",
                markup=False,
            )

    def _route(self, queue: _Queue, event: PipelineEvent) -> Target | None:
        """The target an event belongs to: same region and account (by its identity, once known)."""
        fallback: Target | None = None
        for target in queue.targets:
            if event.region and event.region != target.region:
                continue
            identity = self.session.store.identity(target)
            if identity is not None and event.account and identity.account == event.account:
                return target
            if identity is None and fallback is None:
                fallback = target
        return fallback

    def _build_changed(self, target: Target, event: PipelineEvent) -> None:
        """A CodeBuild event: an open log screen of that build reads its header and phases now."""
        from tui.ui.screens.logs import LogScreen

        for screen in self.screens():
            if not isinstance(screen, LogScreen) or screen.follower is None:
                continue
            if screen.target == target and _build_key(screen.build_id) == _build_key(event.build_id or ""):
                screen.follower.check_build_now()

    def _on_events(self, queue: _Queue, events: list[PipelineEvent]) -> Awaitable[None] | None:
        policy = self.poller.policy
        now = self.poller.monotonic()
        confirm: set[tuple[str, str]] = set()
        for event in sorted(events, key=lambda e: e.time):
            target = self._route(queue, event)
            if target is None:
                continue
            applied = self.applier.apply(target, event)
            if applied.duplicate:
                continue
            self.events_applied += 1
            if applied.build is not None:
                self._build_changed(target, applied.build)
                continue
            self.poller.publish(applied.change)
            if applied.pipeline is not None:
                confirm.add((target.key, applied.pipeline))
        for key, name in confirm:
            policy.confirm(key, name, now)
        if not confirm:
            return None
        self.scheduler.call_later(self.poller.tick)
        return self._confirmed(confirm)

    async def _confirmed(self, pending: set[tuple[str, str]]) -> None:
        """Until every confirming read of a batch is done (bounded by ``CONFIRM_WAIT``)."""
        policy = self.poller.policy
        await self.poller.wait_for_fetches(
            lambda: all(policy.confirmed(k, n) for k, n in pending), CONFIRM_WAIT
        )


def _build_key(build_id: str) -> str:
    """``project:uuid`` from a build id or ARN (events name the ARN, the API the id)."""
    return build_id.rsplit(":build/", 1)[-1]


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("event receiver failed", exc_info=task.exception())

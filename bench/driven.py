"""The real App, headless, on the ``scale`` simulator with a driven clock: the harness of the polling,
freshness and render benchmarks.

Simulated time moves only in ``step``: the simulator's ManualClock and the poller's monotonic clock
advance together, the poll controller ticks, and the harness waits (real time) until every call has
been answered and the screens have processed the results. So "seconds" here are simulated seconds,
and a run of ten simulated minutes takes seconds of real time.

The world is kept controlled: the scenario's own random triggers are removed; the five pipelines
running at the start stay busy (when an execution ends, a new one starts 30 s later); freshness
probes start executions on idle pipelines on screen and off screen (and stop them once seen).
"""

from __future__ import annotations

import asyncio
import heapq
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.app.application import CptuiApp
from tui.aws import create_service
from tui.core.config import Config, EventQueueConfig, EventsConfig, GeneralConfig, PollingConfig
from tui.core.model import Target
from tui.core.poll_state import Fetch, FetchKind
from tui.sim import ManualClock, Simulator
from tui.sim.clock import DEFAULT_START
from tui.sim.world import operations

EAST = Target(region="us-east-1")
CREDENTIALS = ("AKID123456789012", "bench", None)
SIZE = (120, 36)
STEP = 0.25  # the poll controller's tick
RESTART_AFTER = 30.0


@dataclass
class Dispatch:
    at: float
    kind: str
    operation: str
    name: str | None
    cls: str  # running / watched / on_screen / off_screen / other, when dispatched


@dataclass
class Harness:
    """One app on one simulator; ``t`` is simulated seconds since the start."""

    sim: Simulator
    clock: ManualClock
    app: CptuiApp
    start: datetime
    dispatches: list[Dispatch] = field(default_factory=list)
    busy: set[str] = field(default_factory=set)  # pipelines kept running
    restarts: dict[str, float] = field(default_factory=dict)  # name -> when to start again
    tmp: tempfile.TemporaryDirectory[str] | None = None
    on_step: list[Callable[[], None]] = field(default_factory=list)  # before the poller ticks
    after_step: list[Callable[[], None]] = field(default_factory=list)  # once the results landed
    queue_key: tuple[str, str, str] | None = None  # push mode: the simulator's event queue

    @property
    def t(self) -> float:
        return (self.clock.now() - self.start).total_seconds()

    def monotonic(self) -> float:
        return 1000.0 + self.t

    @property
    def world(self) -> Any:
        return self.sim.engine.world()

    # --- setup -------------------------------------------------------------------------------

    @classmethod
    async def create(
        cls,
        pipelines: int,
        *,
        tps: float | None = None,
        seed: int = 7,
        settings: dict[str, Any] | None = None,
        events: bool = False,
        faults: str = "",
        sweep: float = 600.0,
    ) -> Harness:
        """``events``: push mode, an EventBridge rule and SQS queue in the simulator, read by the
        app (the long poll in real time, answering as soon as the simulated world published)."""
        clock = ManualClock(start=DEFAULT_START)
        sim = Simulator(scenario="scale", seed=seed, clock=clock, pipelines=pipelines, faults=faults)
        await sim.start()
        tmp = tempfile.TemporaryDirectory(prefix="cptui-bench-")
        service = create_service(EAST, endpoint_url=sim.url, credentials=CREDENTIALS)
        polling = PollingConfig() if tps is None else PollingConfig(tps=tps, burst=max(8, int(tps)))
        config = Config(general=GeneralConfig(audit_log=Path(tmp.name) / "audit.jsonl"), polling=polling)
        queue_key: tuple[str, str, str] | None = None
        if events:
            queue = sim.setup_event_queue()
            entry = EventQueueConfig("us-east-1", None, queue.url, "cptui-events", queue.rule_name, True)
            config = replace(config, events=EventsConfig(sweep_interval=sweep, targets=(entry,)))
            queue_key = ("123456789012", "us-east-1", "cptui-events")
        start = clock.now()

        def monotonic() -> float:
            return 1000.0 + (clock.now() - start).total_seconds()

        app = CptuiApp([service], config, clock=clock.now, monotonic=monotonic)
        if settings:
            # What-if runs: poll settings other than the defaults.
            app.poller.policy.settings = replace(app.poller.policy.settings, **settings)
        if events:
            app.event_feed.wait_seconds = 1  # (the long poll: a quick exit at the end)
        harness = cls(sim, clock, app, start, tmp=tmp, queue_key=queue_key)
        harness._control_world()
        harness._record_dispatches()
        return harness

    def _control_world(self) -> None:
        world = self.world
        # No random triggers: the bench decides what changes, and when.
        world._queue = [e for e in world._queue if e[2] != "trigger"]
        heapq.heapify(world._queue)
        # The scenario's five running executions hold their Build for 15 minutes: replace them with
        # ordinary ones (a few minutes, three stage changes), so running pipelines change while measured.
        for p in world.pipelines.values():
            latest = p.latest()
            if latest is not None and not latest.final:
                operations.stop(world, p.name, latest.id, True, "bench: a fresh execution")
                operations.start(world, p.name, {}, {}, None, "bench")
                self.busy.add(p.name)

    def _record_dispatches(self) -> None:
        policy = self.app.poller.policy
        original = policy.next_due

        def next_due(now: float) -> list[Fetch]:
            fetches = original(now)
            for fetch in fetches:
                self.dispatches.append(
                    Dispatch(self.t, fetch.kind.value, fetch.kind.operation, fetch.name, self.classify(fetch))
                )
            return fetches

        policy.next_due = next_due  # type: ignore[method-assign]

    def classify(self, fetch: Fetch) -> str:
        if fetch.name is None:
            return "other"
        t = self.app.poller.policy._targets[fetch.target]
        pipe = t.pipes.get(fetch.name)
        if fetch.name in t.fast:
            return "watched"
        if pipe is not None and pipe.running:
            return "running"
        return "on_screen" if fetch.name in t.visible else "off_screen"

    def default_budget(self) -> None:
        """Back to the default rate budget (after a first load run with a large one, to be quick)."""
        from tui.core.budget import TokenBucket
        from tui.core.poll_state import PollSettings

        defaults = PollSettings()
        policy = self.app.poller.policy
        policy.settings = replace(policy.settings, tps=defaults.tps, burst=defaults.burst)
        policy._targets[EAST.key].bucket = TokenBucket(defaults.tps, defaults.burst, self.monotonic())

    async def close(self) -> None:
        for service in self.app.services.values():
            await service.close()
        await self.sim.stop()
        if self.tmp is not None:
            self.tmp.cleanup()

    # --- driving -----------------------------------------------------------------------------

    async def step(self, pilot: Any, seconds: float = STEP) -> None:
        """Move simulated time by ``seconds``, tick the poller, wait for the results to land."""
        self.clock.advance(seconds)
        self._keep_busy()
        for hook in self.on_step:
            hook()
        self.app.poller.tick()
        await self.settle(pilot)
        for hook in self.after_step:
            hook()

    async def settle(self, pilot: Any) -> None:
        poller = self.app.poller
        if self.queue_key is not None:
            await self._events_delivered()
        for _ in range(5000):
            if poller.in_flight == 0 and poller._pending is None:
                break
            await asyncio.sleep(0.001)
        await pilot.pause(0)

    async def _events_delivered(self) -> None:
        """Push mode: the world's due transitions published, and every event visible by now
        received, applied and deleted by the app (those still delayed wait for a later step)."""
        engine = self.sim.engine
        assert self.queue_key is not None
        with engine.lock:
            engine.advance()
        waited = False
        for _ in range(5000):
            queue = engine.sqs.queues.get(self.queue_key)
            now = engine.now()
            # (Received messages stay in flight until their confirming reads are done: those go
            # through the budget, on the simulated clock, so they are not waited for here.)
            unread = queue is not None and any(
                not m.in_flight and m.visible_at <= now for m in queue.messages.values()
            )
            if not unread:
                break
            waited = True
            await asyncio.sleep(0.002)
        if waited:
            await asyncio.sleep(0.01)  # the answer's way into the app and the store

    async def run_for(self, pilot: Any, seconds: float, step: float = STEP) -> None:
        end = self.t + seconds
        while self.t < end - 1e-9:
            await self.step(pilot, step)

    async def run_until(self, pilot: Any, predicate: Callable[[], bool], limit: float) -> float:
        """Step until ``predicate()``; returns the simulated time it took (``limit`` if never)."""
        began = self.t
        while not predicate() and self.t - began < limit:
            await self.step(pilot)
        return self.t - began

    def _keep_busy(self) -> None:
        world = self.world
        now = self.t
        for name in sorted(self.busy):
            latest = world.pipelines[name].latest()
            if latest is not None and latest.final and name not in self.restarts:
                self.restarts[name] = now + RESTART_AFTER
        for name, when in list(self.restarts.items()):
            if now >= when:
                del self.restarts[name]
                operations.start(world, name, {}, {}, None, "bench")

    # --- questions ---------------------------------------------------------------------------

    def all_loaded(self) -> bool:
        rows = self.app.store.rows()
        return bool(rows) and all(r.loaded for r in rows)

    def visible(self) -> set[str]:
        return set(self.app.poller.policy._targets[EAST.key].visible)

    def classes(self) -> dict[str, str]:
        """Every pipeline's class for the poller now (running, watched, on_screen, off_screen)."""
        return {name: self.classify(Fetch(EAST.key, FetchKind.LATEST, name)) for name in self.world.pipelines}

    def running_now(self) -> int:
        return sum(1 for p in self.world.pipelines.values() if (e := p.latest()) and not e.final)

    def calls(self) -> Counter[str]:
        return Counter(self.sim.calls)

"""The simulator's engine: one lazily built ``World`` per (account, region), driven by a clock.

Nothing runs in the background. Before serving a request the server calls ``world_now`` which
builds the world on first touch (at the engine's start time ``t0``, then catches up) and applies
every transition due by the clock's current time. Tests read and poke state directly::

    world = sim.engine.world()          # default account 123456789012, us-east-1
    world.pending_approvals()           # see tui.sim.world.world.World for the rest

The engine is not thread-safe by itself: the server holds ``engine.lock`` while it handles a
request; code on another thread (a test driving ``start_in_thread``) should hold it too.
"""

from __future__ import annotations

import threading

from tui.sim.clock import Clock, epoch
from tui.sim.eventbridge import EventBridge
from tui.sim.faults import Faults
from tui.sim.scenarios import DEFAULT_ACCOUNT, SCENARIOS, populate
from tui.sim.world.world import World

DEFAULT_REGION = "us-east-1"


class Engine:
    """All simulated worlds of one simulator."""

    def __init__(
        self,
        scenario: str = "demo",
        seed: int = 7,
        clock: Clock | None = None,
        pipelines: int | None = None,
        log_rate: int | None = None,
        faults: Faults | None = None,
    ) -> None:
        from tui.sim.clock import RealClock
        from tui.sim.sqs import SqsStore

        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")
        self.scenario = scenario
        self.seed = seed
        self.clock: Clock = clock or RealClock()
        self.pipelines = pipelines
        self.log_rate = log_rate
        self.t0 = epoch(self.clock.now())
        self.worlds: dict[tuple[str, str], World] = {}
        self.lock = threading.RLock()
        # SQS queues and EventBridge rules of every account+region; worlds publish to the bus.
        self.sqs = SqsStore(seed)
        self.events = EventBridge(seed, self.sqs, faults or Faults("", seed))

    def now(self) -> float:
        """The clock's current time in epoch seconds."""
        return epoch(self.clock.now())

    def world(self, account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION) -> World:
        """The world of ``account`` in ``region``, built on first use and advanced to now."""
        with self.lock:
            world = self.worlds.get((account, region))
            if world is None:
                world = World(account, region, self.seed, self.t0, self.log_rate)
                populate(world, self.scenario, self.pipelines)
                world.sink = self.events
                self.worlds[(account, region)] = world
            world.advance(self.now())
            return world

    def advance(self) -> None:
        """Bring every world that exists up to the clock's current time."""
        with self.lock:
            now = self.now()
            for world in self.worlds.values():
                world.advance(now)

"""The simulator for tests: its start time, the demo world, aiobotocore clients on it, fake clocks.

The ``sim`` and ``threaded_sim`` fixtures (tests/conftest.py) are built by ``demo_simulator``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from aiobotocore.session import get_session
from botocore.config import Config

from tests.support import shapecheck
from tui.sim import ManualClock, Simulator

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLIENT_CONFIG = Config(
    inject_host_prefix=False,
    retries={"mode": "standard", "total_max_attempts": 1},
    connect_timeout=5,
    read_timeout=10,
)


def demo_simulator(scenario: str = "demo", **options: Any) -> Simulator:
    """The simulator (not started) on a ManualClock at ``START``, seed 7; ``options`` go to it."""
    return Simulator(scenario=scenario, seed=7, clock=ManualClock(start=START), **options)


class FakeMonotonic:
    """A monotonic clock for the poller that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@asynccontextmanager
async def aio_client(
    sim: Simulator,
    service: str,
    *,
    account: str | None = None,
    region: str = "us-east-1",
    check_shapes: bool = True,
    config: Config | None = None,
) -> AsyncIterator[Any]:
    """An aiobotocore client for ``service`` pointed at ``sim``, every response shape-checked.

    ``account`` picks the simulated account through the access key id (``AKID<12 digits>...``).
    """
    key = f"AKID{account}EXAMPLE" if account else "x"
    session = get_session()
    async with session.create_client(
        service,
        endpoint_url=sim.url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key="x",
        config=config or CLIENT_CONFIG,
    ) as client:
        if check_shapes:
            shapecheck.attach(client)
        yield client


def advance_until(sim: Simulator, predicate: Any, *, step: float = 5.0, limit: float = 4 * 3600) -> float:
    """Move the simulator's ManualClock in ``step``s until ``predicate(world)`` holds.

    Returns the simulated seconds it took; fails the test after ``limit`` simulated seconds.
    """
    world = sim.engine.world()
    waited = 0.0
    while not predicate(world):
        if waited >= limit:
            raise AssertionError(f"condition not reached within {limit} simulated seconds")
        sim.clock.advance(step)
        waited += step
        world = sim.engine.world()
    return waited

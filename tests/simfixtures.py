"""Helpers for tests that drive the simulator with the real aiobotocore client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import shapecheck
from aiobotocore.session import get_session
from botocore.config import Config

from tui.sim import Simulator

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLIENT_CONFIG = Config(
    inject_host_prefix=False,
    retries={"mode": "standard", "total_max_attempts": 1},
    connect_timeout=5,
    read_timeout=10,
)


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

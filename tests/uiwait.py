"""Bounded waits for pilot tests: let the app run until a condition holds, never a bare sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot


async def wait_until(pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 5.0) -> None:
    """Let the app process messages until ``predicate()`` is true; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await pilot.pause(0.02)


async def wait_for_workers(pilot: Pilot[Any], group: str | None = None, timeout: float = 5.0) -> None:
    """Wait until no worker (of ``group``) is pending or running."""

    def quiet() -> bool:
        workers = pilot.app.workers
        return not any(
            w.is_running or w.state.name == "PENDING" for w in workers if group is None or w.group == group
        )

    await wait_until(pilot, quiet, timeout)


async def wait_for_text(pilot: Pilot[Any], *needles: str, timeout: float = 10.0) -> str:
    """Wait until every needle is on the rendered screen (state can change a frame before the repaint).

    Returns the screen text, so the caller can assert on the rest of it.
    """
    from screen_text import screen_text

    await wait_until(pilot, lambda: all(n in screen_text(pilot.app) for n in needles), timeout)
    return screen_text(pilot.app)

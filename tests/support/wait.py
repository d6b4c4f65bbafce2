"""Bounded waits for pilot tests (let the app run until a condition holds, never a bare sleep), and
what the screen shows, as text."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from tests.support.strips import screen_strips, settled


async def wait_until(pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 5.0) -> None:
    """Let the app process messages until ``predicate()`` is true on a settled screen; fail after
    ``timeout`` seconds.

    Settled (no layout, scroll or repaint pending): whatever the predicate read, the test's next
    look at the screen then sees a frame the user would be left with, not one composed between a
    widget's update and the layout that gives it its row.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (predicate() and settled(pilot.app)):
        if loop.time() > deadline:
            held = "held, but the screen did not settle" if predicate() else "not met"
            raise AssertionError(f"condition {held} within {timeout}s")
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
    """Wait until every needle is on the rendered screen (state can change a frame before the repaint)
    and the screen has no layout or repaint pending.

    Returns the screen text, so the caller can assert on the rest of it.
    """
    await wait_until(pilot, lambda: all(n in screen_text(pilot.app) for n in needles), timeout)
    return screen_text(pilot.app)


async def wait_settled(pilot: Pilot[Any], timeout: float = 10.0) -> str:
    """Wait until the screen has no layout, scroll or repaint pending; returns its text."""
    await wait_until(pilot, lambda: True, timeout)
    return screen_text(pilot.app)


async def poll_until(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    """Outside an app: let the loop run until ``predicate()`` is true; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.01)


def screen_lines(app: App[Any]) -> list[str]:
    """The current screen, one string per terminal row, styles dropped."""
    return [strip.text for strip in screen_strips(app)]


def screen_text(app: App[Any]) -> str:
    return "\n".join(screen_lines(app))


def flat_text(app: App[Any]) -> str:
    """The screen's text with every run of whitespace (and line ends) as one space: for messages
    that wrap over two rows."""
    return " ".join(screen_text(app).split())

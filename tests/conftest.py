"""Fixtures every test folder shares: the simulator (on the test's loop, or in a thread for
``snap_compare`` and the CLIs), and the one cleanup of what ``tests.support.apps`` made."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.apps import close_services
from tests.support.frames import drawing_frames, skip_headless_frames
from tests.support.sim import demo_simulator
from tui.sim import Simulator
from tui.sim.simulator import SimulatorThread


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers a core. A test spends about a third of its time waiting (Textual's
    pilot waits for the process to go idle after each key; the simulator answers on the same loop),
    so a second worker a core fills those waits: the suite took 318 s with two workers on two cores,
    227 s with four (the README's Development section)."""
    return 2 * len(os.sched_getaffinity(0))


def pytest_configure(config: pytest.Config) -> None:
    """Headless frames are not composed only to be thrown away (``tests.support.frames``)."""
    skip_headless_frames()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``slow`` first, then the rest, each in their order: with ``-n`` the workers
    take the long ones while plenty of short ones remain to even out the end (a long test collected
    last would keep one worker busy while the other idles)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
async def sim(request: pytest.FixtureRequest) -> AsyncIterator[Simulator]:
    """A started demo simulator (seed 7) on a ManualClock at 2026-11-26 09:00 UTC.

    Another scenario or options: mark the test ``@pytest.mark.simulator("scale", pipelines=50)``
    (the arguments of ``tests.support.sim.demo_simulator``).
    """
    marker = request.node.get_closest_marker("simulator")
    simulator = demo_simulator(*marker.args, **marker.kwargs) if marker else demo_simulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def sim_thread() -> Iterator[SimulatorThread]:
    """The demo simulator serving from its own thread (``snap_compare`` and the CLIs run their own loop)."""
    handle = demo_simulator().start_in_thread()
    yield handle
    handle.stop()


@pytest.fixture
def threaded_sim(sim_thread: SimulatorThread) -> Simulator:
    """``sim_thread``'s simulator."""
    return sim_thread.simulator


@pytest.fixture(autouse=True)
async def _close_services() -> AsyncIterator[None]:
    """Close the aiobotocore services the test's apps used (the App leaves them to its owner)."""
    yield
    await close_services()


@pytest.fixture(autouse=True)
def _frames_drawn_if_counted(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test marked ``draws_frames`` gets Textual's own frame drawing (``tests.support.frames``)."""
    if request.node.get_closest_marker("draws_frames") is None:
        yield
        return
    with drawing_frames():
        yield

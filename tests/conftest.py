"""Shared fixtures. The simulator fixtures come first; other fixtures are added below them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
from simfixtures import START

from tui.sim import ManualClock, Simulator

if TYPE_CHECKING:
    from reliability_helpers import Rig


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A started demo simulator (seed 7) on a ManualClock at 2026-11-26 09:00 UTC."""
    simulator = Simulator(scenario="demo", seed=7, clock=ManualClock(start=START))
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def aio_client() -> object:
    """The ``simfixtures.aio_client`` helper, for tests that prefer a fixture to an import."""
    from simfixtures import aio_client as helper

    return helper


@pytest.fixture
async def closing() -> AsyncIterator[list[Rig]]:
    """Rigs (``reliability_helpers.make_rig``) a test appends here are closed after it."""
    rigs: list[Rig] = []
    yield rigs
    for rig in rigs:
        await rig.close()

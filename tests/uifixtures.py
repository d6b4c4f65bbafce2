"""The real App on real aiobotocore services pointed at the simulator, for the UI-core tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from simfixtures import START
from textual.pilot import Pilot
from uiwait import wait_until

from tui.app.application import CptuiApp
from tui.aws import create_service
from tui.core.config import Config, GeneralConfig, PipelinesConfig, PollingConfig
from tui.core.model import Status, Target
from tui.sim import ManualClock, Simulator
from tui.ui.screens.pipelines import PipelinesScreen

EAST = Target(region="us-east-1")
CREDENTIALS = ("AKID123456789012", "x", None)


class FakeMonotonic:
    """A monotonic clock for the poller that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_app(
    sim: Simulator,
    tmp_path: Path,
    *,
    targets: Sequence[Target] = (EAST,),
    favourites: Sequence[str] = (),
    monotonic: Callable[[], float] | None = None,
    tps: float = 40.0,
) -> CptuiApp:
    """The app on the simulator. A roomy rate budget keeps the first load short; the budget's own
    behaviour is tested in test_poller.py."""
    services = [create_service(t, endpoint_url=sim.url, credentials=CREDENTIALS) for t in targets]
    config = Config(
        general=GeneralConfig(audit_log=tmp_path / "audit.jsonl"),
        pipelines=PipelinesConfig(favourites=tuple(favourites)),
        polling=PollingConfig(tps=tps, burst=int(tps)),
    )
    return CptuiApp(services, config, clock=sim.clock.now, monotonic=monotonic)


def pipelines_screen(app: CptuiApp) -> PipelinesScreen:
    screen = app.screen
    assert isinstance(screen, PipelinesScreen), f"the active screen is {type(screen).__name__}"
    return screen


def all_loaded(app: CptuiApp) -> bool:
    """Every listed pipeline has its latest execution (and its state, unless it simply succeeded),
    and the table shows them all."""
    rows = app.store.rows()
    if not rows or not all(r.loaded for r in rows):
        return False
    quiet = (Status.SUCCEEDED, Status.IDLE, Status.SUPERSEDED)
    if any(r.status not in quiet and app.store.state(r.target, r.name) is None for r in rows):
        return False
    screen = app.screen
    return isinstance(screen, PipelinesScreen) and screen.table.row_count == len(rows)


async def wait_loaded(pilot: Pilot[Any], app: CptuiApp, timeout: float = 15.0) -> None:
    await wait_until(pilot, lambda: all_loaded(app), timeout=timeout)


@pytest.fixture
def threaded_sim() -> Iterator[Simulator]:
    """The demo simulator serving from a thread (``snap_compare`` runs the app on its own loop)."""
    simulator = Simulator(scenario="demo", seed=7, clock=ManualClock(start=START))
    handle = simulator.start_in_thread()
    yield simulator
    handle.stop()

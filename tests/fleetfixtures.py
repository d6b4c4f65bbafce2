"""The demo's fleet (two accounts, two regions) on the simulator, for the fleet and notification tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from uiwait import wait_until

from tui.app.application import CptuiApp
from tui.aws import create_service
from tui.cli import demo_credentials, demo_factory, demo_targets
from tui.core.config import Config, GeneralConfig, NotificationsConfig, PipelinesConfig, PollingConfig
from tui.core.model import ExecutionSummary, Status, Target
from tui.sim import Simulator

PROD_EAST, PROD_WEST, SHARED = demo_targets()
SHARED_ACCOUNT = "210987654321"
# Pipelines each demo world lists at the start.
PIPELINES = {PROD_EAST.key: 11, PROD_WEST.key: 3, SHARED.key: 3}


def fleet_app(
    sim: Simulator,
    tmp_path: Path,
    targets: Sequence[Target] = (PROD_EAST, PROD_WEST, SHARED),
    *,
    notifications: NotificationsConfig | None = None,
    favourites: Sequence[str] = (),
    monotonic: Callable[[], float] | None = None,
) -> CptuiApp:
    """The app on the simulator with the demo's targets and keys; state files under ``tmp_path``."""
    services = [create_service(t, endpoint_url=sim.url, credentials=demo_credentials(t)) for t in targets]
    config = Config(
        general=GeneralConfig(audit_log=tmp_path / "audit.jsonl"),
        polling=PollingConfig(tps=40.0, burst=40),
        pipelines=PipelinesConfig(favourites=tuple(favourites)),
        notifications=notifications or NotificationsConfig(),
    )
    return CptuiApp(
        services, config, clock=sim.clock.now, monotonic=monotonic, target_factory=demo_factory(sim.url)
    )


def fleet_loaded(app: CptuiApp) -> bool:
    """Every target listed, every row with its latest execution (and state unless it simply succeeded)."""
    store = app.store
    if not all(store.freshness(t).listed for t in app.targets):
        return False
    rows = store.rows()
    quiet = (Status.SUCCEEDED, Status.IDLE, Status.SUPERSEDED)
    return bool(rows) and all(
        r.loaded and (r.status in quiet or store.state(r.target, r.name) is not None) for r in rows
    )


async def wait_fleet(pilot: Pilot[Any], app: CptuiApp, timeout: float = 20.0) -> None:
    await wait_until(pilot, lambda: fleet_loaded(app), timeout=timeout)


def capture_writes(app: CptuiApp) -> list[str]:
    """Everything the app writes to its terminal driver from now on (bell, OSC sequences)."""
    written: list[str] = []
    driver = app._driver
    assert driver is not None
    original = driver.write

    def write(data: str) -> None:
        written.append(data)
        original(data)

    driver.write = write  # type: ignore[method-assign]
    return written


def notices(app: CptuiApp) -> list[str]:
    """The notices (toasts) currently shown, as 'title: message'."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def follow_from_pipeline(
    pilot: Pilot[Any], app: CptuiApp, target: Target, pipeline: str
) -> ExecutionSummary:
    """Open ``pipeline`` (running now), press ``w``; returns the latest execution, now followed."""
    from tui.ui.screens.pipeline import PipelineScreen

    await wait_fleet(pilot, app)
    latest = app.store.latest_execution(target, pipeline)
    assert latest is not None and latest.status is Status.IN_PROGRESS
    app.open_pipeline(target, pipeline)
    await wait_until(pilot, lambda: isinstance(app.screen, PipelineScreen))
    await pilot.press("w")
    await wait_until(pilot, lambda: len(app.alerts.watchlist) >= 1)
    return latest

"""The real App on real aiobotocore services pointed at the simulator, for the screen tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from ui_harness import wait_for

from tui.app.application import CptuiApp
from tui.aws import create_service
from tui.core.config import Config, GeneralConfig
from tui.core.model import Target
from tui.sim import Simulator
from tui.ui.screens.pipeline import PipelineScreen

EAST = Target(region="us-east-1")
CREDENTIALS = ("AKID123456789012", "x", None)
_OPEN: list[Any] = []  # services made by sim_app, closed by close_services()


def sim_app(sim: Simulator, tmp_path: Path, *, start_polling: bool = True) -> CptuiApp:
    """CptuiApp on the simulator; its clock is the simulator's ManualClock (frozen unless advanced)."""
    services = [create_service(EAST, endpoint_url=sim.url, credentials=CREDENTIALS)]
    _OPEN.extend(services)
    config = Config(general=GeneralConfig(audit_log=tmp_path / "audit.jsonl"))
    return CptuiApp(services, config, clock=sim.clock.now, start_polling=start_polling)


async def close_services() -> None:
    """Close the aiobotocore clients of every app made so far (the App leaves them to its owner)."""
    while _OPEN:
        await _OPEN.pop().close()


async def open_pipeline(pilot: Pilot[Any], app: CptuiApp, name: str) -> PipelineScreen:
    """Push the pipeline screen and wait until its graph and current execution are shown."""
    await wait_for(pilot, lambda: app.store.latest_execution(EAST, name) is not None, timeout=10)
    screen = PipelineScreen(EAST, name)
    await app.push_screen(screen)
    await wait_for(
        pilot,
        lambda: (
            screen.graph.selected_stage is not None
            and app.store.state(EAST, name) is not None
            and screen.execution is not None
        ),
        timeout=10,
    )
    await pilot.pause()
    return screen

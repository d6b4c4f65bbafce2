"""Helpers for the operator-action UI tests: the real App on the simulator, and bounded waits."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from uiwait import wait_until

from tui.app.application import CptuiApp
from tui.aws import create_service
from tui.core.actions import ActionResult
from tui.core.config import Config, GeneralConfig, PipelinesConfig
from tui.core.model import Target
from tui.sim import Simulator
from tui.ui import operations as operator
from tui.ui.screens.pipeline import PipelineScreen

EAST = Target(region="us-east-1")
# The demo's manual approval: (pipeline, stage, action).
APPROVAL = ("payments-api-prod", "Approval", "Approve-Production")
# Every mutating CodePipeline operation the app can send (counted at the simulator).
MUTATIONS = (
    "PutApprovalResult",
    "RetryStageExecution",
    "RollbackStage",
    "StopPipelineExecution",
    "StartPipelineExecution",
    "EnableStageTransition",
    "DisableStageTransition",
    "UpdatePipeline",
    "DeletePipeline",
    "OverrideStageCondition",
)
WEST = Target(region="us-west-2")
CREDENTIALS = ("AKID123456789012", "x", None)
_OPEN: list[Any] = []  # services made by make_app, closed by close_services()


def make_app(
    sim: Simulator,
    tmp_path: Path,
    *,
    targets: Sequence[Target] = (EAST,),
    read_only: bool = False,
    config_read_only: bool = False,
    protected: Sequence[str] = (),
) -> CptuiApp:
    """The real App on real aiobotocore services pointed at the simulator, audit log in tmp_path."""
    services = [create_service(t, endpoint_url=sim.url, credentials=CREDENTIALS) for t in targets]
    _OPEN.extend(services)
    config = Config(
        general=GeneralConfig(read_only=config_read_only, audit_log=tmp_path / "audit.jsonl"),
        pipelines=PipelinesConfig() if protected is None else PipelinesConfig(protected=tuple(protected)),
    )
    return CptuiApp(services, config, read_only=read_only, clock=sim.clock.now)


async def close_services() -> None:
    """Close the aiobotocore clients of every app made so far (the App leaves them to its owner)."""
    while _OPEN:
        await _OPEN.pop().close()


async def open_pipeline(
    pilot: Pilot[Any],
    app: CptuiApp,
    name: str,
    stage: str | None = None,
    action: str | None = None,
    *,
    target: Target = EAST,
) -> PipelineScreen:
    """Push the pipeline screen (which asks the poller to watch it), wait for its data, select."""
    await wait_until(pilot, lambda: any(r.name == name for r in app.store.rows(target)), timeout=10)
    screen = PipelineScreen(target, name)
    await app.push_screen(screen)
    await wait_until(
        pilot,
        lambda: app.store.state(target, name) is not None and app.store.definition(target, name) is not None,
        timeout=10,
    )
    await wait_until(pilot, lambda: app.screen is screen and screen.graph.selected_stage is not None)
    if stage is not None:
        screen.graph.select(stage, action)
        screen.refresh_bindings()
        await pilot.pause()
    return screen


async def wait_for_screen(pilot: Pilot[Any], app: CptuiApp, kind: type[Screen[Any]]) -> Any:
    """Wait until the active screen is a ``kind`` and return it."""
    await wait_until(pilot, lambda: isinstance(app.screen, kind) and app.screen.is_mounted, timeout=10)
    await pilot.pause()  # let it render once
    return app.screen


async def wait_for_result(pilot: Pilot[Any], app: CptuiApp, count: int = 1) -> ActionResult:
    """Wait until ``count`` operator results are in, and return the last."""
    results = operator.state(app).results
    await wait_until(pilot, lambda: len(results) >= count, timeout=10)
    return results[-1]


def notices(app: CptuiApp) -> str:
    """Every operator notice so far, one per line."""
    return "\n".join(operator.state(app).notices)

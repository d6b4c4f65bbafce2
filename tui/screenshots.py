"""``python -m tui.screenshots``: regenerate ``screenshots/*.svg`` from the demo, never by hand.

Each scene runs the real app (``run_test(size=(120, 36))``) set up as ``cptui --demo`` is (the demo's
targets, keys, seed and target factory, from ``tui.cli``), so the README's pictures are what the demo
shows, against an in-process simulator whose ManualClock never moves, so they are the same on every
run. A scene is an async function that drives the pilot to what it wants to show; register one with
``@scene("name")`` and it is written to ``screenshots/name.svg``::

    @scene("history")
    async def _history(shot: Shot) -> None:
        await shot.wait_loaded()
        await shot.pilot.press("enter", "h")
        await shot.wait_for(lambda: isinstance(shot.app.screen, HistoryScreen))
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tui.app.application import CptuiApp
from tui.aws.client import create_service
from tui.core.config import Config, GeneralConfig
from tui.core.model import Status, Target
from tui.sim import ManualClock, Simulator

SIZE = (120, 36)
DEMO_START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "screenshots"
_QUIET = (Status.SUCCEEDED, Status.IDLE, Status.SUPERSEDED)


@dataclass
class Shot:
    """What a scene drives: the pilot, the app and the simulator behind it."""

    pilot: Pilot[Any]
    app: CptuiApp
    sim: Simulator

    async def wait_for(self, predicate: Callable[[], object], timeout: float = 15.0) -> None:
        """Let the app run until ``predicate()`` holds (bounded)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                raise TimeoutError(f"screenshot scene: condition not met within {timeout}s")
            await self.pilot.pause(0.05)

    def loaded(self) -> bool:
        """Every row has its latest execution, and its state unless it simply succeeded."""
        store = self.app.store
        rows = store.rows()
        return bool(rows) and all(
            r.loaded and (r.status in _QUIET or store.state(r.target, r.name) is not None) for r in rows
        )

    async def wait_loaded(self) -> None:
        await self.wait_for(self.loaded)
        await self.pilot.pause(0.2)


Scene = Callable[[Shot], Awaitable[None]]
SCENES: dict[str, Scene] = {}


def scene(name: str) -> Callable[[Scene], Scene]:
    """Register a scene written to ``screenshots/<name>.svg``."""

    def register(fn: Scene) -> Scene:
        SCENES[name] = fn
        return fn

    return register


def demo_setup_targets() -> list[Target]:
    """The targets every scene shows: the demo's (two accounts, two regions)."""
    from tui.cli import demo_targets

    return demo_targets()


@scene("pipelines")
async def _pipelines(shot: Shot) -> None:
    """What `cptui --demo` shows first: every target, accounts and aliases known."""
    await shot.wait_for(lambda: all(shot.app.store.freshness(t).listed for t in shot.app.targets))
    await shot.wait_loaded()
    await shot.wait_for(lambda: bool(shot.app.targets_view.aliases))


@scene("help")
async def _help(shot: Shot) -> None:
    from tui.ui.screens.help import HelpScreen

    await shot.wait_loaded()
    await shot.pilot.press("question_mark")
    await shot.wait_for(lambda: isinstance(shot.app.screen, HelpScreen))


# --- operator actions: the approval dialog and the approvals inbox (tui/ui/operations.py) -------------


@scene("approval")
async def _approval(shot: Shot) -> None:
    from tui.ui.operations import approval_for
    from tui.ui.screens.dialogs import ApprovalDialog
    from tui.ui.screens.pipeline import PipelineScreen

    await shot.wait_loaded()
    shot.app.open_pipeline(shot.app.targets[0], "payments-api-prod")
    await shot.wait_for(
        lambda: isinstance(shot.app.screen, PipelineScreen) and shot.app.screen.execution is not None
    )
    screen = shot.app.screen
    assert isinstance(screen, PipelineScreen)
    # `a` opens the dialog once the state says the approval waits (else a "no approval" notice).
    target = shot.app.targets[0]
    await shot.wait_for(
        lambda: (
            approval_for(shot.app, target, "payments-api-prod", "Approval", "Approve-Production") is not None
        )
    )
    screen.graph.select("Approval", "Approve-Production")
    screen.refresh_bindings()
    await shot.pilot.press("a")
    await shot.wait_for(lambda: isinstance(shot.app.screen, ApprovalDialog))
    await shot.pilot.press(*"Staging p99 flat for 1h")


@scene("inbox")
async def _inbox(shot: Shot) -> None:
    from tui.ui.screens.approvals import ApprovalsScreen

    await shot.wait_loaded()
    # Every pipeline read: the inbox says how many wait, not "N known" and what is not read.
    await shot.wait_for(lambda: shot.app.store.coverage(shot.app.now()).complete)
    await shot.pilot.press("A")
    await shot.wait_for(
        lambda: isinstance(shot.app.screen, ApprovalsScreen) and shot.app.screen.table.row_count > 0
    )


# --- end of operator actions ------------------------------------------------------------------


# --- pipeline, history and execution screens (tui/ui/screens/pipeline.py, history.py, execution.py) --


async def _show_pipeline(shot: Shot, name: str) -> None:
    from tui.ui.screens.pipeline import PipelineScreen

    await shot.wait_loaded()
    shot.app.open_pipeline(shot.app.targets[0], name)
    await shot.wait_for(
        lambda: isinstance(shot.app.screen, PipelineScreen) and shot.app.screen.execution is not None
    )


@scene("pipeline")
async def _pipeline(shot: Shot) -> None:
    await _show_pipeline(shot, "order-service")


@scene("history")
async def _history(shot: Shot) -> None:
    from tui.ui.screens.history import PAGE_SIZE, HistoryScreen

    await _show_pipeline(shot, "web-frontend")
    await shot.pilot.press("h")
    await shot.wait_for(
        lambda: isinstance(shot.app.screen, HistoryScreen) and shot.app.screen.table.row_count == PAGE_SIZE
    )


@scene("execution")
async def _execution(shot: Shot) -> None:
    from tui.ui.screens.execution import ExecutionScreen

    await _history(shot)
    await shot.pilot.press("enter")
    await shot.wait_for(
        lambda: isinstance(shot.app.screen, ExecutionScreen) and shot.app.screen.diff is not None
    )


# --- end of pipeline, history and execution screens ---------------------------------------------


# --- CodeBuild logs (tui/ui/screens/logs.py) -------------------------------------------------------


@scene("logs")
async def _logs(shot: Shot) -> None:
    """A failed test build opened for triage: phases, the failure callout, the first error line."""
    from tui.ui.screens.logs import LogScreen

    await _show_pipeline(shot, "web-frontend")
    target = shot.app.targets[0]
    state = shot.app.store.state(target, "web-frontend")
    stage = state.stage("Test") if state else None
    action = stage.action("E2E-Tests") if stage else None
    assert action is not None and action.external_execution_id, "the demo's failed E2E build"
    logs = LogScreen(
        target, action.external_execution_id, error_message=action.error_message, jump_to_error=True
    )
    await shot.app.push_screen(logs)
    await shot.wait_for(lambda: logs.finished and logs.view.cursor is not None)


# --- end of CodeBuild logs ----------------------------------------------------------------------


# --- the fleet: two accounts, two regions, grouped by target (tui/core/fleet_rows.py) -----------------


@scene("fleet")
async def _fleet(shot: Shot) -> None:
    from tui.ui.screens.pipelines import PipelinesScreen

    await shot.wait_for(lambda: all(shot.app.store.freshness(t).listed for t in shot.app.targets))
    await shot.wait_loaded()
    await shot.wait_for(lambda: bool(shot.app.targets_view.aliases))
    await shot.pilot.press("g")
    await shot.wait_for(lambda: isinstance(shot.app.screen, PipelinesScreen) and shot.app.screen.grouped)


# --- end of the fleet ---------------------------------------------------------------------------


# --- managing pipelines (tui/ui/screens/definition.py, manage_dialogs.py) -------------------------

# The scripted "editor" of the diff scene: the Build stage gets a second action after the build, and
# the build a new project (what an operator might do in $EDITOR).
_EDIT_SCRIPT = """
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
build = doc["pipeline"]["stages"][1]["actions"]
build[0]["configuration"]["ProjectName"] = "billing-service-build-v2"
lint = json.loads(json.dumps(build[0]))
lint["name"] = "Lint"
lint["runOrder"] = 2
lint["configuration"] = {"ProjectName": "billing-service-lint"}
lint["outputArtifacts"] = []
build.append(lint)
json.dump(doc, open(path, "w"), indent=2)
"""


@scene("definition")
async def _definition(shot: Shot) -> None:
    """checkout-web's declaration, found at its Production stage's entry condition (`d`, `/`)."""
    from tui.ui.screens.definition import DefinitionScreen

    await _show_pipeline(shot, "checkout-web")
    await shot.pilot.press("d")
    await shot.wait_for(
        lambda: isinstance(shot.app.screen, DefinitionScreen) and shot.app.screen.declaration is not None
    )
    await shot.pilot.press("slash", *"beforeEntry", "enter")
    await shot.wait_for(
        lambda: isinstance(shot.app.screen, DefinitionScreen) and bool(shot.app.screen.matches)
    )


@scene("diff")
async def _diff(shot: Shot) -> None:
    """`E` on billing-service (CloudFormation manages it): the change, the diff, the warning."""
    import os
    import sys

    from tui.ui.screens.manage_dialogs import UpdateDialog

    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "editor.py"
        script.write_text(_EDIT_SCRIPT)
        before = os.environ.get("VISUAL")
        os.environ["VISUAL"] = f"{sys.executable} {script}"
        tempdir, tempfile.tempdir = tempfile.tempdir, folder  # the edit file goes with the folder
        try:
            await _show_pipeline(shot, "billing-service")
            await shot.pilot.press("E")
            await shot.wait_for(lambda: isinstance(shot.app.screen, UpdateDialog))
        finally:
            tempfile.tempdir = tempdir
            if before is None:
                os.environ.pop("VISUAL", None)
            else:
                os.environ["VISUAL"] = before
    await shot.pilot.pause(0.3)


# --- end of managing pipelines ------------------------------------------------------------------
# --- history insights and fleet health (tui/ui/screens/insights.py, fleet_health.py) ------------


@scene("insights")
async def _insights(shot: Shot) -> None:
    """web-frontend: its recent breaking commit, the flaky E2E tests, the duration chart."""
    from tui.ui.screens.insights import InsightsScreen

    await _show_pipeline(shot, "web-frontend")
    await shot.pilot.press("i")
    await shot.wait_for(
        lambda: (
            isinstance(shot.app.screen, InsightsScreen)
            and not shot.app.screen.busy_note
            and shot.app.screen.diff is not None
        ),
        timeout=60,
    )


@scene("fleet_health")
async def _fleet_health(shot: Shot) -> None:
    from tui.ui.screens.fleet_health import FleetHealthScreen

    await shot.wait_for(lambda: all(shot.app.store.freshness(t).listed for t in shot.app.targets))
    await shot.wait_loaded()
    await shot.pilot.press("H")
    await shot.wait_for(
        lambda: isinstance(shot.app.screen, FleetHealthScreen) and not shot.app.screen.reading, timeout=60
    )


# --- end of history insights and fleet health ---------------------------------------------------


async def capture(name: str, out_dir: Path, size: tuple[int, int] = SIZE) -> Path:
    """Run scene ``name`` on a fresh demo and write ``out_dir/<name>.svg``."""
    from tui.cli import DEFAULT_SEED, demo_config, demo_credentials, demo_factory, with_demo_events

    sim = Simulator(scenario="demo", seed=DEFAULT_SEED, clock=ManualClock(start=DEMO_START))
    await sim.start()
    try:
        services = [
            create_service(t, endpoint_url=sim.url, credentials=demo_credentials(t))
            for t in demo_setup_targets()
        ]
        with tempfile.TemporaryDirectory() as state:
            # As `cptui --demo` runs: its state in the temporary folder, push mode on.
            base = Config(general=GeneralConfig(audit_log=Path(state) / "audit.jsonl"))
            config = with_demo_events(demo_config(base, Path(state)), sim)
            app = CptuiApp(services, config, clock=sim.clock.now, target_factory=demo_factory(sim.url))
            async with app.run_test(size=size) as pilot:
                await SCENES[name](Shot(pilot, app, sim))
                await pilot.pause(0.2)
                out_dir.mkdir(parents=True, exist_ok=True)
                app.save_screenshot(filename=f"{name}.svg", path=str(out_dir))
    finally:
        await sim.stop()
    return out_dir / f"{name}.svg"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"scenes to write (default: all of {', '.join(SCENES)})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: screenshots/)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in SCENES]
    if unknown:
        parser.error(f"unknown scene(s): {', '.join(unknown)}; known: {', '.join(SCENES)}")
    for name in args.names or list(SCENES):
        path = asyncio.run(capture(name, args.out))
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

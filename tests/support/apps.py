"""The one way tests build the real App on real aiobotocore services pointed at the simulator, and
the steps screen tests share (wait until loaded, open a pipeline, wait for a screen or a result).

Cleanup: every service ``sim_app`` makes is closed after the test by the autouse fixture in
tests/conftest.py (``close_services``); a test never closes them itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button

from tests.support.notices import record_notices, told
from tests.support.outcomes import record_results, results
from tests.support.wait import wait_until
from tui.app.application import CptuiApp
from tui.aws import create_service
from tui.aws.client import AwsPipelineService
from tui.cli import demo_credentials, demo_factory, demo_targets
from tui.core.actions import ActionResult
from tui.core.config import (
    DEFAULT_PROTECTED,
    Config,
    EventsConfig,
    GeneralConfig,
    NotificationsConfig,
    PipelinesConfig,
    PollingConfig,
)
from tui.core.model import ExecutionSummary, Status, Target
from tui.sim import Simulator
from tui.ui.screens.pipeline import PipelineScreen
from tui.ui.screens.pipelines import PipelinesScreen

Credentials = tuple[str, str, str | None]
S = TypeVar("S", bound=Screen[Any])

EAST = Target(region="us-east-1")
WEST = Target(region="us-west-2")
CREDENTIALS: Credentials = ("AKID123456789012", "x", None)
# The demo's fleet: two accounts, two regions, with their own keys (``fleet=True``).
PROD_EAST, PROD_WEST, SHARED = demo_targets()
FLEET = (PROD_EAST, PROD_WEST, SHARED)
SHARED_ACCOUNT = "210987654321"
PIPELINES = {PROD_EAST.key: 11, PROD_WEST.key: 3, SHARED.key: 3}  # listed by each demo world at the start
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


def mutations_sent(sim: Simulator) -> int:
    """How many mutating calls reached ``sim``."""
    return sum(sim.calls[op] for op in MUTATIONS)


_OPEN: list[AwsPipelineService] = []  # services sim_app made, closed after each test


def sim_services(
    sim: Simulator,
    targets: Sequence[Target] = (EAST,),
    *,
    credentials: Credentials | None = CREDENTIALS,
    fleet: bool = False,
    **options: Any,
) -> list[AwsPipelineService]:
    """One aiobotocore-backed service per target on ``sim`` (closed after the test).

    ``fleet``: each target with its demo keys (its account); ``options`` go to ``create_service``.
    """
    return [
        service_at(sim.url, t, credentials=demo_credentials(t) if fleet else credentials, **options)
        for t in targets
    ]


def service_at(
    url: str, target: Target = EAST, *, credentials: Credentials | None = CREDENTIALS, **options: Any
) -> AwsPipelineService:
    """A service for ``target`` at the endpoint ``url`` (closed after the test); ``options`` go to
    ``create_service``."""
    # On a loaded machine the test's loop (which also serves the simulator) can stall for seconds;
    # a connection is not refused for that (a test of timeouts sets its own).
    options.setdefault("connect_timeout", 30.0)
    made = create_service(target, endpoint_url=url, credentials=credentials, **options)
    _OPEN.append(made)
    return made


async def close_services() -> None:
    """Close every service made so far (the App leaves its services to its owner)."""
    while _OPEN:
        await _OPEN.pop().close()


def sim_app(
    sim: Simulator,
    tmp_path: Path,
    *,
    targets: Sequence[Target] | None = None,
    fleet: bool = False,
    services: Sequence[AwsPipelineService] | None = None,
    credentials: Credentials | None = CREDENTIALS,
    tps: float = 40.0,
    burst: int | None = None,
    polling: PollingConfig | None = None,
    favourites: Sequence[str] = (),
    protected: Sequence[str] | None = (),
    read_only: bool = False,
    config_read_only: bool = False,
    utc: bool = False,
    notifications: NotificationsConfig | None = None,
    events: EventsConfig | None = None,
    cache_dir: Path | None = None,
    monotonic: Callable[[], float] | None = None,
    start_polling: bool = True,
) -> CptuiApp:
    """The real App on ``sim``; its wall clock is the simulator's ManualClock (frozen unless advanced).

    - ``targets``: us-east-1 by default; ``fleet=True``: the demo's fleet (three targets, two
      accounts, each with its keys, and the demo's factory for targets added at run time).
    - A roomy rate budget (``tps``) keeps the first load short; the budget's own behaviour is
      tested in tests/unit/test_poller.py and by the reliability rigs (``polling`` replaces it).
    - Nothing is protected unless the test says so (``protected``; None: the config's default).
    - The audit log and state files go to ``tmp_path``; every notice is recorded
      (``tests.support.notices.told``).
    """
    chosen = tuple(targets) if targets is not None else (FLEET if fleet else (EAST,))
    made = (
        list(services)
        if services is not None
        else sim_services(sim, chosen, credentials=credentials, fleet=fleet)
    )
    config = Config(
        general=GeneralConfig(read_only=config_read_only, audit_log=tmp_path / "audit.jsonl", utc=utc),
        polling=polling or PollingConfig(tps=tps, burst=burst if burst is not None else int(tps)),
        pipelines=PipelinesConfig(
            favourites=tuple(favourites),
            protected=DEFAULT_PROTECTED if protected is None else tuple(protected),
        ),
        notifications=notifications or NotificationsConfig(),
        events=events or EventsConfig(),
        cache_dir=cache_dir,
    )
    app = CptuiApp(
        made,
        config,
        read_only=read_only,
        clock=sim.clock.now,
        monotonic=monotonic,
        start_polling=start_polling,
        target_factory=demo_factory(sim.url) if fleet else None,
    )
    record_notices(app)
    record_results(app)
    return app


# --- waiting for the app ---------------------------------------------------------------------------

QUIET = (Status.SUCCEEDED, Status.IDLE, Status.SUPERSEDED)


def all_loaded(app: CptuiApp) -> bool:
    """Every listed pipeline has its latest execution (and its state, unless it simply succeeded),
    and the table shows them all."""
    rows = app.store.rows()
    if not rows or not all(r.loaded for r in rows):
        return False
    if any(r.status not in QUIET and app.store.state(r.target, r.name) is None for r in rows):
        return False
    screen = app.screen
    return isinstance(screen, PipelinesScreen) and screen.table.row_count == len(rows)


def rows_on_screen_live(app: CptuiApp, target: Target = EAST, *, cached_too: bool = False) -> bool:
    """Every row of ``target`` the list shows has been read (``cached_too``: a row painted from the
    warm cache counts; else it must have been read since)."""
    policy = app.poller.policy
    shown = [r for r in app.store.rows(target) if policy.is_visible(target.key, r.name)]
    return bool(shown) and all(r.loaded and (cached_too or r.cached_at is None) for r in shown)


async def wait_loaded(pilot: Pilot[Any], app: CptuiApp, timeout: float = 15.0) -> None:
    await wait_until(pilot, lambda: all_loaded(app), timeout=timeout)


def fleet_loaded(app: CptuiApp) -> bool:
    """Every target listed, every row with its latest execution (and state unless it simply succeeded)."""
    store = app.store
    if not all(store.freshness(t).listed for t in app.targets):
        return False
    rows = store.rows()
    return bool(rows) and all(
        r.loaded and (r.status in QUIET or store.state(r.target, r.name) is not None) for r in rows
    )


async def wait_fleet(pilot: Pilot[Any], app: CptuiApp, timeout: float = 20.0) -> None:
    await wait_until(pilot, lambda: fleet_loaded(app), timeout=timeout)


def pipelines_screen(app: CptuiApp) -> PipelinesScreen:
    screen = app.screen
    assert isinstance(screen, PipelinesScreen), f"the active screen is {type(screen).__name__}"
    return screen


Waiter = Callable[[Callable[[], object]], Awaitable[object]]


async def open_pipeline(
    pilot: Pilot[Any],
    app: CptuiApp,
    name: str,
    stage: str | None = None,
    action: str | None = None,
    *,
    target: Target = EAST,
    loaded: bool = True,
    wait: Waiter | None = None,
) -> PipelineScreen:
    """Push ``name``'s screen (which asks the poller to follow it closely) and wait for its data.

    ``loaded``: wait for its latest execution, state and selected stage too, not only the drawn
    graph (a test of what is missing says False). ``wait``: how to wait for a condition (the
    reliability rigs step their clocks: ``rig.wait(pilot)``); a bounded real-time wait by default.
    ``stage``/``action``: selected once shown.
    """
    until: Waiter = wait or (lambda condition: wait_until(pilot, condition, timeout=10))
    if loaded:
        await until(lambda: app.store.latest_execution(target, name) is not None)
    else:
        await until(lambda: app.store.row(target, name) is not None)
    screen = PipelineScreen(target, name)
    await app.push_screen(screen)

    def shown() -> bool:
        drawn = (
            app.screen is screen
            and app.store.definition(target, name) is not None
            and bool(screen.graph.boxes)
        )
        if not loaded:
            return drawn
        return (
            drawn
            and app.store.state(target, name) is not None
            and screen.execution is not None
            and screen.graph.selected_stage is not None
        )

    await until(shown)
    if stage is not None:
        screen.graph.select(stage, action)
        screen.refresh_bindings()
        assert screen.graph.selected_stage == stage, f"no stage {stage} in {name}"
        if action is not None:
            assert screen.graph.selected_action == action, f"no action {action} in {stage}"
    await pilot.pause()
    return screen


async def wait_for_screen(pilot: Pilot[Any], app: CptuiApp, kind: type[Screen[Any]]) -> Any:
    """Wait until the active screen is a ``kind``, mounted and with its opening focus taken (keys
    typed before that would go nowhere: a protected name missing its first letters), and return it."""

    def ready() -> bool:
        screen = app.screen
        return (
            isinstance(screen, kind)
            and screen.is_mounted
            and (screen.focused is not None or not screen.focus_chain)
        )

    await wait_until(pilot, ready, timeout=10)
    await pilot.pause()  # let it render once
    return app.screen


async def open_dialog(
    pilot: Pilot[Any], app: CptuiApp, key: str, kind: type[S], *where: Any, **options: Any
) -> S:
    """Open a pipeline's screen (``where`` and ``options`` as for ``open_pipeline``: name, stage,
    action), press ``key`` and wait for its ``kind`` dialog."""
    await open_pipeline(pilot, app, *where, **options)
    await pilot.press(key)
    dialog: S = await wait_for_screen(pilot, app, kind)
    return dialog


async def press_confirm(pilot: Pilot[Any], app: CptuiApp, count: int = 1) -> ActionResult:
    """Click the dialog's confirm button, once it is enabled (typing a name enables it a frame
    later), and wait until ``count`` operator results are in; the last."""
    button = app.screen.query_one("#choice-confirm", Button)
    await wait_until(pilot, lambda: not button.disabled)
    await pilot.click("#choice-confirm")
    return await wait_for_result(pilot, app, count)


async def wait_for_result(pilot: Pilot[Any], app: CptuiApp, count: int = 1) -> ActionResult:
    """Wait until ``count`` operator results are in, and return the last."""
    found = results(app)
    await wait_until(pilot, lambda: len(found) >= count, timeout=10)
    return found[-1]


def operator_notices(app: CptuiApp) -> str:
    """Every notice so far (``tests.support.notices``), one per line."""
    return "\n".join(notice.message for notice in told(app))


def capture_writes(app: CptuiApp) -> list[str]:
    """Everything the app writes to its terminal from now on (bell, OSC sequences)."""
    written: list[str] = []
    original = app.write_to_terminal

    def write(data: str) -> None:
        written.append(data)
        original(data)

    app.write_to_terminal = write  # type: ignore[method-assign]
    return written


async def follow_from_pipeline(
    pilot: Pilot[Any], app: CptuiApp, target: Target, pipeline: str
) -> ExecutionSummary:
    """Open ``pipeline`` (running now), press ``w``; returns the latest execution, now followed."""
    await wait_fleet(pilot, app)
    latest = app.store.latest_execution(target, pipeline)
    assert latest is not None and latest.status is Status.IN_PROGRESS
    app.open_pipeline(target, pipeline)
    await wait_until(pilot, lambda: isinstance(app.screen, PipelineScreen))
    await pilot.press("w")
    await wait_until(pilot, lambda: len(app.alerts.watchlist) >= 1)
    return latest

"""The app's session part is one plain ``Session`` (tui/core/session.py), and the controllers are
handed it with the few app services each needs, never the app itself."""

from __future__ import annotations

import gc
import inspect
import warnings
from pathlib import Path

from tests.support.apps import sim_app, wait_fleet
from tests.support.wait import wait_until
from tui.app.context import StoreChanges
from tui.app.targets_control import TargetsController
from tui.core.session import Session
from tui.core.store import StoreChange
from tui.sim import Simulator
from tui.ui.host import host_of


async def test_the_hosts_session_part_is_the_session_and_no_controller_holds_the_app(
    sim: Simulator, tmp_path: Path
) -> None:
    app = sim_app(sim, tmp_path)
    session = app.session
    assert isinstance(session, Session)
    host = host_of(app)
    assert host.session is session
    assert host.store is session.store and host.config is session.config
    assert host.targets is session.targets and host.services is session.services
    assert host.actions is session.actions and host.reads is session.reads
    controllers = (
        app.poller,
        app.targets_view,
        app.alerts,
        app.insights,
        app.preferences,
        app.event_feed,
        app.warm_start,
    )
    for controller in controllers:
        assert controller.session is session
        assert all(value is not app for value in vars(controller).values()), type(controller).__name__
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_fleet(pilot, app)
        assert app.store.rows() and host.now() == session.now()


class _NeverStarts:
    """``Scheduling`` whose workers never start: what Textual does with a worker scheduled while the
    app closes (its task is cancelled before it runs). Keeps what it was handed."""

    def __init__(self) -> None:
        self.work: list[object] = []

    def run_worker(self, work: object, **_: object) -> None:
        self.work.append(work)


async def test_an_unstarted_worker_leaves_no_coroutine_unawaited(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_fleet(pilot, app)
        target = app.targets[0]
        await wait_until(pilot, lambda: app.session.store.identity(target) is not None)
        # An alias lookup asked for just as the app closes: its worker never runs.
        scheduler = _NeverStarts()
        changes = StoreChanges(app)
        aliases = TargetsController(app.session, scheduler, changes)  # type: ignore[arg-type]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            aliases.on_store_changed(StoreChange(target, freshness=True))
            assert len(scheduler.work) == 1
            assert not inspect.iscoroutine(scheduler.work[0])  # made only when the worker starts
            scheduler.work.clear()
            gc.collect()
        assert not [w for w in caught if "never awaited" in str(w.message)]

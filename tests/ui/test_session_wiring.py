"""The app's session part is one plain ``Session`` (tui/core/session.py), and the controllers are
handed it with the few app services each needs, never the app itself."""

from __future__ import annotations

from pathlib import Path

from tests.support.apps import sim_app, wait_fleet
from tui.core.session import Session
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

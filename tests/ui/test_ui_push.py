"""Push mode in the app (pilot, real aiobotocore against the simulator): a pipeline change shows in
the list from its event, with no CodePipeline polling between sweeps; duplicates and lost events;
a deleted queue or a denied ReceiveMessage falls back to polling with one notice."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.apps import EAST, sim_app
from tests.support.notices import told
from tests.support.sim import demo_simulator
from tests.support.wait import screen_text, wait_until
from tui.app.application import CptuiApp
from tui.app.push_control import LIVE, live
from tui.core.config import EventQueueConfig, EventsConfig, PollingConfig
from tui.core.model import Status
from tui.core.poll_schedule import CREDIT_MAX
from tui.sim import Simulator
from tui.sim.world import flow

CODEPIPELINE = ("ListPipelines", "ListPipelineExecutions", "GetPipelineState", "GetPipeline")
PIPELINE = "docs-site"  # idle in the demo scenario


class Mono:
    """The poller's monotonic clock: real time plus jumps the test makes."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def jump(self, seconds: float) -> None:
        self.offset += seconds


def stepping(mono: Mono, condition: Callable[[], bool], seconds: float = 30.0) -> Callable[[], bool]:
    """``condition``, with poll time moved on by ``seconds`` each time it does not hold yet."""

    def check() -> bool:
        if condition():
            return True
        mono.jump(seconds)
        return False

    return check


def _app(
    sim: Simulator,
    tmp_path: Path,
    queue_url: str | None,
    mono: Mono,
    *,
    sweep: float = 3600.0,
    budget: float = 0.15,
) -> CptuiApp:
    entries = (EventQueueConfig("us-east-1", None, queue_url, "q", "q", True),) if queue_url else ()
    events = EventsConfig(sweep_interval=sweep, sweep_calls_per_second=budget, targets=entries)
    app = sim_app(sim, tmp_path, polling=PollingConfig(), events=events, monotonic=mono)
    app.event_feed.wait_seconds = 2  # (a long poll that ends soon: the test's exit is quick)
    return app


def _codepipeline_calls(sim: Simulator) -> Counter[str]:
    return Counter({op: sim.calls[op] for op in CODEPIPELINE})


def _row(app: CptuiApp, name: str) -> str:
    return next((line for line in screen_text(app).splitlines() if f" {name} " in line), "")


async def _settle(pilot: Pilot[Any], app: CptuiApp, mono: Mono) -> None:
    """First loads done, live, and the one-off prefetches (definitions, states) over."""
    await wait_until(pilot, lambda: app.store.freshness(EAST).mode.startswith(LIVE), timeout=15)
    policy = app.poller.policy

    def warm() -> bool:
        pipes = policy._targets[EAST.key].pipes.values()
        return bool(pipes) and all(p.seen and p.has_def and p.state_at is not None for p in pipes)

    await wait_until(pilot, stepping(mono, lambda: warm() and app.poller.idle, 10), timeout=30)


def _start(sim: Simulator, name: str) -> str:
    world = sim.engine.world()
    with sim.engine.lock:
        ex = flow.start_execution(world, world.pipelines[name], "StartPipelineExecution", "push test")
    return str(ex.id)


async def _minute_passes(pilot: Pilot[Any], app: CptuiApp, mono: Mono) -> None:
    """A minute on the poller's clock: start whatever is due now and wait until it has answered
    (not a fixed pause: a late call would be missed by the count)."""
    mono.jump(60)
    app.poller.tick()
    await wait_until(pilot, lambda: app.poller.idle, timeout=10)


async def test_a_change_shows_from_its_event_without_polling(sim: Simulator, tmp_path: Path) -> None:
    queue = sim.setup_event_queue()
    mono = Mono()
    app = _app(sim, tmp_path, queue.url, mono)
    async with app.run_test(size=(160, 40)) as pilot:
        await _settle(pilot, app, mono)
        assert "live · events" in screen_text(app).splitlines()[0]
        before = _codepipeline_calls(sim)
        execution = _start(sim, PIPELINE)
        sim.clock.advance(2)
        await wait_until(pilot, lambda: "Running" in _row(app, PIPELINE), timeout=10)
        row = app.store.row(EAST, PIPELINE)
        assert row is not None and row.latest is not None and row.latest.execution_id == execution
        await wait_until(pilot, lambda: app.poller.idle, timeout=10)
        confirm = _codepipeline_calls(sim) - before
        # The confirming read (one state, and the latest execution it shows moved on): no polling.
        assert confirm["GetPipelineState"] >= 1, confirm
        assert sum(confirm.values()) <= 4, confirm
        assert app.event_feed.events_applied >= 1

        # Between sweeps: minutes pass on the poller's clock with nothing changing: no calls.
        quiet = _codepipeline_calls(sim)
        for _ in range(4):
            await _minute_passes(pilot, app, mono)
        assert _codepipeline_calls(sim) - quiet == Counter()


async def test_polling_mode_for_comparison_polls_the_same_minutes(sim: Simulator, tmp_path: Path) -> None:
    mono = Mono()
    app = _app(sim, tmp_path, None, mono)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: app.store.row(EAST, PIPELINE) is not None, timeout=15)
        assert app.store.freshness(EAST).mode == "polling (no queue configured)"
        await wait_until(pilot, lambda: app.poller.idle, timeout=10)
        quiet = _codepipeline_calls(sim)
        for _ in range(4):
            await _minute_passes(pilot, app, mono)
        assert sum((_codepipeline_calls(sim) - quiet).values()) >= 4


@pytest.mark.slow
async def test_duplicated_events_apply_once_and_lost_ones_heal_in_the_sweep(
    sim: Simulator, tmp_path: Path
) -> None:
    queue = sim.setup_event_queue()
    mono = Mono()
    app = _app(sim, tmp_path, queue.url, mono, sweep=600)
    async with app.run_test(size=(160, 40)) as pilot:
        await _settle(pilot, app, mono)
        sim.set_faults("events-dup=1")
        _start(sim, PIPELINE)
        sim.clock.advance(2)
        await wait_until(pilot, lambda: "Running" in _row(app, PIPELINE), timeout=10)
        await wait_until(pilot, lambda: app.event_feed.applier.duplicates >= 1, timeout=10)
        messages = sim.engine.sqs.queues[("123456789012", "us-east-1", "cptui-events")].messages
        await wait_until(pilot, lambda: not messages and app.poller.idle, timeout=10)
        # Every event is lost from now on: the pipeline ends, and only the sweep can tell.
        sim.set_faults("events-drop=1")
        sim.clock.advance(3600)
        await pilot.pause(0.5)
        assert "Running" in _row(app, PIPELINE)  # nothing told it yet
        await wait_until(pilot, stepping(mono, lambda: "Running" not in _row(app, PIPELINE)), timeout=20)
        row = app.store.row(EAST, PIPELINE)
        assert row is not None and row.status is not Status.IN_PROGRESS


async def test_the_budgeted_sweep_heals_a_lost_event_within_its_stated_period(
    sim: Simulator, tmp_path: Path
) -> None:
    """``[events] sweep_calls_per_second``: the sweep's period follows the budget (here longer than
    ``sweep_interval``), the header says it, the calls stay within it, and a lost event still heals."""
    budget = 0.01
    queue = sim.setup_event_queue()
    mono = Mono()
    app = _app(sim, tmp_path, queue.url, mono, sweep=600, budget=budget)
    async with app.run_test(size=(160, 40)) as pilot:
        await _settle(pilot, app, mono)
        plan = app.poller.policy.sweep_plan(EAST.key, app.poller._monotonic())
        assert plan is not None and plan.rest > 600  # the budget, not the interval, sets the period

        def period_shown() -> bool:
            now_plan = app.poller.policy.sweep_plan(EAST.key, app.poller._monotonic())
            assert now_plan is not None
            return live(now_plan.rest) in screen_text(app).splitlines()[0]

        # (the header works the period out again once a minute: the poller's clock moves on)
        await wait_until(pilot, stepping(mono, period_shown, 61), timeout=30)
        await wait_until(pilot, lambda: not _pending(sim) and app.poller.idle, timeout=10)
        # Every event is lost from now on: the pipeline starts, and only the sweep can tell.
        sim.set_faults("events-drop=1")
        before = _codepipeline_calls(sim)
        began = mono()  # the poller's clock: the minutes the test jumps plus the real time it takes
        # The sweep is a paced pool that banks unused credit (tui.core.poll_schedule): what it held
        # now may be spent at once, on top of what the budget earns from here on.
        pool = app.poller.policy._targets[EAST.key]
        banked = min(CREDIT_MAX, pool.credit[1] + pool.rates[1] * max(0.0, began - pool.credit_stamp))
        _start(sim, PIPELINE)
        sim.clock.advance(2)
        minutes = 0

        def healed() -> bool:
            row = app.store.row(EAST, PIPELINE)
            return row is not None and row.status is Status.IN_PROGRESS

        # (the store, not the screen, ends the loop: a minute more while the screen catches up
        # would poll the now running pipeline and count its reads against the sweep)
        while not healed():
            assert minutes * 60 <= plan.rest * 1.1, f"not healed within the sweep ({plan.rest:.0f} s)"
            await _minute_passes(pilot, app, mono)
            minutes += 1
        calls = _codepipeline_calls(sim) - before
        made = sum(calls.values())
        # The sweep and the list within the budget over the poller's own time (under load the real
        # time between the jumps adds to it) and the banked credit, + the heal's own reads: the
        # state, the definition.
        elapsed = mono() - began
        bound = int(banked) + budget * elapsed + 3
        assert made <= bound, (made, minutes, round(elapsed), banked, dict(calls))
        await wait_until(pilot, lambda: "Running" in _row(app, PIPELINE), timeout=10)


async def test_the_header_sweep_period_is_not_worked_out_again_with_every_receive(
    sim: Simulator, tmp_path: Path
) -> None:
    """The period moves with the pipelines, the rows on screen and recent activity; each new header
    text relayouts the screen, so it is worked out again at most once a minute, not after every
    batch of events."""
    queue = sim.setup_event_queue()
    mono = Mono()
    app = _app(sim, tmp_path, queue.url, mono, sweep=600, budget=0.01)
    async with app.run_test(size=(160, 12)) as pilot:  # (a few rows on screen: the rest swept later)
        await wait_until(pilot, lambda: app.store.freshness(EAST).mode.startswith(LIVE), timeout=15)
        loaded = lambda: bool(app.store.rows()) and all(r.loaded for r in app.store.rows())  # noqa: E731
        await wait_until(pilot, stepping(mono, lambda: loaded() and app.poller.idle, 10), timeout=30)
        feed = app.event_feed
        policy = app.poller.policy
        before = app.store.freshness(EAST).mode
        plan = policy.sweep_plan(EAST.key, app.poller._monotonic())
        set_modes: list[str] = []
        inner = app.store.set_mode

        def counted(target: Any, mode: str) -> Any:
            set_modes.append(mode)
            return inner(target, mode)

        app.store.set_mode = counted  # type: ignore[method-assign]
        shared = next(iter(feed.queues.values()))
        feed._on_state(shared, True, None)  # a receive answers: the period is worked out now
        set_modes.clear()
        # The next list brings a hundred more pipelines: the period grows.
        names = {name: 1 for name in policy.pipelines(EAST.key)} | {f"new-{i:03d}": 1 for i in range(100)}
        policy.set_pipelines(EAST.key, names, app.poller._monotonic())
        moved = policy.sweep_plan(EAST.key, app.poller._monotonic())
        assert plan is not None and moved is not None and live(moved.rest) != before  # it would change
        for _ in range(5):
            feed._on_state(shared, True, None)  # receives answering
        assert set_modes == []
        mono.jump(61)
        feed._on_state(shared, True, None)
        assert set_modes == [live(moved.rest)]


def _pending(sim: Simulator) -> bool:
    queue = sim.engine.sqs.queues.get(("123456789012", "us-east-1", "cptui-events"))
    return queue is not None and bool(queue.messages)


@pytest.mark.parametrize("problem", ["deleted", "denied"])
async def test_a_queue_that_fails_falls_back_to_polling_with_one_notice(problem: str, tmp_path: Path) -> None:
    faults = "deny=ReceiveMessage" if problem == "denied" else ""
    sim = demo_simulator(faults=faults)
    await sim.start()
    try:
        queue = sim.setup_event_queue()
        if problem == "deleted":
            del sim.engine.sqs.queues[("123456789012", "us-east-1", "cptui-events")]
        mono = Mono()
        app = _app(sim, tmp_path, queue.url, mono)
        app.event_feed.retry_after = 0.05  # it keeps trying: still one notice
        why = "queue does not exist" if problem == "deleted" else "access denied on sqs:ReceiveMessage"
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_until(pilot, lambda: app.store.freshness(EAST).mode == f"polling ({why})", timeout=15)
            await wait_until(pilot, lambda: sim.calls["ReceiveMessage"] >= 3, timeout=15)
            notices = [n.message for n in told(app) if "live updates off" in n.message]
            assert notices == [f"{EAST.label}: live updates off, polling instead ({why})"]
            assert app.poller.policy.push_sweep(EAST.key) is None
            await wait_until(
                pilot, lambda: f"polling ({why})" in screen_text(app).splitlines()[0], timeout=10
            )
            # Polling goes on: the rows load as without push mode.
            await wait_until(pilot, lambda: app.store.row(EAST, PIPELINE) is not None, timeout=15)
    finally:
        await sim.stop()


@pytest.mark.slow
async def test_a_build_event_refreshes_an_open_log_screens_header(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.ui.screens.logs import LogScreen

    monkeypatch.setattr(LogScreen, "POLL_INTERVAL", 0.2)
    monkeypatch.setattr(LogScreen, "BUILD_CHECK_INTERVAL", 3600.0)  # only an event re-reads the build
    monkeypatch.setattr(LogScreen, "LIVE_TAIL", False)
    queue = sim.setup_event_queue()
    world = sim.engine.world()
    build = next(b for b in world.builds.values() if not b.complete_at(world.now))
    upcoming = next(p for p in build.phases if p.end > world.now and p.name != "COMPLETED")
    mono = Mono()
    app = _app(sim, tmp_path, queue.url, mono)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: app.store.freshness(EAST).mode.startswith(LIVE), timeout=15)
        screen = LogScreen(EAST, build.id)
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.follower is not None and screen.follower.build is not None)
        follower = screen.follower
        assert follower is not None and follower.build is not None
        phase_before = follower.build.current_phase
        # The phase ends: a Build Phase Change event, received on the queue's next long poll (the
        # bound is generous: on a busy machine the round trip took more than 10 s). BuildCheck is an
        # hour away: only the event can make the screen read the build again.
        sim.clock.advance(upcoming.end - world.now + 1)
        await wait_until(
            pilot,
            lambda: follower.build is not None and follower.build.current_phase != phase_before,
            timeout=30,
        )


async def test_push_mode_off_reads_no_queue(sim: Simulator, tmp_path: Path) -> None:
    from dataclasses import replace

    from tui.app.push_control import PUSH_OFF

    queue = sim.setup_event_queue()
    mono = Mono()
    app = _app(sim, tmp_path, queue.url, mono)
    app.config = replace(app.config, events=replace(app.config.events, enabled=False))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: app.store.row(EAST, PIPELINE) is not None, timeout=15)
        assert app.store.freshness(EAST).mode == PUSH_OFF
        assert sim.calls["ReceiveMessage"] == 0


async def test_a_queue_deleted_while_live_falls_back_to_polling(sim: Simulator, tmp_path: Path) -> None:
    queue = sim.setup_event_queue()
    mono = Mono()
    app = _app(sim, tmp_path, queue.url, mono)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: app.store.freshness(EAST).mode.startswith(LIVE), timeout=15)
        assert app.poller.policy.push_sweep(EAST.key) == 3600.0
        with sim.engine.lock:
            del sim.engine.sqs.queues[("123456789012", "us-east-1", "cptui-events")]
        await wait_until(
            pilot, lambda: app.store.freshness(EAST).mode == "polling (queue does not exist)", timeout=15
        )
        assert app.poller.policy.push_sweep(EAST.key) is None
        assert len([n for n in told(app) if "live updates off" in n.message]) == 1
        # Polling again: a change shows without any event.
        _start(sim, PIPELINE)
        sim.clock.advance(2)
        await wait_until(pilot, stepping(mono, lambda: "Running" in _row(app, PIPELINE)), timeout=20)


async def test_a_shared_queue_routes_each_event_to_its_target(sim: Simulator, tmp_path: Path) -> None:
    """``[events] queue_url``: one queue someone else manages, read once for every target; each
    event goes to the target of its account and region."""
    import json

    from tui.core.model import Target

    west = Target(region="us-west-2")
    queue = sim.setup_event_queue()
    events = EventsConfig(sweep_interval=3600.0, queue_url=queue.url)
    app = sim_app(
        sim, tmp_path, targets=(EAST, west), polling=PollingConfig(), events=events, monotonic=Mono()
    )
    app.event_feed.wait_seconds = 2
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(
            pilot, lambda: all(app.store.freshness(t).mode.startswith(LIVE) for t in (EAST, west)), timeout=15
        )
        assert len(app.event_feed.queues) == 1  # read once
        await wait_until(pilot, lambda: app.store.identity(west) is not None, timeout=15)
        await wait_until(pilot, lambda: app.store.row(west, "batch-reports-dr") is not None, timeout=15)
        world = sim.engine.world("123456789012", "us-west-2")
        with sim.engine.lock:
            ex = flow.start_execution(
                world, world.pipelines["batch-reports-dr"], "StartPipelineExecution", "t"
            )
        event = {
            "version": "0",
            "id": "routed-1",
            "detail-type": "CodePipeline Pipeline Execution State Change",
            "source": "aws.codepipeline",
            "account": "123456789012",
            "time": sim.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-west-2",
            "resources": [],
            "detail": {
                "pipeline": "batch-reports-dr",
                "execution-id": ex.id,
                "state": "STARTED",
                "version": 1.0,
            },
        }
        await app.services[EAST.key].aws_call(  # type: ignore[attr-defined]
            "sqs", "SendMessage", mutation=True, QueueUrl=queue.url, MessageBody=json.dumps(event)
        )
        await wait_until(pilot, lambda: app.event_feed.applier.seen("routed-1"), timeout=10)
        row = app.store.row(west, "batch-reports-dr")
        assert row is not None and row.latest is not None and row.latest.execution_id == ex.id
        assert row.status is Status.IN_PROGRESS

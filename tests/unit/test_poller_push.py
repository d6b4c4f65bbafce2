"""The polling policy in push mode: while events flow, every pipeline off a screen is read only by
the safety sweep, and each event's confirming read is one GetPipelineState through the budget."""

from __future__ import annotations

import pytest

from tests.unit.test_poller import T, World
from tui.core.poll_state import FetchKind


@pytest.mark.slow
def test_push_mode_stretches_polling_to_the_safety_sweep() -> None:
    world = World(n=200, running=5, visible=20)
    world.run(120)  # first loads, as in polling mode
    polled = world.calls_between(60, 120)
    world.policy.set_push(T, 600.0)
    world.run(600)  # what was due settles, the one-off prefetches (definitions, states) end
    start = world.now
    world.run(300)
    pushed = world.calls_between(start, world.now)
    # Polling: running pipelines every 5 s and rows on screen every 15 s; pushed: the sweep only
    # (200 pipelines / 600 s = 1 call every 3 s).
    assert polled > 100
    assert pushed <= 300 / 600 * 200 * 1.2 + 2
    assert not any(
        world.starts[(FetchKind.STATE, n)][-1] > start
        for n in world.running
        if world.starts[(FetchKind.STATE, n)]
    )
    # Every pipeline is still read within the sweep interval (once the switch's bunching is over).
    world.run(1500)
    assert world.max_gap(FetchKind.LATEST, world.names, after=start + 900) <= 600 * 1.1


def test_an_event_is_confirmed_by_one_state_read() -> None:
    world = World(n=50, running=0, visible=10)
    world.run(60)
    world.policy.set_push(T, 600.0)
    world.run(30)
    before = len(world.starts[(FetchKind.STATE, "p007")])
    world.policy.confirm(T, "p007", world.now)
    world.policy.confirm(T, "p007", world.now)  # a burst of events: still one read
    world.run(3)
    assert len(world.starts[(FetchKind.STATE, "p007")]) == before + 1


def test_an_event_for_an_unknown_pipeline_asks_for_the_list() -> None:
    world = World(n=10, running=0, visible=10)
    world.run(30)
    world.policy.set_push(T, 600.0)
    lists = len(world.starts[(FetchKind.LIST, None)])
    world.policy.confirm(T, "brand-new", world.now)
    world.run(2)
    assert len(world.starts[(FetchKind.LIST, None)]) == lists + 1


def test_back_to_polling_when_events_stop() -> None:
    world = World(n=50, running=3, visible=10)
    world.run(30)
    world.policy.set_push(T, 600.0)
    world.run(60)
    world.policy.set_push(T, None)
    start = world.now
    world.run(30)
    running = sorted(world.running)
    assert all(any(t >= start for t in world.starts[(FetchKind.STATE, n)]) for n in running)

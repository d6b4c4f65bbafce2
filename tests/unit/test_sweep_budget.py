"""Push mode's safety sweep within a calls-per-second budget (tui/core/sweep.py and the policy that
applies it): at any number of pipelines the sweep and the list cost at most the budget, rows on screen
and pipelines with recent activity are read first (at the configured interval), and every other
pipeline is still read within the period the plan states (what bounds a lost event)."""

from __future__ import annotations

import pytest

from tests.unit.test_poller import T, World
from tui.app.push_control import LIVE, live
from tui.core import poll_schedule
from tui.core.poll_state import FetchKind
from tui.core.sweep import plan_sweep
from tui.ui.widgets.header import mode_text

BUDGET = 0.15


@pytest.mark.parametrize("pipelines", [10, 200, 1000, 5000])
def test_the_plan_never_costs_more_than_the_budget(pipelines: int) -> None:
    for first in (0, 30, pipelines // 2, pipelines):
        plan = plan_sweep(pipelines, first, 600.0, BUDGET, pace=1.05)
        assert plan.planned <= BUDGET + 1e-9
        assert 600.0 <= plan.first <= plan.rest


def test_the_period_is_the_longer_of_the_interval_and_what_the_budget_allows() -> None:
    # Few pipelines: the configured interval (cheaper than the budget).
    small = plan_sweep(20, 5, 600.0, BUDGET)
    assert small.first == small.rest == 600.0
    # 1,000 (30 on screen): those on screen keep 10 minutes, the rest and the list share what is left.
    big = plan_sweep(1000, 30, 600.0, BUDGET)
    assert big.first == 600.0
    assert big.rest == pytest.approx((970 + 1) / (BUDGET - 30 / 600.0))
    # No budget: every pipeline every interval, as before.
    assert plan_sweep(1000, 30, 600.0, None).rest == 600.0


def test_too_many_first_pipelines_stretch_within_half_the_budget() -> None:
    plan = plan_sweep(1000, 200, 600.0, BUDGET)
    assert plan.first == pytest.approx(200 / (BUDGET / 2))
    assert plan.planned <= BUDGET + 1e-9


def _pushed(n: int, visible: int) -> World:
    world = World(n=n, running=0, visible=visible)
    world.run(120, step=0.5)  # first loads, as in polling mode
    world.policy.set_push(T, 600.0, BUDGET)
    return world


@pytest.mark.slow
def test_the_policy_keeps_the_sweep_within_the_budget_at_1000_pipelines() -> None:
    world = _pushed(1000, 30)
    plan = world.policy.sweep_plan(T, world.now)
    assert plan is not None and plan.planned <= BUDGET
    world.run(900, step=1.0)  # the switch's one-off prefetches of the rows on screen end
    start = world.now
    world.run(1200, step=1.0)
    assert world.calls_between(start, world.now) <= BUDGET * 1200 + 2  # (+ whole calls)
    # (everything the policy plans for the target: the sweep, the list, nothing else while idle)
    assert world.policy.intervals(T, world.now).planned <= BUDGET + 1e-9


@pytest.mark.slow
def test_rows_on_screen_first_and_every_pipeline_within_the_stated_period() -> None:
    world = _pushed(200, 20)
    plan = world.policy.sweep_plan(T, world.now)
    assert plan is not None
    assert plan.first == 600.0 and plan.rest > 1200.0  # 200 pipelines every 600 s would be 0.33 calls/s
    start = world.now
    world.run(2.5 * plan.rest, step=1.0)
    on_screen = world.visible
    off_screen = [n for n in world.names if n not in on_screen]
    # Once the switch's bunching is over: on screen at the configured interval, the rest within the plan.
    after = start + plan.rest
    assert world.max_gap(FetchKind.LATEST, on_screen, after=after) <= 600.0 * 1.1
    assert world.max_gap(FetchKind.LATEST, off_screen, after=after) <= plan.rest * 1.1
    assert world.calls_between(after, world.now) <= BUDGET * (world.now - after) + 2  # (+ whole calls)


@pytest.mark.slow
def test_a_pipeline_with_an_event_lately_is_swept_first() -> None:
    world = _pushed(200, 20)
    name = "p150"  # off screen
    world.run(30, step=1.0)
    world.policy.confirm(T, name, world.now)  # an event for it
    world.run(5, step=1.0)
    plan = world.policy.sweep_plan(T, world.now)
    assert plan is not None
    start = world.now
    world.run(1500, step=1.0)
    reads = [t for t in world.starts[(FetchKind.LATEST, name)] if t >= start]
    assert reads and reads[0] - start <= 600.0 * 1.1 < plan.rest


def test_the_header_says_the_sweep_period_in_effect() -> None:
    assert live(600.0) == "live · events · sweep every 10 min"
    assert live(10456.0) == "live · events · sweep every 2 h 54 min"
    assert live(None) == LIVE
    shown = mode_text([live(1841.0)])
    assert shown is not None and shown.plain == "live · events · sweep every 31 min"
    # Several targets with different periods: the mode alone.
    both = mode_text([live(600.0), live(1841.0)])
    assert both is not None and both.plain == "live · events"


def test_while_nothing_is_due_the_policy_does_not_rescan_every_pipeline_each_tick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 1,000 pipelines a scan took several milliseconds, four times a second, while events arrived
    and nothing was due: push mode scans again only when something falls due (or changes)."""
    world = _pushed(1000, 30)
    world.run(900, step=1.0)
    scans = 0
    inner = poll_schedule.candidates

    def counted(*args: object) -> object:
        nonlocal scans
        scans += 1
        return inner(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(poll_schedule, "candidates", counted)
    reads = world.calls_between(0, world.now + 1)
    world.run(10, step=0.25)  # 40 ticks
    swept = world.calls_between(0, world.now + 1) - reads
    assert scans <= 10 + 2 * swept  # (at most one a second, and around each read)
    # Something changes: it is served at the next tick, not when the quiet time ends.
    world.policy.confirm(T, "p900", world.now)
    before = len(world.starts[(FetchKind.STATE, "p900")])
    world.run(0.25, step=0.25)
    assert len(world.starts[(FetchKind.STATE, "p900")]) == before + 1

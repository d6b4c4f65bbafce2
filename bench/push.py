"""Polling against push mode (EventBridge -> SQS), on the real App with a driven clock (``driven.py``).

For each size and mode, one cold start, then on the pipelines list at 120x36:

- ``idle``: nothing runs or changes: CodePipeline calls per second (push mode: only the safety sweep,
  every pipeline once per ``sweep`` seconds, and the list);
- ``busy``: five pipelines kept running and freshness probes starting executions on screen and off
  screen: CodePipeline calls per second, and change -> screen (simulated seconds from a change in the
  simulator to the list showing it) p50 / p95 / max for running, on-screen and off-screen pipelines.

Events reach the queue after a simulated delivery delay (``EVENTS_DELAY``, as EventBridge's typical
sub-second latency); the simulator's SQS long poll answers in real time, and each step waits until
everything visible was received, applied and deleted, so seconds here are simulated seconds
(resolution: one step).

``lost(n)``: push mode with 1% of the events lost (``events-drop=0.01``): the longest time a row
stayed wrong (changes still not shown at the end count with their age so far), which the safety
sweep bounds: the longest period the budgeted sweep actually used at that pipeline count (``[events]
sweep_calls_per_second``, tui/core/sweep.py), measured for at least that long on the simulated clock.

Push mode runs with the default sweep: at least every 10 minutes, within 0.15 CodePipeline calls/s
for the sweep and the list (``SWEEP``, ``SWEEP_BUDGET``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from driven import EAST, SIZE, Harness
from polling import FreshnessProbe

from tui.app.push_control import LIVE
from tui.core.config import EventsConfig
from tui.core.poll_cadence import swept_first
from tui.core.poll_state import Fetch, FetchKind
from tui.sim.world import operations

CODEPIPELINE = ("ListPipelines", "ListPipelineExecutions", "GetPipelineState", "GetPipeline")
EVENTS_DELAY = "events-delay=200-1000ms"
SWEEP = 600.0
SWEEP_BUDGET = EventsConfig().sweep_calls_per_second  # (the default: what a user gets)


def _codepipeline(h: Harness) -> Counter[str]:
    calls = h.calls()
    return Counter({op: calls[op] for op in CODEPIPELINE})


async def _warm(h: Harness, pilot: Any, events: bool) -> float:
    loaded = await h.run_until(pilot, h.all_loaded, limit=1200.0)
    if events:
        await h.run_until(pilot, lambda: h.app.store.freshness(EAST).mode.startswith(LIVE), limit=60.0)
    # The one-off prefetches (definitions, states of every pipeline) are not what is measured
    # (polling at 200 and more has no spare budget for them: a fixed settle there).
    done, began = _prefetched(h), h.t
    while not done() and h.t - began < 120.0:
        await h.step(pilot, 1.0)
    return loaded


def _prefetched(h: Harness) -> Any:
    policy = h.app.poller.policy

    def done() -> bool:
        t = policy._targets[EAST.key]
        # (push mode prefetches only what the sweep reads first: rows on screen, recent activity)
        now = h.monotonic()
        pipes = [p for p in t.pipes.values() if t.push is None or swept_first(policy.settings, t, p, now)]
        return all(p.has_def and p.state_at is not None for p in pipes)

    return done


class Reasons:
    """Why the poller made each CodePipeline call: the sweep (rows swept first: on screen, running
    or with an event lately; the rest), the list, a confirming read after an event (or the latest
    execution it asked for), a prefetch, a first load, a pipeline polled fast. Calls that did not go
    through the poller (approvals, aliases, on-demand reads) are counted at the simulator apart."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.log: list[tuple[float, str]] = []
        policy = h.app.poller.policy
        inner = policy.next_due

        def next_due(now: float) -> list[Fetch]:
            t = policy._targets.get(EAST.key)
            before = (
                {}
                if t is None
                else {p.name: (p.want_state, p.want_latest, p.latest_at) for p in t.pipes.values()}
            )
            fetches = inner(now)
            for f in fetches:
                self.log.append((h.t, f"{f.kind.operation} {self._why(t, f, before, now)}"))
            return fetches

        policy.next_due = next_due  # type: ignore[method-assign]

    def _why(self, t: Any, f: Fetch, before: dict[str, Any], now: float) -> str:
        want_state, want_latest, latest_at = before.get(f.name or "", (None, None, None))
        if f.urgent:
            return "asked for"
        if f.kind in (FetchKind.LIST, FetchKind.IDENTITY):
            return "list" if f.kind is FetchKind.LIST else "identity"
        if t is not None and f.name in t.fast:
            return "polled fast"
        if f.kind is FetchKind.STATE:
            return "confirming (after an event)" if want_state is not None else "prefetch"
        if f.kind is FetchKind.DEFINITION:
            return "prefetch"
        if want_latest is not None:
            return "latest execution a state asked for"
        if latest_at is None:
            return "first load"
        pipe = t.pipes.get(f.name) if t is not None else None
        settings = self.h.app.poller.policy.settings
        first = pipe is not None and t.push is not None and swept_first(settings, t, pipe, now)
        return "sweep, read first" if first else "sweep"

    def mark(self) -> tuple[int, float, Counter[str]]:
        return len(self.log), self.h.t, self.h.calls()

    def per_min(self, mark: tuple[int, float, Counter[str]], end: float) -> dict[str, float]:
        index, start, calls = mark
        span = max(1e-9, end - start)
        counted = Counter(why for _, why in self.log[index:])
        out = {why: round(c * 60 / span, 2) for why, c in sorted(counted.items())}
        polled = Counter(why.split(" ", 1)[0] for why in counted.elements())
        made = self.h.calls() - calls
        for op in CODEPIPELINE:
            if made[op] > polled[op]:
                out[f"{op} not through the poller"] = round((made[op] - polled[op]) * 60 / span, 2)
        return out


def _sweep(h: Harness) -> dict[str, Any]:
    """The sweep's plan now: its periods and what it costs."""
    plan = h.app.poller.policy.sweep_plan(EAST.key, h.monotonic())
    if plan is None:
        return {}
    return {
        "period_s": round(plan.rest, 1),
        "first_period_s": round(plan.first, 1),
        "planned_calls_per_s": round(plan.planned, 3),
        "budget_calls_per_s": SWEEP_BUDGET,
    }


def _quiet_world(h: Harness) -> None:
    """Nothing runs: the kept-busy pipelines stop and are not restarted."""
    world = h.world
    h.busy.clear()
    h.restarts.clear()
    for p in world.pipelines.values():
        latest = p.latest()
        if latest is not None and not latest.final:
            operations.stop(world, p.name, latest.id, True, "bench: quiet")


def _busy_world(h: Harness, count: int = 5) -> None:
    world = h.world
    names = sorted(world.pipelines)[: count * 7 : 7]
    for name in names:
        operations.start(world, name, {}, {}, None, "bench: busy")
        h.busy.add(name)


async def _calls_per_s(h: Harness, pilot: Any, window: float, step: float) -> dict[str, Any]:
    before = _codepipeline(h)
    start = h.t
    await h.run_for(pilot, window, step)
    made = _codepipeline(h) - before
    span = h.t - start
    return {
        "window_s": round(span, 1),
        "calls_per_s": round(sum(made.values()) / span, 3),
        "calls_per_min": {op: round(c * 60 / span, 1) for op, c in sorted(made.items())},
    }


async def _with_probe(
    h: Harness, pilot: Any, window: float, step: float, on_every: float, off_every: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    probe = FreshnessProbe(h, on_every=on_every, off_every=off_every)
    h.on_step.append(probe.before_tick)
    h.after_step.append(probe.after_settle)
    probe.active = True
    probe.before_tick()
    try:
        calls = await _calls_per_s(h, pilot, window, step)
    finally:
        probe.active = False
        h.on_step.remove(probe.before_tick)
        h.after_step.remove(probe.after_settle)
    return calls, probe.summary()


def _by_class(freshness: dict[str, Any]) -> dict[str, Any]:
    """change -> screen per class: a running pipeline's stages and status, rows' statuses."""
    out: dict[str, Any] = {}
    for cls in ("running", "on_screen", "off_screen"):
        keys = [k for k in freshness if isinstance(freshness[k], dict) and k.startswith(cls + "_")]
        if not keys:
            continue
        worst = max(keys, key=lambda k: freshness[k]["p95_s"])
        out[cls] = {
            "changes": sum(freshness[k]["changes"] for k in keys),
            "p50_s": max(freshness[k]["p50_s"] for k in keys),
            "p95_s": freshness[worst]["p95_s"],
            "max_s": max(freshness[k]["max_s"] for k in keys),
        }
    out["not_seen_by_end"] = freshness.get("not_seen_by_end", 0)
    return out


async def mode(
    n: int, events: bool, *, idle_window: float, busy_window: float, busy_step: float = 0.25
) -> dict[str, Any]:
    """One size in one mode: idle and busy CodePipeline calls/s, change -> screen by class."""
    # Loaded with a large budget (the first load is the cold start's figure, not this one's), then
    # measured with the default one.
    h = await Harness.create(n, tps=1000.0, events=events, faults=EVENTS_DELAY if events else "", sweep=SWEEP)
    reasons = Reasons(h)
    try:
        async with h.app.run_test(size=SIZE) as pilot:
            await _warm(h, pilot, events)
            h.default_budget()
            await h.run_for(pilot, 30.0, 1.0)
            result: dict[str, Any] = {
                "mode": h.app.store.freshness(EAST).mode,
                "rows_on_screen": len(h.visible()),
            }
            _quiet_world(h)
            await h.run_for(pilot, 30.0, 1.0)  # the stops' own events and confirming reads
            mark = reasons.mark()
            result["idle"] = await _calls_per_s(h, pilot, idle_window, 5.0)  # (a rate: no resolution needed)
            # The window starts right after the first loads, when nothing is due for a while yet:
            # what the plan costs once every pipeline is on its cadence (the sweep, the list).
            iv = h.app.poller.policy.intervals(EAST.key, h.monotonic())
            result["idle"]["planned_steady_calls_per_s"] = round(iv.planned, 3)
            if events:
                result["idle"]["calls_by_reason_per_min"] = reasons.per_min(mark, h.t)
                result["idle"]["sweep"] = _sweep(h)
            _busy_world(h)
            calls, freshness = await _with_probe(h, pilot, busy_window, busy_step, 30.0, 60.0)
            result["busy"] = {
                **calls,
                "running_pipelines": len(h.busy),
                "change_to_screen": _by_class(freshness),
            }
            if events:
                result["events_applied"] = h.app.event_feed.events_applied
    finally:
        await h.close()
    return result


async def compare(
    n: int, *, idle_window: float, busy_window: float, busy_step: float = 0.25
) -> dict[str, Any]:
    kw = {"idle_window": idle_window, "busy_window": busy_window, "busy_step": busy_step}
    return {
        "pipelines": n,
        "events_delivery": EVENTS_DELAY,
        "sweep_s": SWEEP,
        "sweep_budget_calls_per_s": SWEEP_BUDGET,
        "polling": await mode(n, False, **kw),
        "events": await mode(n, True, **kw),
    }


async def lost(n: int, *, window: float, sweep: float = SWEEP, step: float = 2.0) -> dict[str, Any]:
    """Push mode with 1% of events lost: the longest time a row showed something no longer true,
    beside the longest sweep period in effect meanwhile (the window lasts at least that long)."""
    faults = f"{EVENTS_DELAY},events-drop=0.01"
    h = await Harness.create(n, tps=1000.0, events=True, faults=faults, sweep=sweep)
    policy = h.app.poller.policy
    periods: list[float] = []

    def period() -> None:
        plan = policy.sweep_plan(EAST.key, h.monotonic())
        if plan is not None:
            periods.append(plan.rest)

    try:
        async with h.app.run_test(size=SIZE) as pilot:
            await _warm(h, pilot, True)
            h.default_budget()
            period()
            window = max(window, 1.25 * max(periods, default=0.0))
            h.after_step.append(period)
            # Many changes, on screen and off, so that some of the lost events are the only word of one.
            probe = FreshnessProbe(h, on_every=10.0, off_every=5.0)
            h.on_step.append(probe.before_tick)
            h.after_step.append(probe.after_settle)
            probe.active = True
            probe.before_tick()
            calls = await _calls_per_s(h, pilot, window, step)
            # No more changes; the rows still wrong get until the longest period to heal (so the
            # figure is how long they stayed wrong, not how long the window happened to last).
            probe.next_on = probe.next_off = float("inf")
            healing = h.t
            while probe.pending and h.t - healing < max(periods) + 60.0:
                await h.step(pilot, step)
            probe.active = False
            freshness = probe.summary()
            by_class = _by_class(freshness)
            longest = max((v["max_s"] for v in by_class.values() if isinstance(v, dict)), default=0.0)
            # A change still not shown at the end has been wrong this long so far.
            unseen = max((h.t - when for _value, when, _cls in probe.pending.values()), default=0.0)
            return {
                "pipelines": n,
                "faults": faults,
                "sweep_s": round(max(periods, default=sweep), 1),
                "sweep_interval_s": sweep,
                "sweep_budget_calls_per_s": SWEEP_BUDGET,
                "window_s": window,
                "longest_unseen_at_end_s": round(unseen, 1),
                "clock": "simulated (driven): sweeps of tens of minutes measured in a few minutes",
                "events_lost": h.sim.fault_counts.get("events-drop", 0),
                "changes": sum(v["changes"] for v in by_class.values() if isinstance(v, dict)),
                "longest_wrong_s": round(max(longest, unseen), 2),
                "change_to_screen": by_class,
                "calls_per_s": calls["calls_per_s"],
            }
    finally:
        await h.close()

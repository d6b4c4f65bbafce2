"""How often each pipeline is read: the cadence of a target, stretched to fit its rate budget.

- running or polled fast: GetPipelineState every ``active_interval``; rows on screen every
  ``visible_interval``; everything else every ``idle_interval``, in a paced sweep; the list every
  ``list_interval``.
- When planned demand exceeds what the bucket refills (many rows on screen, or a throttle halved the
  rate) the visible and idle intervals stretch by the same factor, so the budget always holds and
  running pipelines keep their cadence; rows on screen stretch at most ``visible_stretch_max`` times,
  what is off screen takes the rest.
- Push mode (events flow): every pipeline not polled fast is read only by the safety sweep, within
  ``[events] sweep_calls_per_second``: rows on screen, running pipelines and those with an event in
  the last ``sweep_recent`` seconds first, everything else (and the list) at the period the budget
  leaves (``tui.core.sweep``).
"""

from __future__ import annotations

import math

from tui.core.poll_state import HOT, Intervals, Pipe, PollSettings, TargetState
from tui.core.sweep import SweepPlan, plan_sweep

# Planning allowance: a running pipeline's latest execution starts or ends about this often (seconds),
# each time costing one ListPipelineExecutions beyond its GetPipelineState cycle.
CHANGE_EVERY = 120.0


def swept_first(settings: PollSettings, t: TargetState, pipe: Pipe, now: float) -> bool:
    """Push mode: a pipeline the sweep reads first (a row on screen, running, or an event lately)."""
    if pipe.name in t.visible or pipe.running:
        return True
    at = t.activity.get(pipe.name)
    return at is not None and now - at <= settings.sweep_recent


def plan_for(settings: PollSettings, t: TargetState, now: float) -> SweepPlan:
    """Push mode's sweep of ``t`` as planned now (``tui.core.sweep``)."""
    assert t.push is not None
    swept = [p for p in t.pipes.values() if p.name not in t.fast]
    first = sum(1 for p in swept if swept_first(settings, t, p, now))
    return plan_sweep(len(swept), first, t.push, t.push_budget, settings.sweep_pace)


def intervals(settings: PollSettings, t: TargetState, now: float) -> Intervals:
    """Effective cadence: visible and idle stretch when the plan exceeds the budget.

    The plan counts every periodic fetch (calls per second), an allowance for the LATEST
    fetches that running pipelines' new or ended executions trigger (or what the hot set
    measurably costs, whichever is more) and what on-demand calls used lately. Capacity is the
    bucket's current, possibly throttled, rate times ``poll_share``.
    """
    s = settings
    capacity = max(0.05, t.bucket.rate * s.poll_share - t.on_demand_rate(now))
    n_hot = n_fast = n_vis = n_first = 0
    push = t.push
    fast, on_screen, activity, recent = t.fast, t.visible, t.activity, now - s.sweep_recent
    for p in t.pipes.values():
        name = p.name
        if name in fast:
            n_fast += 1
        elif push is not None:
            # Events tell: everything else is in the safety sweep (``swept_first``, inline: this
            # runs a few times a second over every pipeline).
            if name in on_screen or p.running or activity.get(name, -math.inf) >= recent:
                n_first += 1
        elif p.running:
            n_hot += 1
        elif name in on_screen:
            n_vis += 1
    n_idle = len(t.pipes) - n_hot - n_fast - n_vis
    if push is not None:
        # The safety sweep within its budget: those on screen and with recent activity first.
        plan = plan_sweep(n_idle, n_first, push, t.push_budget, s.sweep_pace)
        idle_interval, first_interval = plan.rest, plan.first
        list_interval = max(s.list_interval, plan.rest)
        list_rate = plan.list_rate
        idle = plan.rate
    else:
        idle_interval = first_interval = s.idle_interval
        list_interval = s.list_interval
        list_rate = 1.0 / list_interval
        idle = n_idle * s.sweep_pace / idle_interval
    hot = (
        n_fast * (s.rate(s.active_interval) + 1.0 / CHANGE_EVERY + 1.0 / s.visible_interval)
        + n_hot * (s.rate(s.active_interval) + 1.0 / CHANGE_EVERY + 1.0 / s.idle_interval)
        + list_rate
    )
    hot = max(hot, t.measured(now, (HOT,)))
    active = s.active_interval
    if hot > 0.8 * capacity:
        # Even the hot set does not fit: slow it too, and keep a fifth for everything else.
        active = s.active_interval * hot / (0.8 * capacity)
        hot = 0.8 * capacity
    visible = n_vis * s.rate(s.visible_interval)
    factor = vis_factor = 1.0
    spare = capacity - hot
    if visible + idle > 0 and visible + idle > spare:
        factor = vis_factor = max(0.02, spare / (visible + idle))
        if factor < 1 / s.visible_stretch_max and idle > 0:
            # Rows on screen are what the user is reading: they stretch at most this much,
            # what is off screen takes the rest of the squeeze (down to the same floor).
            vis_factor = 1 / s.visible_stretch_max
            factor = (spare - visible * vis_factor) / idle
            if factor < 0.02:
                factor = 0.02
                vis_factor = max(0.02, (spare - idle * factor) / max(visible, 1e-9))
    sweep = max(0.01, idle * factor)
    return Intervals(
        active,
        s.visible_interval / vis_factor,
        idle_interval / factor,
        factor,
        sweep,
        hot + visible * vis_factor + idle * factor,
        first_interval / factor if push is not None else None,
        list_interval,
    )

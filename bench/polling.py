"""Polling cost and freshness, on the real App with a driven clock (see ``driven.py``).

- ``views(n)``: one cold start with ``n`` pipelines (five kept running), then the pipelines list at
  120x36 in steady state: API calls per minute per operation, the average and the worst second
  against the rate budget, how long each class of pipeline (running, on screen, off screen) waits
  between refreshes, and freshness: simulated seconds from a change in the simulator to the list
  showing it; then the same with one running pipeline's screen open.
- ``naive(n)``: what tools that poll every pipeline's state and latest execution every 30 s cost,
  measured against the same simulator with a plain client.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict
from typing import Any

from common import median, percentile
from driven import EAST, SIZE, Dispatch, Harness

from tui.core.budget import TokenBucket
from tui.sim.world import operations

REFRESH_KINDS = ("latest", "state")
# Freshness probes: an execution starts on an idle pipeline on screen every ON_EVERY seconds and off
# screen every OFF_EVERY seconds (and is stopped once seen), few enough to keep about five running.
ON_EVERY, OFF_EVERY = 30.0, 60.0
TARGETS = {"running": 5.0, "watched": 5.0, "on_screen": 15.0, "off_screen": 120.0}


# --- freshness --------------------------------------------------------------------------------


class FreshnessProbe:
    """Watches chosen pipelines' truth in the simulator and what the app shows; injects changes.

    Each change is stamped at the step it happened (resolution: one 0.25 s step) with the class the
    poller had the pipeline in; it is "seen" when the list's row (status) or the store's state
    (stage statuses, which the stage column and the stage graph render) shows the new value.
    """

    def __init__(self, harness: Harness, *, on_every: float, off_every: float, seed: int = 11) -> None:
        self.h = harness
        self.rng = random.Random(seed)
        self.on_every = on_every
        self.off_every = off_every
        self.next_on = harness.t + self.rng.uniform(0, on_every)
        self.next_off = harness.t + self.rng.uniform(0, off_every)
        self.truth: dict[tuple[str, str], Any] = {}
        self.pending: dict[tuple[str, str], tuple[Any, float, str]] = {}
        self.events: list[tuple[str, str, float]] = []  # (class, what, seconds)
        self.superseded = 0
        self.probed: set[str] = set()
        self.stop_at: dict[str, float] = {}
        self.active = False

    # what to watch
    def watched_names(self) -> set[str]:
        return self.h.busy | self.probed | set(self.h.app.poller.policy._targets[EAST.key].fast)

    def _truth(self, name: str) -> dict[str, Any]:
        p = self.h.world.pipelines[name]
        latest = p.latest()
        status = (latest.id, latest.status) if latest else None
        stages = tuple(p.stage_status(s.name) for s in p.spec.stages)
        return {"status": status, "stages": stages}

    def _shown(self, name: str, what: str) -> Any:
        app = self.h.app
        if what == "status":
            row = app.store.row(EAST, name)
            screen = app.screen
            rows = getattr(screen, "_rows", None)
            if isinstance(rows, dict):  # the list's own copy: what the table was reconciled from
                row = rows.get(f"{EAST.key}/{name}", row)
            if row is None or row.latest is None:
                return None
            return (row.latest.execution_id, row.latest.status.value)
        state = app.store.state(EAST, name)
        if state is None:
            return None
        return tuple(s.latest.status.value if s.latest else None for s in state.stages)

    def _class(self, name: str) -> str:
        t = self.h.app.poller.policy._targets[EAST.key]
        pipe = t.pipes.get(name)
        if name in t.fast:
            return "watched"
        if pipe is not None and pipe.running:
            return "running"
        return "on_screen" if name in t.visible else "off_screen"

    # hooks
    def before_tick(self) -> None:
        if not self.active:
            return
        now = self.h.t
        self._inject(now)
        for name in sorted(self.watched_names()):
            truth = self._truth(name)
            for what, value in truth.items():
                key = (name, what)
                cls = self._class(name)
                # Stage changes count for pipelines the poller knows to be running (or watches);
                # for the others, the new execution's status is the change that matters.
                counted = what == "status" or cls in ("running", "watched")
                if self.truth.get(key, value) != value and counted:
                    if key in self.pending:
                        self.superseded += 1
                    self.pending[key] = (value, now, cls)
                self.truth[key] = value

    def after_settle(self) -> None:
        if not self.active:
            return
        now = self.h.t
        for key, (value, when, cls) in list(self.pending.items()):
            if self._shown(*key) == value:
                del self.pending[key]
                self.events.append((cls, key[1], now - when))
                name = key[0]
                if key[1] == "status" and name in self.probed and value[1] == "InProgress":
                    self.stop_at[name] = now + 1.0

    def _inject(self, now: float) -> None:
        world = self.h.world
        for name, when in list(self.stop_at.items()):
            if now >= when:
                del self.stop_at[name]
                latest = world.pipelines[name].latest()
                if latest is not None and not latest.final:
                    operations.stop(world, name, latest.id, True, "bench probe")
        if now >= self.next_on:
            self.next_on = now + self.on_every
            self._start_probe(on_screen=True)
        if now >= self.next_off:
            self.next_off = now + self.off_every
            self._start_probe(on_screen=False)

    def _start_probe(self, *, on_screen: bool) -> None:
        t = self.h.app.poller.policy._targets[EAST.key]
        world = self.h.world
        candidates = sorted(
            name
            for name, pipe in t.pipes.items()
            if (name in t.visible) == on_screen
            and name not in self.probed
            and name not in self.h.busy
            and not pipe.running
            and (e := world.pipelines[name].latest()) is not None
            and e.final
        )
        if not candidates:
            return
        name = self.rng.choice(candidates)
        self.probed.add(name)
        self.truth[(name, "status")] = self._truth(name)["status"]
        operations.start(world, name, {}, {}, None, "bench probe")

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        groups: dict[str, list[float]] = defaultdict(list)
        for cls, what, seconds in self.events:
            groups[f"{cls}_{what}"].append(seconds)
        for name, values in sorted(groups.items()):
            cls = name.rsplit("_", 1)[0]
            out[name] = {
                "changes": len(values),
                "p50_s": round(percentile(values, 50), 2),
                "p95_s": round(percentile(values, 95), 2),
                "max_s": round(max(values), 2),
                "target_s": TARGETS.get(cls),
            }
        out["not_seen_by_end"] = len(self.pending)
        out["superseded_before_seen"] = self.superseded
        return out


# --- rates and gaps ---------------------------------------------------------------------------


def rate_figures(
    dispatches: list[Dispatch], start: float, end: float, tps: float, burst: float
) -> dict[str, Any]:
    """Calls per minute per operation, average calls/s, the worst second, bucket conformance."""
    window = [d for d in dispatches if start <= d.at < end]
    span = end - start
    per_op = Counter(d.operation for d in window)
    per_class = Counter(d.cls for d in window)
    times = [d.at for d in window]
    worst = 0
    for t in sorted(set(times)):
        worst = max(worst, sum(1 for x in times if t <= x < t + 1.0))
    bucket = TokenBucket(tps, burst, start - 1000.0)  # starts full
    conforms = all(bucket.try_take(x) for x in sorted(times))
    return {
        "calls_per_min": {op: round(n * 60 / span, 1) for op, n in sorted(per_op.items())},
        "calls_per_min_by_class": {c: round(n * 60 / span, 1) for c, n in sorted(per_class.items())},
        "calls_per_s": round(len(window) / span, 3),
        "max_calls_in_any_second": worst,
        "conforms_to_budget": conforms,
    }


def gap_figures(
    dispatches: list[Dispatch], start: float, end: float, current: dict[str, str] | None = None
) -> dict[str, Any]:
    """Seconds between refreshes (LATEST or STATE) of each pipeline, by its class when refreshed;
    ``current`` is each pipeline's class at ``end`` (for the gap still open then)."""
    current = current or {}
    by_name: dict[str, list[Dispatch]] = defaultdict(list)
    for d in dispatches:
        if d.name is not None and d.kind in REFRESH_KINDS:
            by_name[d.name].append(d)
    gaps: dict[str, list[float]] = defaultdict(list)
    for name, items in by_name.items():
        ordered = sorted({d.at: d for d in items}.values(), key=lambda d: d.at)
        times: list[Dispatch | None] = [*ordered, None]
        for a, b in itertools.pairwise(times):
            assert a is not None
            until = b.at if b is not None else end
            # A gap counts for a class when the pipeline was in it at both ends (rows re-sort, and
            # pipelines start and stop running: such a gap belongs to no class).
            same = (b.cls if b is not None else current.get(name, a.cls)) == a.cls
            if until > start and a.at < end and same:
                gaps[a.cls].append(until - a.at)
    return {
        cls: {"p50_s": round(percentile(v, 50), 1), "max_s": round(max(v), 1), "target_s": TARGETS.get(cls)}
        for cls, v in sorted(gaps.items())
        if cls in TARGETS
    }


# --- the runs ---------------------------------------------------------------------------------


async def _warm(h: Harness, pilot: Any, settle: float) -> float:
    first_load = await h.run_until(pilot, h.all_loaded, limit=900.0)
    await h.run_for(pilot, settle)
    return first_load


def _common(h: Harness, start: float, window: float, calls_before: Counter[str]) -> dict[str, Any]:
    s = h.app.poller.policy.settings
    end = start + window
    served = h.calls() - calls_before
    return {
        "window_s": window,
        **rate_figures(h.dispatches, start, end, s.tps, s.burst),
        "served_per_min": {op: round(c * 60 / window, 1) for op, c in sorted(served.items())},
        "refresh_gaps": gap_figures(h.dispatches, start, end, h.classes()),
    }


async def measure_list(h: Harness, pilot: Any, window: float) -> dict[str, Any]:
    """The list at 120x36 for ``window`` simulated seconds, with freshness probes."""
    probe = FreshnessProbe(h, on_every=ON_EVERY, off_every=OFF_EVERY)
    h.on_step.append(probe.before_tick)
    h.after_step.append(probe.after_settle)
    probe.active = True
    probe.before_tick()  # the truth before the window starts
    start, calls_before = h.t, h.calls()
    running: list[int] = []
    while h.t < start + window - 1e-9:
        await h.step(pilot)
        if int(h.t * 4) % 40 == 0:
            running.append(h.running_now())
    probe.active = False
    for hooks, hook in ((h.on_step, probe.before_tick), (h.after_step, probe.after_settle)):
        hooks.remove(hook)
    iv = h.app.poller.policy.intervals(EAST.key, h.monotonic())
    s = h.app.poller.policy.settings
    return {
        "rows_on_screen": len(h.visible()),
        "running_mean": round(sum(running) / max(1, len(running)), 1),
        **_common(h, start, window, calls_before),
        "intervals_now": {
            "active_s": round(iv.active, 1),
            "on_screen_s": round(iv.visible, 1),
            "off_screen_s": round(iv.idle, 1),
            "stretch": round(1 / iv.factor, 2),
        },
        "budget": {"tps": s.tps, "burst": s.burst},
        "freshness": probe.summary(),
    }


async def measure_pipeline(h: Harness, pilot: Any, window: float) -> dict[str, Any]:
    """One running pipeline's screen open over the list for ``window`` simulated seconds."""
    from tui.ui.screens.pipeline import PipelineScreen

    name = sorted(h.busy)[0]
    await h.app.push_screen(PipelineScreen(EAST, name))
    await h.run_for(pilot, 10.0)  # the screen's own first reads
    probe = FreshnessProbe(h, on_every=1e9, off_every=1e9)
    h.on_step.append(probe.before_tick)
    h.after_step.append(probe.after_settle)
    probe.active = True
    probe.before_tick()
    start, calls_before = h.t, h.calls()
    await h.run_for(pilot, window)
    freshness = {k: v for k, v in probe.summary().items() if k.startswith(("watched", "running"))}
    return {"watched": name, **_common(h, start, window, calls_before), "freshness": freshness}


async def views(
    n: int,
    *,
    settle: float,
    list_window: float,
    pipeline_window: float,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One cold start with ``n`` pipelines (``first_load_s``: until every row has its status),
    then the list's and a pipeline screen's steady state."""
    h = await Harness.create(n, settings=settings)
    try:
        async with h.app.run_test(size=SIZE) as pilot:
            first_load = await _warm(h, pilot, settle)
            result: dict[str, Any] = {"pipelines": n, "first_load_s": round(first_load, 1)}
            result["list_view"] = await measure_list(h, pilot, list_window)
            if pipeline_window > 0:
                result["pipeline_view"] = await measure_pipeline(h, pilot, pipeline_window)
    finally:
        await h.close()
    return result


async def naive(n: int, cycles: int = 2, every: float = 30.0) -> dict[str, Any]:
    """Every pipeline's state and latest execution every ``every`` seconds, counted at the simulator."""
    from aiobotocore.session import get_session
    from botocore.config import Config as BotoConfig

    from tui.sim import ManualClock, Simulator

    sim = Simulator(scenario="scale", seed=7, clock=ManualClock(), pipelines=n)
    await sim.start()
    try:
        async with get_session().create_client(
            "codepipeline",
            endpoint_url=sim.url,
            region_name="us-east-1",
            aws_access_key_id="AKID123456789012",
            aws_secret_access_key="bench",
            config=BotoConfig(retries={"mode": "standard", "total_max_attempts": 1}),
        ) as client:
            for _ in range(cycles):
                names = [
                    p["name"]
                    async for page in client.get_paginator("list_pipelines").paginate()
                    for p in page["pipelines"]
                ]
                for name in names:
                    await client.get_pipeline_state(name=name)
                    await client.list_pipeline_executions(pipelineName=name, maxResults=1)
                sim.clock.advance(every)  # type: ignore[attr-defined]
        calls = Counter(sim.calls)
    finally:
        await sim.stop()
    span = cycles * every
    total = sum(calls.values())
    return {
        "pipelines": n,
        "calls_per_min": {op: round(c * 60 / span, 1) for op, c in sorted(calls.items())},
        "calls_per_s": round(total / span, 2),
        "refresh_every_s": every,
    }


def ratio(naive_result: dict[str, Any], ours: dict[str, Any]) -> float:
    return round(float(naive_result["calls_per_s"]) / max(1e-9, float(ours["calls_per_s"])), 1)


__all__ = ["median", "naive", "ratio", "views"]

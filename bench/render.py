"""Render cost with many pipelines, measured inside the real App (headless, 120x36).

A frame counts when the compositor's update has been turned into terminal bytes (the headless driver
skips that step, so the bench does it, as ``logs_bench.py`` does). Measured, in milliseconds:

- ``poll_to_frame``: a poll result that changes 10 rows, from the store write to the next frame;
  twice: 10 pipelines that start an execution (their rows jump to the top: a re-sort) and 10 rows
  on screen whose status changes in place. ``store_to_table`` is the reconcile alone.
- ``stage_graph``: one stage's state changes on the open pipeline screen: the graph's own update,
  the screen's whole re-render from the store, and the time to the next frame.
- ``keypress``: key-to-frame latency on the list (cursor and page keys) while the poller runs in real
  time and a 10-row change lands every second; with Python's default collector and after
  ``gc.freeze()``.
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from common import median, percentile
from driven import EAST, SIZE, Harness
from textual import events

from tui.core.model import ExecutionRef, ExecutionSummary, Status
from tui.core.store import StoreChange
from tui.sim.world import operations


class GcPauses:
    """Durations of the cyclic collector's runs, by generation (gc.callbacks)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._began = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.pauses.append((info["generation"], (time.perf_counter() - self._began) * 1000))

    def take(self) -> dict[str, Any]:
        """Full (generation 2) collections since the last ``take``: how many, the longest pause."""
        full = [ms for gen, ms in self.pauses if gen == 2]
        self.pauses.clear()
        return {"full_collections": len(full), "longest_full_ms": round(max(full), 1) if full else 0.0}

    def close(self) -> None:
        gc.callbacks.remove(self._callback)


class Frames:
    """Times (perf_counter) at which frames were written; ``wait_after(t)`` awaits the first one."""

    def __init__(self, app: Any) -> None:
        from textual.screen import Screen

        self.app = app
        self.times: list[float] = []
        self.work: dict[float, float] = {}  # frame end -> ms from the compositor refresh's start
        self._refresh_began = 0.0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None and hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)
                now = time.perf_counter()
                self.times.append(now)
                self.work[now] = (now - self._refresh_began) * 1000

        app._display = display
        refresh = Screen._compositor_refresh

        def timed_refresh(screen: Any) -> None:
            self._refresh_began = time.perf_counter()
            refresh(screen)

        self._refresh = refresh
        Screen._compositor_refresh = timed_refresh  # type: ignore[method-assign,assignment]

    def close(self) -> None:
        from textual.screen import Screen

        Screen._compositor_refresh = self._refresh  # type: ignore[method-assign]

    def last_work(self, began: float) -> float:
        """Milliseconds the first frame after ``began`` took to compose and write."""
        end = next(t for t in self.times if t >= began)
        return self.work[end]

    async def wait_after(self, began: float, timeout: float = 5.0) -> float:
        """Milliseconds from ``began`` to the end of the first frame written after it."""
        deadline = time.perf_counter() + timeout
        seen = 0
        while time.perf_counter() < deadline:
            for t in self.times[seen:]:
                if t >= began:
                    return (t - began) * 1000
            seen = len(self.times)
            await asyncio.sleep(0.0005)
        raise TimeoutError("no frame")


def timed(record: list[float], fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            record.append((time.perf_counter() - began) * 1000)

    return wrapper


def stats(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(median(values), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "max_ms": round(max(values), 2) if values else 0.0,
        "n": len(values),
    }


def _publish(h: Harness, changes: list[StoreChange]) -> None:
    """What the poll controller does with a burst of results: merge, publish once."""
    for change in changes:
        h.app.poller._emit(change)


def start_executions(h: Harness, names: list[str], tag: str) -> list[StoreChange]:
    """Store writes for ``names`` each starting a new execution now (as a poll would write them)."""
    now = h.app.now()
    out = []
    for name in names:
        summary = ExecutionSummary(name, f"bench-{tag}-{name}", Status.IN_PROGRESS, now, now)
        out.append(h.app.store.set_latest(EAST, name, summary))
    return out


def flip_in_place(h: Harness, names: list[str]) -> list[StoreChange]:
    """The rows' status changes, same execution and times: nothing moves."""
    out = []
    for name in names:
        latest = h.app.store.latest_execution(EAST, name)
        if latest is None:
            continue
        status = Status.SUCCEEDED if latest.status is not Status.SUCCEEDED else Status.FAILED
        out.append(h.app.store.set_latest(EAST, name, replace(latest, status=status)))
    return out


async def poll_to_frame(h: Harness, pilot: Any, frames: Frames, rounds: int) -> dict[str, Any]:
    from tui.ui.screens.pipelines import PipelinesScreen

    screen = h.app.screen
    assert isinstance(screen, PipelinesScreen)
    reconcile: list[float] = []
    screen.reconcile = timed(reconcile, screen.reconcile)  # type: ignore[method-assign]
    rng = random.Random(5)
    names = sorted(r.name for r in h.app.store.rows())
    moved: list[float] = []
    moved_work: list[float] = []
    for i in range(rounds):
        await pilot.pause()
        began = time.perf_counter()
        _publish(h, start_executions(h, rng.sample(names, 10), str(i)))
        moved.append(await frames.wait_after(began))
        moved_work.append(frames.last_work(began))
    moved_reconcile = list(reconcile)
    reconcile.clear()
    in_place: list[float] = []
    in_place_work: list[float] = []
    for _ in range(rounds):
        await pilot.pause()
        on_screen = [screen._rows[k].name for k in screen._visible_keys()[:10] if k in screen._rows]
        began = time.perf_counter()
        _publish(h, flip_in_place(h, on_screen))
        in_place.append(await frames.wait_after(began))
        in_place_work.append(frames.last_work(began))
    del screen.reconcile
    return {
        "rows_jump_to_top": {
            **stats(moved),
            "store_to_table": stats(moved_reconcile),
            "frame_work": stats(moved_work),
        },
        "rows_change_in_place": {
            **stats(in_place),
            "store_to_table": stats(reconcile),
            "frame_work": stats(in_place_work),
        },
    }


async def stage_graph(h: Harness, pilot: Any, frames: Frames, rounds: int) -> dict[str, Any]:
    from tui.ui.screens.pipeline import PipelineScreen

    name = sorted(h.busy)[0]
    screen = PipelineScreen(EAST, name)
    await h.app.push_screen(screen)
    for _ in range(40):
        await pilot.pause()
        if screen.graph.selected_stage is not None:
            break
    graph_times: list[float] = []
    screen_times: list[float] = []
    screen.graph.update = timed(graph_times, screen.graph.update)  # type: ignore[method-assign]
    screen.render_from_store = timed(screen_times, screen.render_from_store)  # type: ignore[method-assign]
    graph_times.clear()
    to_frame: list[float] = []
    work: list[float] = []
    for i in range(rounds):
        await pilot.pause()
        state = h.app.store.state(EAST, name)
        assert state is not None
        stage = state.stages[i % len(state.stages)]
        eid = stage.latest.execution_id if stage.latest else "bench"
        status = Status.SUCCEEDED if stage.status is not Status.SUCCEEDED else Status.IN_PROGRESS
        stages = tuple(
            replace(s, latest=ExecutionRef(eid, status)) if s.name == stage.name else s for s in state.stages
        )
        began = time.perf_counter()
        _publish(h, [h.app.store.set_state(EAST, name, replace(state, stages=stages))])
        to_frame.append(await frames.wait_after(began))
        work.append(frames.last_work(began))
    h.app.pop_screen()
    await pilot.pause()
    return {
        "graph_update": stats(graph_times),
        "screen_render_from_store": stats(screen_times),
        "store_to_frame": stats(to_frame),
        "frame_work": stats(work),
    }


async def keypress(
    h: Harness, pilot: Any, frames: Frames, presses: int, *, freeze: bool, via_events: bool = False
) -> dict[str, Any]:
    """Key-to-frame on the list while polling runs in real time and rows change every second.
    ``via_events``: the changes happen in the simulated world instead, and reach the app as events
    (EventBridge -> SQS, received by the app's long poll) with their confirming reads."""
    if freeze:
        gc.freeze()
    pauses = GcPauses()
    stop = asyncio.Event()
    names = sorted(r.name for r in h.app.store.rows())
    rng = random.Random(9)

    async def background() -> None:
        n = 0
        last_change = time.perf_counter()
        while not stop.is_set():
            h.clock.advance(0.25)
            h.app.poller.tick()
            if time.perf_counter() - last_change >= 1.0:
                last_change = time.perf_counter()
                n += 1
                if via_events:
                    world = h.world
                    with h.sim.engine.lock:
                        for name in rng.sample(names, 10):
                            latest = world.pipelines[name].latest()
                            if latest is not None and not latest.final:
                                operations.stop(world, name, latest.id, True, "bench: keys")
                            else:
                                operations.start(world, name, {}, {}, None, "bench: keys")
                else:
                    _publish(h, start_executions(h, rng.sample(names, 10), f"k{n}"))
            await asyncio.sleep(0.25)

    task = asyncio.create_task(background())
    # Every key moves the cursor (home and end move only the viewport in a DataTable).
    keys = ["down", "down", "down", "up", "pagedown", "pageup", "down", "up"]
    from textual.widgets import DataTable

    table = h.app.screen.query_one("#pipelines-table", DataTable)
    table.focus()
    moved = 0
    latencies: list[float] = []
    try:
        await asyncio.sleep(0.5)
        for n in range(presses):
            key = keys[n % len(keys)]
            await asyncio.sleep(0.05 + random.Random(n).random() * 0.05)
            row = table.cursor_row
            posted = time.perf_counter()
            h.app.post_message(events.Key(key, None))
            latencies.append(await frames.wait_after(posted))
            moved += table.cursor_row != row
    finally:
        stop.set()
        await task
        natural = pauses.take()
        # A few seconds of presses may see no full collection: force one to show what it costs.
        gc.collect()
        forced = pauses.take()
        pauses.close()
        if freeze:
            gc.unfreeze()
    return {
        **stats(latencies),
        "cursor_moved": moved,
        "full_gc_during_presses": natural["full_collections"],
        "full_gc_pause_ms": forced["longest_full_ms"],
        "objects_tracked_by_gc": len(gc.get_objects()),
    }


async def run(pipelines: int = 1000, rounds: int = 30, presses: int = 60) -> dict[str, Any]:
    h = await Harness.create(pipelines, tps=1000.0)
    try:
        async with h.app.run_test(size=SIZE) as pilot:
            loaded = await h.run_until(pilot, h.all_loaded, limit=900.0)
            h.app.poller.stop()  # the figures below drive changes themselves
            frames = Frames(h.app)
            await pilot.pause()
            result: dict[str, Any] = {"pipelines": pipelines, "load_s_simulated": round(loaded, 1)}
            result["poll_to_frame"] = await poll_to_frame(h, pilot, frames, rounds)
            result["stage_graph"] = await stage_graph(h, pilot, frames, rounds)
            h.default_budget()
            h.app.poller.start()
            result["keypress_while_polling"] = await keypress(h, pilot, frames, presses, freeze=False)
            # What the app does in a terminal once every row is loaded (tui/app/gc_freeze.py).
            result["keypress_while_polling_gc_frozen"] = await keypress(
                h, pilot, frames, presses, freeze=True
            )
            h.app.poller.stop()
            frames.close()
    finally:
        await h.close()
    return result


async def run_events(pipelines: int = 1000, presses: int = 60) -> dict[str, Any]:
    """Key-to-frame at ``pipelines`` in push mode: ten pipelines start or stop every second in the
    simulated world and reach the list as events (and their confirming reads)."""
    h = await Harness.create(pipelines, tps=1000.0, events=True, faults="events-delay=200-1000ms")
    try:
        async with h.app.run_test(size=SIZE) as pilot:
            loaded = await h.run_until(pilot, h.all_loaded, limit=900.0)
            await h.run_until(
                pilot, lambda: h.app.store.freshness(EAST).mode.startswith("live · events"), limit=60.0
            )
            h.default_budget()
            frames = Frames(h.app)
            await pilot.pause()
            applied = h.app.event_feed.events_applied
            result: dict[str, Any] = {"pipelines": pipelines, "load_s_simulated": round(loaded, 1)}
            result["keypress_while_events"] = await keypress(
                h, pilot, frames, presses, freeze=False, via_events=True
            )
            result["keypress_while_events_gc_frozen"] = await keypress(
                h, pilot, frames, presses, freeze=True, via_events=True
            )
            result["events_applied_while_pressing"] = h.app.event_feed.events_applied - applied
            frames.close()
    finally:
        await h.close()
    return result


async def run_polling_keys(pipelines: int = 1000, presses: int = 60) -> dict[str, Any]:
    """Key-to-frame at ``pipelines`` while polling (``run`` without the render figures)."""
    h = await Harness.create(pipelines, tps=1000.0)
    try:
        async with h.app.run_test(size=SIZE) as pilot:
            loaded = await h.run_until(pilot, h.all_loaded, limit=900.0)
            h.app.poller.stop()
            frames = Frames(h.app)
            await pilot.pause()
            h.default_budget()
            h.app.poller.start()
            result: dict[str, Any] = {"pipelines": pipelines, "load_s_simulated": round(loaded, 1)}
            result["keypress_while_polling"] = await keypress(h, pilot, frames, presses, freeze=False)
            frozen = await keypress(h, pilot, frames, presses, freeze=True)
            result["keypress_while_polling_gc_frozen"] = frozen
            h.app.poller.stop()
            frames.close()
    finally:
        await h.close()
    return result

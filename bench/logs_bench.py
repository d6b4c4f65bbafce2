"""Benchmarks of the CodeBuild log view, run under Textual's pilot; prints one JSON object.

- ``ingest``: lines per second handed to ``LogView.append`` in GetLogEvents-sized batches (following,
  as when a backlog loads), with and without one full frame rendered per batch.
- ``keypress``: key-to-frame latency (p50 / p95, ms) while the view tails 2,000 lines a second in
  per-frame batches (as ``LogScreen`` flushes them). A frame is the compositor's update being
  serialised to terminal bytes (the headless driver would otherwise skip that work). Measured twice:
  with Python's default garbage collector, and with ``gc.freeze()`` after mount (full collections of
  a Textual app's start-up objects are the long tail of this latency).
- ``rss``: peak resident memory after one million lines with the default cap (200,000 lines),
  measured in a fresh process so that the other measurements do not count.

Usage: ``python bench/logs_bench.py [--lines N] [--presses N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding

from tui.core.logbuffer import DEFAULT_MAX_LINES
from tui.ui.widgets.log_view import LogView

SIZE = (120, 36)
T0 = 1_795_683_600_000
GREEN, RED, RESET = "\x1b[32m", "\x1b[31m", "\x1b[0m"


def make_lines(start: int, count: int) -> tuple[list[str], list[int]]:
    """Distinct, build-like lines (about 1 in 8 coloured), with millisecond timestamps."""
    lines: list[str] = []
    for i in range(start, start + count):
        kind = i % 8
        if kind == 0:
            line = f"tests/test_api.py::test_case_{i} {GREEN}PASSED{RESET} [{i % 100:3d}%]"
        elif kind == 1:
            clock = f"{(i // 60000) % 60:02d}:{(i // 1000) % 60:02d}.{i % 1000:03d}000"
            line = f"[Container] 2026/11/26 09:{clock} Running command step {i}"
        else:
            line = (
                f"[train] epoch {i // 5000 + 1:>3} step {i % 5000 + 1:>5}/5000 "
                f"loss={2.5 / (1 + i / 4000):.4f} lr=3.0e-04 tokens/s={18000 + i % 900}"
            )
        lines.append(line)
    return lines, [T0 + i for i in range(start, start + count)]


class BenchApp(App[None]):
    """The log view alone, with the log screen's toggles."""

    BINDINGS = [Binding("T", "timestamps", "Timestamps"), Binding("w", "wrap", "Wrap")]

    def __init__(self, **options: Any) -> None:
        super().__init__()
        self.view = LogView(**options)
        # Each frame: (when it began (the compositor refresh), when its terminal output was ready).
        self.frames: list[tuple[float, float]] = []
        self.keys_handled: list[float] = []  # when each key's bindings had run
        self.refresh_began = 0.0

    async def on_event(self, event: events.Event) -> None:
        await super().on_event(event)
        if isinstance(event, events.Key) and event.is_forwarded:
            # The key came back up from the focused view: the bindings (the view's and ours) have run.
            self.keys_handled.append(time.perf_counter())

    def compose(self) -> ComposeResult:
        yield self.view

    def on_mount(self) -> None:
        self.view.focus()

    def action_timestamps(self) -> None:
        self.view.show_timestamps = not self.view.show_timestamps

    def action_wrap(self) -> None:
        self.view.wrap = not self.view.wrap


def record_frames(app: BenchApp) -> None:
    """Count a frame when the compositor's update has been turned into terminal output."""
    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        original(screen, renderable)
        if renderable is not None and hasattr(renderable, "render_segments"):
            renderable.render_segments(app.console)
            app.frames.append((app.refresh_began, time.perf_counter()))

    app._display = display  # type: ignore[method-assign]


def time_renders(app: BenchApp) -> list[float]:
    """Record how long each compositor refresh (render + display) takes, in ms."""
    screen = app.screen
    original = screen._compositor_refresh
    times: list[float] = []

    def timed() -> None:
        began = app.refresh_began = time.perf_counter()
        original()
        times.append((time.perf_counter() - began) * 1000)

    screen._compositor_refresh = timed  # type: ignore[method-assign]
    return times


def render_frame(app: BenchApp) -> None:
    app.screen._compositor.render_update(full=True)


async def bench_ingest(total: int, batch: int) -> dict[str, float]:
    app = BenchApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        batches = [make_lines(start, batch) for start in range(0, total, batch)]
        began = time.perf_counter()
        for lines, stamps in batches:
            app.view.append(lines, stamps)
        plain = time.perf_counter() - began
        app.view.clear()
        batches = [make_lines(total + start, batch) for start in range(0, total, batch)]
        began = time.perf_counter()
        for lines, stamps in batches:
            app.view.append(lines, stamps)
            render_frame(app)
        rendered = time.perf_counter() - began
    return {
        "ingest_lines_per_s": round(total / plain),
        "ingest_with_frame_per_batch_lines_per_s": round(total / rendered),
        "ingest_batch_lines": batch,
        "ingest_total_lines": total,
    }


async def bench_keypress(presses: int, rate: int, *, freeze: bool = False) -> dict[str, Any]:
    app = BenchApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if freeze:
            # What an app can do once it is up: move its start-up objects out of the collector's
            # way, so full collections (tens of ms in a Textual app) scan only what came after.
            gc.collect()
            gc.freeze()
        record_frames(app)
        render_times = time_renders(app)
        view = app.view
        fed = 0
        start = time.perf_counter()

        def feed() -> None:
            nonlocal fed
            due = int((time.perf_counter() - start) * rate)
            if due > fed:
                lines, stamps = make_lines(fed, due - fed)
                view.append(lines, stamps)
                fed = due

        app.set_interval(1 / 30, feed)
        await asyncio.sleep(1.0)  # warm up: the view fills and follows
        # Every key changes what is on screen (an "end" while already following would not).
        keys = ["up", "up", "down", "pageup", "end", "T", "T", "w", "w", "up", "end"]
        latencies: list[float] = []
        by_key: dict[str, list[float]] = {}
        for n in range(presses):
            key = keys[n % len(keys)]
            char = key if len(key) == 1 else None
            frames_before, keys_before = len(app.frames), len(app.keys_handled)
            posted = time.perf_counter()
            app.post_message(events.Key(key, char))
            # The first frame that began after the key was handled shows its effect. (A frame that
            # was already due when the key was posted can be drawn before the key is handled; it
            # does not show the key, so it is not the key's frame.)
            frame: float | None = None
            while frame is None:
                await asyncio.sleep(0.001)
                if len(app.keys_handled) > keys_before:
                    handled = app.keys_handled[keys_before]
                    frame = next((end for began, end in app.frames[frames_before:] if began >= handled), None)
            latencies.append((frame - posted) * 1000)
            by_key.setdefault(key, []).append((frame - posted) * 1000)
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - start
    if freeze:
        gc.unfreeze()
    latencies.sort()
    render_times.sort()
    return {
        "frame_render_ms": {
            "p50": round(statistics.median(render_times), 2),
            "p95": round(render_times[int(0.95 * (len(render_times) - 1))], 2),
        },
        "keypress_to_frame_ms": {
            "p50": round(statistics.median(latencies), 2),
            "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
            "max": round(latencies[-1], 2),
            "presses": len(latencies),
        },
        "tailing_lines_per_s": round(fed / elapsed),
        "keypress_p95_ms_by_key": {
            k: round(sorted(v)[int(0.95 * (len(v) - 1))], 2) for k, v in sorted(by_key.items())
        },
    }


def peak_rss_mb() -> float:
    """This process image's peak RSS: VmHWM (reset by exec, unlike ru_maxrss, which a child inherits)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def rss_child(total: int, batch: int) -> dict[str, float]:
    app = BenchApp(max_lines=DEFAULT_MAX_LINES)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        baseline = peak_rss_mb()
        for start in range(0, total, batch):
            lines, stamps = make_lines(start, batch)
            app.view.append(lines, stamps)
            render_frame(app)
        await pilot.pause()
        held = app.view.line_count
        dropped = app.view.dropped
    peak = peak_rss_mb()
    return {
        "rss_peak_mb": round(peak, 1),
        "rss_baseline_mb": round(baseline, 1),
        "rss_lines_appended": total,
        "rss_lines_held": held,
        "rss_lines_dropped": dropped,
    }


def child_json(arguments: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run this script in a fresh process (its own peak RSS, its own Textual settings)."""
    child = subprocess.run(
        [sys.executable, __file__, *arguments],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="lines for the RSS run")
    parser.add_argument("--ingest", type=int, default=400_000, help="lines for the ingest run")
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--rss-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--keypress-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        print(json.dumps(asyncio.run(rss_child(args.lines, 10_000))))
        return
    if args.keypress_child:
        print(json.dumps(asyncio.run(bench_keypress(args.presses, 2_000))))
        return
    result: dict[str, Any] = {}
    result.update(asyncio.run(bench_ingest(args.ingest, 10_000)))
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    result["tailing_default_gc"] = asyncio.run(bench_keypress(args.presses, 2_000))
    result["tailing_gc_frozen_after_mount"] = asyncio.run(bench_keypress(args.presses, 2_000, freeze=True))
    # Textual repaints on a fixed 60 Hz grid (TEXTUAL_FPS), so half a period is spent waiting on
    # average; the same run at 120 Hz shows how much of the latency that is.
    result["tailing_textual_fps_120"] = child_json(
        ["--keypress-child", "--presses", str(args.presses)], {"TEXTUAL_FPS": "120"}
    )
    result.update(child_json(["--rss-child", "--lines", str(args.lines)]))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

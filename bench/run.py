"""cptui's benchmarks: prints one JSON object of figures, each beside its target.

    python bench/run.py [--quick] [--table] [--only cold_start,polling,...]

Everything runs against the embedded simulator on loopback. ``--quick`` repeats less and measures
shorter windows (under two minutes); the full run takes a few minutes on two cores. Results are also
written to ``bench/results/latest.json`` and, as a markdown table for the README, ``latest.md``.

- cold_start (startup.py): ``cptui`` in a pseudo-terminal, to the first live rows, beside a loop of
  ``aws codepipeline get-pipeline-state`` processes over the same 50 pipelines;
- polling and freshness (polling.py): the real app on a driven clock, steady state at 50, 200 and
  1,000 pipelines, the list and a pipeline screen, beside the naive every-30-seconds strategy;
- throttling (throttle.py): real time against a simulator enforcing a 10 calls/s quota;
- render (render.py): poll-to-frame, stage graph and key-to-frame with 1,000 pipelines;
- logs (logs_bench.py): ingest rate, key-to-frame while tailing, peak RSS after a million lines.

Not tests: nothing here asserts a time (tests/test_bench_smoke.py keeps the code from rotting).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine
from report import markdown, targets

RESULTS = Path(__file__).resolve().parent / "results"
FIGURES = ("cold_start", "polling", "throttling", "render", "logs", "insights")


def cold_start(quick: bool) -> dict[str, Any]:
    import startup

    if quick:
        return startup.run(pipelines=50, repeats=3, cli_calls=8, last=None)
    return startup.run(pipelines=50, repeats=5, cli_calls=None, last="live_all")


def polling(quick: bool) -> dict[str, Any]:
    import polling as p

    # (settle, list window, pipeline-screen window) in simulated seconds
    sizes = {50: (60.0, 300.0, 120.0), 200: (60.0, 420.0, 150.0), 1000: (60.0, 240.0, 90.0)}
    if quick:
        sizes = {50: (15.0, 60.0, 30.0), 200: (15.0, 120.0, 30.0)}
    out: dict[str, Any] = {"deterministic": "driven clock and seeded simulator: one run per size"}
    for n, (settle, list_window, pipeline_window) in sizes.items():
        result = asyncio.run(
            p.views(n, settle=settle, list_window=list_window, pipeline_window=pipeline_window)
        )
        naive = asyncio.run(p.naive(n))
        result["naive"] = naive
        result["naive_over_cptui_list"] = p.ratio(naive, result["list_view"])
        out[str(n)] = result
    if quick:
        out["1000"] = {"skipped": "quick mode"}
    return out


def throttling(quick: bool) -> dict[str, Any]:
    import throttle

    seconds = 12.0 if quick else 120.0
    out = {"quota_10": asyncio.run(throttle.run(pipelines=200, seconds=seconds, quota=10))}
    if not quick:
        # Beyond the target: a quota below cptui's own budget, to show how it backs off.
        out["quota_3"] = asyncio.run(throttle.run(pipelines=200, seconds=20.0, quota=3))
    return out


def render(quick: bool) -> dict[str, Any]:
    import render as r

    if quick:
        return asyncio.run(r.run(1000, rounds=8, presses=16))
    return asyncio.run(r.run(1000, rounds=30, presses=80))


def logs(quick: bool) -> dict[str, Any]:
    import logs_bench as lb

    presses = 60 if quick else 120
    result: dict[str, Any] = dict(asyncio.run(lb.bench_ingest(200_000 if quick else 400_000, 10_000)))
    result["tailing_default_gc"] = asyncio.run(lb.bench_keypress(presses, 2_000))
    result["tailing_gc_frozen_after_mount"] = asyncio.run(lb.bench_keypress(presses, 2_000, freeze=True))
    if not quick:
        result["tailing_textual_fps_120"] = lb.child_json(
            ["--keypress-child", "--presses", str(presses)], {"TEXTUAL_FPS": "120"}
        )
    result.update(lb.child_json(["--rss-child", "--lines", "1000000"]))
    return result


RUNNERS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "cold_start": cold_start,
    "polling": polling,
    "throttling": throttling,
    "render": render,
    "logs": logs,
    "insights": lambda quick: asyncio.run(
        __import__("insights").run(pipelines=1000, seconds=15.0 if quick else 60.0)
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter windows")
    parser.add_argument("--table", action="store_true", help="also print a readable table")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(FIGURES)}")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = parser.parse_args(argv)
    chosen = [f.strip() for f in args.only.split(",")] if args.only else list(FIGURES)
    unknown = [f for f in chosen if f not in RUNNERS]
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(unknown)}")
    began = time.monotonic()
    result: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    for name in chosen:
        figure_began = time.monotonic()
        print(f"bench: {name}…", file=sys.stderr, flush=True)
        result[name] = RUNNERS[name](args.quick)
        result[name]["bench_seconds"] = round(time.monotonic() - figure_began, 1)
    result["targets"] = targets(result)
    result["bench_seconds"] = round(time.monotonic() - began, 1)
    result["machine"]["load_average_1m_at_end"] = machine()["load_average_1m"]
    table = markdown(result)
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "latest.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        (RESULTS / "latest.md").write_text(table, encoding="utf-8")
    print(json.dumps(result))
    if args.table:
        print(table, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

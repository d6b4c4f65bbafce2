"""cptui's benchmarks, side by side in one run: a table of every figure beside its goal, MET or MISSED.

    python bench/run.py [--quick] [--only cold_start,push,stalls,logs] [--json]

Everything runs against the embedded simulator on loopback. The default run is issue 12's section 3
and takes under ten minutes on two cores; ``--quick`` repeats less and measures shorter windows
(about two minutes, for development). It prints a markdown block ready to paste into the README's
Performance section (and the figures as JSON with ``--json``); both are also written to
``bench/results/latest.md`` and ``latest.json``.

- cold_start (startup.py): ``cptui`` in a pseudo-terminal at 120x40 with 50 pipelines, its screen
  read as a terminal shows it (pyte) and by the app's own probe: first frame, first cached rows (a
  warm start), every row on screen live; with no quota and under the simulator's ``tps=10``; beside
  the AWS CLI reading the same rows one ``aws codepipeline get-pipeline-state`` process at a time;
- push (push.py): 200 and 1,000 pipelines, polling against events (EventBridge -> SQS): CodePipeline
  calls/s idle and with five running, change -> screen for running, on-screen and off-screen
  pipelines; with 1% of the events lost, the longest a row stayed wrong (a simulated clock);
- stalls (render.py, logs_bench.py): key -> frame at 1,000 pipelines while polling and while events
  arrive (the collector as the app leaves it, gc-frozen, and with default gc), and while tailing
  2,000 log lines/s.

Older figures stay available with ``--only``: polling (steady-state cost at 50-1,000 pipelines beside
a naive strategy), throttling (a 10 calls/s quota for two minutes), render (poll -> frame, stage
graph), logs_full (ingest rate, RSS after a million lines).

Not tests: nothing here asserts a time (tests/ui/test_bench_smoke.py keeps the code from rotting).
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
FIGURES = ("cold_start", "push", "stalls", "logs")
OPTIONAL = ("polling", "throttling", "render", "logs_full", "insights")


def cold_start(quick: bool) -> dict[str, Any]:
    import startup

    return startup.section3(quick)


def push(quick: bool) -> dict[str, Any]:
    import push as p

    out: dict[str, Any] = {}
    if quick:
        out["200"] = asyncio.run(p.compare(200, idle_window=120.0, busy_window=60.0, busy_step=0.5))
        out["lost_events"] = asyncio.run(p.lost(200, window=200.0, sweep=120.0))
        out["1000"] = {"skipped": "quick mode"}
        return out
    out["200"] = asyncio.run(p.compare(200, idle_window=600.0, busy_window=150.0, busy_step=0.25))
    out["1000"] = asyncio.run(p.compare(1000, idle_window=300.0, busy_window=90.0, busy_step=0.5))
    out["lost_events"] = asyncio.run(p.lost(200, window=1200.0, step=3.0))
    return out


def stalls(quick: bool) -> dict[str, Any]:
    import logs_bench as lb
    import render as r

    n, presses = (300, 16) if quick else (1000, 60)
    out: dict[str, Any] = {"polling": asyncio.run(r.run_polling_keys(n, presses))}
    out["events"] = asyncio.run(r.run_events(n, presses))
    out["logs"] = {
        "tailing_gc_frozen_after_mount": asyncio.run(lb.bench_keypress(presses * 2, 2_000, freeze=True)),
        "tailing_default_gc": asyncio.run(lb.bench_keypress(presses * 2, 2_000)),
    }
    return out


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
    """(The tailing figures are in ``stalls``.) Ingest rate and RSS after a million lines."""
    import logs_bench as lb

    result: dict[str, Any] = dict(asyncio.run(lb.bench_ingest(100_000 if quick else 200_000, 10_000)))
    result.update(lb.child_json(["--rss-child", "--lines", "200000" if quick else "1000000"]))
    return result


def logs_full(quick: bool) -> dict[str, Any]:
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
    "push": push,
    "stalls": stalls,
    "logs": logs,
    "polling": polling,
    "throttling": throttling,
    "render": render,
    "logs_full": logs_full,
    "insights": lambda quick: asyncio.run(
        __import__("insights").run(pipelines=1000, seconds=15.0 if quick else 60.0)
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter windows")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(FIGURES + OPTIONAL)}")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    parser.add_argument("--report", metavar="JSON", help="only print the block of a saved run's latest.json")
    args = parser.parse_args(argv)
    if args.report:
        saved = json.loads(Path(args.report).read_text(encoding="utf-8"))
        saved["targets"] = targets(saved)
        print(markdown(saved))
        return 0
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
    if args.json:
        print(json.dumps(result))
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``python -m tui.sim``: run the simulator alone, print its URL, serve until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from tui.sim.clock import RealClock
from tui.sim.faults import parse
from tui.sim.scenarios import SCENARIOS
from tui.sim.simulator import Simulator


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m tui.sim", description="cptui's AWS simulator")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=4566)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scenario", choices=SCENARIOS, default="demo")
    ap.add_argument("--pipelines", type=int, default=None, help="pipeline count for --scenario scale")
    ap.add_argument(
        "--faults",
        default="",
        help="fault spec, e.g. throttle=0.2,5xx=0.05 or events-delay=200-2000ms,events-drop=0.01",
    )
    ap.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    ap.add_argument("--log-rate", type=int, default=None, help="ml-training log lines per second")
    args = ap.parse_args(argv)
    try:
        parse(args.faults)
    except ValueError as exc:
        ap.error(str(exc))
    return args


async def _serve(args: argparse.Namespace) -> None:
    sim = Simulator(
        scenario=args.scenario,
        seed=args.seed,
        clock=RealClock(speed=args.speed),
        faults=args.faults,
        pipelines=args.pipelines,
        log_rate=args.log_rate,
    )
    await sim.start(args.host, args.port)
    print(
        f"cptui simulator listening on {sim.url} (scenario {args.scenario}, seed {args.seed})",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await sim.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

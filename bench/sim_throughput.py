"""Simulator throughput: GetPipelineState calls per second through real aiobotocore.

Runs the demo simulator on its own thread and event loop, then drives it from this process's
loop with ``--concurrency`` workers. Prints one JSON object.

    python bench/sim_throughput.py [--calls 2000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from aiobotocore.session import get_session
from botocore.config import Config

from tui.sim import ManualClock, Simulator


async def _drive(url: str, calls: int, concurrency: int) -> dict[str, Any]:
    config = Config(
        retries={"mode": "standard", "total_max_attempts": 1},
        max_pool_connections=concurrency,
    )
    session = get_session()
    async with session.create_client(
        "codepipeline",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=config,
    ) as cp:
        names = [p["name"] for p in (await cp.list_pipelines())["pipelines"]]
        remaining = iter(range(calls))
        latencies: list[float] = []

        async def worker() -> None:
            for i in remaining:
                began = time.perf_counter()
                await cp.get_pipeline_state(name=names[i % len(names)])
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "operation": "GetPipelineState",
        "calls": calls,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "calls_per_second": round(calls / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    handle = Simulator(scenario="demo", seed=7, clock=ManualClock()).start_in_thread()
    try:
        print(json.dumps(asyncio.run(_drive(handle.url, args.calls, args.concurrency))))
    finally:
        handle.stop()


if __name__ == "__main__":
    main()

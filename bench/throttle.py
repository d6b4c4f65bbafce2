"""Throttling: the real App, in real time, against a simulator that enforces a per-account quota.

The ``scale`` simulator (200 pipelines) runs with ``tps=N``: a token bucket of N requests per second
per account and region, beyond which it answers ThrottlingException, as AWS does. cptui runs with its
default budget (4 calls/s, burst 8) on the list at 120x36 from a cold start. Counted: throttles the
simulator sent (botocore retries some of them silently), throttles that reached the poller, notices
the user saw that mention throttling, and how long the stale banner ("stale — throttled") and the
header's "throttled, polling slower" were shown.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from driven import CREDENTIALS, EAST, SIZE

from tui.app.application import CptuiApp
from tui.aws import create_service
from tui.aws.errors import ErrorKind
from tui.core.config import Config, GeneralConfig
from tui.sim import RealClock, Simulator

SAMPLE = 0.25


async def run(pipelines: int = 200, seconds: float = 120.0, quota: int = 10) -> dict[str, Any]:
    """``seconds`` of real time from a cold start against a ``quota`` calls/s simulator."""
    sim = Simulator(scenario="scale", seed=7, clock=RealClock(), pipelines=pipelines, faults=f"tps={quota}")
    await sim.start()
    failures: list[str] = []

    def observer(target: Any, operation: str, ok: bool, error_kind: str | None) -> None:
        if not ok and error_kind is not None:
            failures.append(error_kind)

    service = create_service(EAST, endpoint_url=sim.url, credentials=CREDENTIALS, observer=observer)
    with tempfile.TemporaryDirectory(prefix="cptui-bench-") as tmp:
        config = Config(general=GeneralConfig(audit_log=Path(tmp) / "audit.jsonl"))
        app = CptuiApp([service], config)
        notices: list[str] = []
        original = app.notify

        def notify(message: str, **kwargs: Any) -> None:
            notices.append(str(message))
            original(message, **kwargs)

        app.notify = notify  # type: ignore[method-assign]
        banner = header = 0.0
        try:
            async with app.run_test(size=SIZE) as pilot:
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    await pilot.pause(SAMPLE)
                    freshness = app.store.freshness(EAST)
                    if freshness.stale_reason and "throttl" in freshness.stale_reason:
                        banner += SAMPLE
                    if freshness.throttled:
                        header += SAMPLE
                rows = app.store.rows()
                loaded = sum(1 for r in rows if r.loaded)
                calls = sum(app.poller.calls.values())
        finally:
            await service.close()
            await sim.stop()
    throttle = ErrorKind.THROTTLED.value
    return {
        "pipelines": pipelines,
        "quota_calls_per_s": quota,
        "seconds": seconds,
        "calls_made": calls,
        "rows_loaded": loaded,
        "throttles_sent_by_simulator": sim.fault_counts.get("tps", 0),
        "throttles_reaching_the_poller": failures.count(throttle),
        "notices_about_throttling": sum(1 for n in notices if "throttl" in n.lower()),
        "stale_banner_seconds": banner,
        "header_throttled_seconds": header,
        "other_failures": len(failures) - failures.count(throttle),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(asyncio.run(run(seconds=20.0)), indent=2))

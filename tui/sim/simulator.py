"""The embedded AWS simulator: an engine behind an aiohttp server on loopback.

Use it in the current event loop (``await sim.start()``) or on its own loop in a daemon thread
(``sim.start_in_thread()``), e.g. for ``cptui --demo`` or a test that runs a Textual app.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

from aiohttp import web

from tui.sim.clock import Clock, RealClock
from tui.sim.engine import Engine
from tui.sim.faults import Faults
from tui.sim.server import SimServer

T = TypeVar("T")


class Simulator:
    """AWS CodePipeline, CodeBuild, CloudWatch Logs and STS, simulated over HTTP."""

    def __init__(
        self,
        scenario: str = "demo",
        seed: int = 7,
        clock: Clock | None = None,
        faults: str = "",
        pipelines: int | None = None,
        log_rate: int | None = None,
    ) -> None:
        """``pipelines`` sizes the ``scale`` scenario; ``log_rate`` (lines per second) makes
        ml-training's Train build a log firehose (default: tens of lines per second)."""
        self.clock: Clock = clock or RealClock()
        self.scenario = scenario
        self.seed = seed
        self.engine = Engine(scenario, seed, self.clock, pipelines, log_rate)
        self._faults = Faults(faults, seed)
        self._server = SimServer(self.engine, self._faults)
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """``http://host:port`` once started."""
        if self._url is None:
            raise RuntimeError("the simulator is not started")
        return self._url

    @property
    def calls(self) -> Counter[str]:
        """Operation names served (faulted ones included), e.g. ``calls["GetPipelineState"]``."""
        return self._server.calls

    @property
    def fault_counts(self) -> Counter[str]:
        """Injected faults by kind: throttle, 5xx, latency, drop, expired, deny, tps."""
        return self._faults.counts

    def set_faults(self, spec: str) -> None:
        """Replace the fault spec at runtime ("" for none); see ``tui.sim.faults``."""
        self._faults.set(spec)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (0: a free port) in the running event loop."""
        # A short shutdown timeout: open Live Tail streams are cut rather than waited for.
        runner = web.AppRunner(self._server.app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound = runner.addresses[0][1]
        self._url = f"http://{host}:{bound}"

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> SimulatorThread:
        """Run the simulator on its own event loop in a daemon thread; returns once listening."""
        handle = SimulatorThread(self)
        handle._start(host, port)
        return handle


class SimulatorThread:
    """A simulator serving from a background thread."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="cptui-sim", daemon=True)

    @property
    def url(self) -> str:
        return self.simulator.url

    def _start(self, host: str, port: int) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.simulator.start(host, port), self._loop).result(timeout=30)

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the simulator's thread (e.g. to inspect the engine safely)."""

        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=30)

    def stop(self) -> None:
        """Stop the server and its thread."""
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.simulator.stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

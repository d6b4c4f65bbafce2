"""The embedded AWS simulator: an engine behind an aiohttp server on loopback.

Use it in the current event loop (``await sim.start()``) or on its own loop in a daemon thread
(``sim.start_in_thread()``), e.g. for ``cptui --demo`` or a test that runs a Textual app.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

from tui.sim.clock import Clock, RealClock
from tui.sim.engine import Engine
from tui.sim.faults import Faults
from tui.sim.server import SimServer

T = TypeVar("T")

# The rule cptui's push mode uses: every CodePipeline and CodeBuild state change.
DEFAULT_EVENT_PATTERN: dict[str, Any] = {
    "source": ["aws.codepipeline", "aws.codebuild"],
    "detail-type": [
        "CodePipeline Pipeline Execution State Change",
        "CodePipeline Stage Execution State Change",
        "CodePipeline Action Execution State Change",
        "CodeBuild Build State Change",
        "CodeBuild Build Phase Change",
    ],
}


@dataclass(frozen=True)
class EventQueue:
    """What ``Simulator.setup_event_queue`` made: a queue, a rule and the rule's target."""

    url: str
    arn: str
    rule_name: str
    rule_arn: str


def queue_policy(queue_arn: str, rule_arn: str) -> str:
    """The queue policy EventBridge needs: events.amazonaws.com may SendMessage from that rule."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "cptui-events",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
                }
            ],
        }
    )


class Simulator:
    """AWS CodePipeline, CodeBuild, CloudWatch Logs, EventBridge, SQS and STS, simulated over HTTP.

    Push mode in a test or the demo: ``sim.setup_event_queue()`` makes a queue that receives every
    CodePipeline and CodeBuild state change of the default account and region as AWS's event JSON.
    """

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
        self._faults = Faults(faults, seed)
        self.engine = Engine(scenario, seed, self.clock, pipelines, log_rate, self._faults)
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

    @property
    def event_metrics(self) -> dict[str, Counter[str]]:
        """Per rule ARN: MatchedEvents, Invocations, FailedInvocations (as CloudWatch counts them)."""
        return dict(self.engine.events.metrics)

    def setup_event_queue(
        self,
        account: str = "123456789012",
        region: str = "us-east-1",
        name: str = "cptui-events",
        pattern: dict[str, Any] | None = None,
        *,
        policy: bool = True,
    ) -> EventQueue:
        """Create an SQS queue, a rule on the default bus (``pattern``, default: every CodePipeline
        and CodeBuild state change) targeting it, and the queue policy that lets the rule deliver
        (``policy=False``: none, so deliveries fail). Idempotent; safe from any thread."""
        from tui.sim.eventbridge import Rule, Target
        from tui.sim.sqs import Queue

        text = json.dumps(pattern or DEFAULT_EVENT_PATTERN)
        with self.engine.lock:
            self.engine.world(account, region)  # the world must exist to publish events
            now = self.engine.now()
            key = (account, region, name)
            queue = self.engine.sqs.queues.get(key)
            if queue is None:
                attributes = {"MessageRetentionPeriod": "86400"}
                queue = Queue(account, region, name, now, attributes, {"cptui": "events"}, now)
                self.engine.sqs.queues[key] = queue
            rule = Rule(account, region, "default", name, json.loads(text), text, None, "ENABLED", None, None)
            rule.tags = {"cptui": "events"}
            rule.targets["cptui-queue"] = Target("cptui-queue", queue.arn)
            self.engine.events.rules[(account, region, "default", name)] = rule
            if policy:
                queue.attributes["Policy"] = queue_policy(queue.arn, rule.arn)
            else:
                queue.attributes.pop("Policy", None)
            return EventQueue(f"{self.url}/{account}/{name}", queue.arn, name, rule.arn)

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

"""One account+region of the simulated AWS: its pipelines, builds and logs, and a queue of what
happens next.

The world is lazy: nothing runs in the background. ``advance(now)`` processes every scheduled
transition up to ``now`` in time order (the server calls it before each request), so a test that
moves a ``ManualClock`` sees exactly the transitions due by then.

Finding things in a test::

    world = sim.engine.world()                     # 123456789012 / us-east-1
    approval = world.pending_approvals()[0]        # .pipeline, .stage, .action, .token
    failed = world.retryable_failures()[0]         # .pipeline, .stage, .execution_id
    build = world.running_builds()[0]              # a tui.sim.world.builds.Build
    held = world.conditions_in_progress()[0]       # .pipeline, .stage, .kind, .execution_id
    world.pipelines["web-frontend"].force("Test", "E2E-Tests", outcome="Failed")
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.sim.logstream import LogStore
from tui.sim.world.builds import Build
from tui.sim.world.state import ActionRun, Execution, Pipeline, PipelineSpec, Transition

if TYPE_CHECKING:
    from tui.sim.world.emit import Sink


@dataclass(frozen=True)
class PendingApproval:
    """A manual approval waiting for an answer."""

    pipeline: str
    stage: str
    action: str
    token: str
    execution_id: str
    since: float
    expires: float
    custom_data: str | None
    external_url: str | None


@dataclass(frozen=True)
class ConditionInProgress:
    """A stage condition being checked now (a BEFORE_ENTRY one holds its stage)."""

    pipeline: str
    stage: str
    kind: str  # BEFORE_ENTRY, ON_SUCCESS, ON_FAILURE
    execution_id: str
    since: float


@dataclass(frozen=True)
class RetryableFailure:
    """A failed stage that RetryStageExecution would accept now."""

    pipeline: str
    stage: str
    execution_id: str


class World:
    """All state of one (account, region) pair."""

    def __init__(self, account: str, region: str, seed: int, t0: float, log_rate: int | None = None) -> None:
        self.account = account
        self.region = region
        self.seed = seed
        self.t0 = t0
        self.now = t0
        self.log_rate = log_rate
        self.pipelines: dict[str, Pipeline] = {}
        self.builds: dict[str, Build] = {}
        self.logs = LogStore(account, region)
        self._queue: list[tuple[float, int, str, tuple[Any, ...]]] = []
        self._seq = 0
        self._build_numbers: Counter[str] = Counter()
        # Where state-change events go (the engine's EventBridge); None: nobody listens.
        self.sink: Sink | None = None
        # CloudWatch alarm states the CloudWatchAlarm condition rule reads (absent: OK).
        self.alarms: dict[str, str] = {}

    # --- ids and arns ---------------------------------------------------------------------

    def pipeline_arn(self, name: str) -> str:
        return f"arn:aws:codepipeline:{self.region}:{self.account}:{name}"

    def next_build_number(self, project: str) -> int:
        self._build_numbers[project] += 1
        return self._build_numbers[project]

    # --- pipelines ------------------------------------------------------------------------

    def add_pipeline(self, spec: PipelineSpec, first_trigger: float | None = None) -> Pipeline:
        """Register a pipeline; simulated source changes start ``first_trigger`` (default: seeded)."""
        rng = random.Random(f"{self.seed}:{self.account}:{self.region}:{spec.name}")
        p = Pipeline(spec=spec, rng=rng)
        for stage in spec.stages[1:]:
            p.transitions[stage.name] = Transition()
        if spec.trigger_every is not None:
            when = first_trigger if first_trigger is not None else self.now + rng.uniform(*spec.trigger_every)
            p.next_trigger = when
            self.schedule(when, "trigger", spec.name)
        self.pipelines[spec.name] = p
        return p

    # --- the queue ------------------------------------------------------------------------

    def schedule(self, at: float, kind: str, *args: Any) -> None:
        """Run ``kind`` (see ``flow.handle``) at simulated time ``at``."""
        self._seq += 1
        heapq.heappush(self._queue, (at, self._seq, kind, args))

    def advance(self, now: float) -> int:
        """Apply every transition due by ``now``; return how many were applied."""
        from tui.sim.world import flow

        done = 0
        while self._queue and self._queue[0][0] <= now:
            at, _, kind, args = heapq.heappop(self._queue)
            self.now = max(self.now, at)
            flow.handle(self, kind, args)
            done += 1
        self.now = max(self.now, now)
        return done

    def next_event_at(self) -> float | None:
        """When the next scheduled transition is due (None: nothing scheduled)."""
        return self._queue[0][0] if self._queue else None

    # --- questions tests ask --------------------------------------------------------------

    def pending_approvals(self) -> list[PendingApproval]:
        """Every manual approval now waiting, oldest first."""
        out: list[PendingApproval] = []
        for p in self.pipelines.values():
            for (stage, _), run in p.action_latest.items():
                if run.token and run.status == "InProgress":
                    cfg = run.spec.configuration
                    out.append(
                        PendingApproval(
                            p.name,
                            stage,
                            run.name,
                            run.token,
                            run.execution_id,
                            run.start,
                            run.ends_at or run.start,
                            cfg.get("CustomData"),
                            cfg.get("ExternalEntityLink"),
                        )
                    )
        return sorted(out, key=lambda a: a.since)

    def retryable_failures(self) -> list[RetryableFailure]:
        """Failed stages whose latest execution may be retried now."""
        out: list[RetryableFailure] = []
        for p in self.pipelines.values():
            for stage, eid in p.stage_latest.items():
                if p.executions[eid].stages[stage].status == "Failed":
                    out.append(RetryableFailure(p.name, stage, eid))
        return out

    def conditions_in_progress(self) -> list[ConditionInProgress]:
        """Every stage condition now being checked, oldest first."""
        out = [
            ConditionInProgress(p.name, run.stage, run.kind, run.execution_id, run.start)
            for p in self.pipelines.values()
            for run in p.condition_latest.values()
            if run.status == "InProgress"
        ]
        return sorted(out, key=lambda c: c.since)

    def running_builds(self) -> list[Build]:
        """Builds not complete at the current time, oldest first."""
        return sorted((b for b in self.builds.values() if not b.complete_at(self.now)), key=lambda b: b.start)

    def action_run(self, pipeline: str, execution_id: str, stage: str, action: str) -> ActionRun:
        """The latest attempt of one action in one execution."""
        return self.pipelines[pipeline].executions[execution_id].stages[stage].actions[action]

    def execution(self, pipeline: str, execution_id: str) -> Execution:
        return self.pipelines[pipeline].executions[execution_id]

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
from dataclasses import dataclass

from tui.sim.world import scheduled
from tui.sim.world.base import WorldBase
from tui.sim.world.builds import Build
from tui.sim.world.state import ActionRun, Execution


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


class World(WorldBase):
    """All state of one (account, region) pair, and how it moves on."""

    def advance(self, now: float) -> int:
        """Apply every transition due by ``now``; return how many were applied."""
        done = 0
        while self._queue and self._queue[0][0] <= now:
            at, _, kind, args = heapq.heappop(self._queue)
            self.now = max(self.now, at)
            scheduled.handle(self, kind, args)
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

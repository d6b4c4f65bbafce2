"""The data of one simulated account+region and its queue: what ``flow``, ``runners`` and ``emit``
read and schedule. ``World`` (``world.py``) adds moving it on (``advance``) and the questions tests ask.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from typing import Any, Protocol

from tui.sim.logstream import LogStore
from tui.sim.world.builds import Build
from tui.sim.world.state import Pipeline, PipelineSpec, Transition


class Sink(Protocol):
    """Where a world's events go (the engine's event bus)."""

    def active(self, account: str, region: str) -> bool:
        """Whether any rule could want events of this account+region (else nothing is built)."""
        ...

    def publish(
        self, world: WorldBase, source: str, detail_type: str, resources: list[str], detail: dict[str, Any]
    ) -> None: ...


class WorldBase:
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
        """Run ``kind`` (see ``scheduled.handle``) at simulated time ``at``."""
        self._seq += 1
        heapq.heappush(self._queue, (at, self._seq, kind, args))

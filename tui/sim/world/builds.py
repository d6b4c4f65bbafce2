"""CodeBuild builds: a timeline of phases fixed when the build starts, read at any moment.

A build's whole life is planned up front (phase boundaries and outcome), so its state at time
``now`` is a pure function: BatchGetBuilds shows the phases that have started, the current one
without an end, and the final status once the end has passed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PHASES = (
    "SUBMITTED",
    "QUEUED",
    "PROVISIONING",
    "DOWNLOAD_SOURCE",
    "INSTALL",
    "PRE_BUILD",
    "BUILD",
    "POST_BUILD",
    "UPLOAD_ARTIFACTS",
    "FINALIZING",
    "COMPLETED",
)

# Fixed overhead phases: (min, max) seconds. BUILD takes whatever remains.
_OVERHEAD = {
    "SUBMITTED": (0.3, 1.0),
    "QUEUED": (0.5, 3.0),
    "PROVISIONING": (6.0, 14.0),
    "DOWNLOAD_SOURCE": (2.0, 5.0),
    "INSTALL": (6.0, 18.0),
    "PRE_BUILD": (2.0, 6.0),
    "POST_BUILD": (1.0, 4.0),
    "UPLOAD_ARTIFACTS": (1.0, 3.0),
    "FINALIZING": (0.5, 2.0),
}


@dataclass
class Phase:
    name: str
    start: float
    end: float


@dataclass
class Build:
    """One CodeBuild build run by a pipeline action."""

    id: str  # project:uuid
    arn: str
    number: int
    project: str
    kind: str  # build, test, lint, train: the flavour of its log output
    start: float
    end: float
    outcome: str  # SUCCEEDED or FAILED
    phases: list[Phase]
    initiator: str
    source_version: str
    resolved_source_version: str
    log_group: str
    log_stream: str
    service_role: str
    failure_command: str = ""
    # Where the project sends its logs: "cloudwatch" (the default), "s3" (S3 only), "none" (off).
    log_destination: str = "cloudwatch"

    def complete_at(self, now: float) -> bool:
        return now >= self.end

    def status_at(self, now: float) -> str:
        return self.outcome if self.complete_at(now) else "IN_PROGRESS"

    def current_phase(self, now: float) -> str:
        started = [p for p in self.phases if p.start <= now]
        return started[-1].name if started else "SUBMITTED"

    def phase(self, name: str) -> Phase:
        return next(p for p in self.phases if p.name == name)


def plan_phases(rng: random.Random, start: float, duration: float) -> list[Phase]:
    """Split ``duration`` seconds into CodeBuild phases; BUILD gets what the others leave."""
    spans = {name: rng.uniform(*bounds) for name, bounds in _OVERHEAD.items()}
    overhead = sum(spans.values())
    spans["BUILD"] = max(5.0, duration - overhead)
    phases: list[Phase] = []
    t = start
    for name in PHASES[:-1]:
        phases.append(Phase(name, t, t + spans[name]))
        t += spans[name]
    phases.append(Phase("COMPLETED", t, t))
    return phases

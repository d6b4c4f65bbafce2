"""What the store hands out: a pipeline's row for the list, a target's freshness, and what one
write changed (``StoreChange``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from tui.core.model import (
    RUNNING_STATUSES,
    ExecutionMode,
    ExecutionSummary,
    PipelineType,
    Standing,
    StandingKind,
    Status,
    Target,
)

_LOADING = Standing(StandingKind.LOADING)


@dataclass(frozen=True)
class StoreChange:
    """What one write (or a merge of several) changed.

    ``pipelines``: names whose data changed (row, state, definition or latest execution);
    ``stages``: pipeline -> names of stages whose state changed; ``freshness``: the target's identity,
    age or staleness changed; ``listing``: pipelines were added or removed. ``target`` is None when
    a merge spans targets.
    """

    target: Target | None
    pipelines: frozenset[str] = frozenset()
    stages: Mapping[str, frozenset[str]] = field(default_factory=dict)
    freshness: bool = False
    listing: bool = False

    @property
    def empty(self) -> bool:
        return not (self.pipelines or self.stages or self.freshness or self.listing)

    def merge(self, other: StoreChange) -> StoreChange:
        """Both changes as one (for coalescing bursts of poll results)."""
        stages = dict(self.stages)
        for name, changed in other.stages.items():
            stages[name] = stages.get(name, frozenset()) | changed
        return StoreChange(
            self.target if self.target == other.target else None,
            self.pipelines | other.pipelines,
            stages,
            self.freshness or other.freshness,
            self.listing or other.listing,
        )


@dataclass(frozen=True)
class Freshness:
    """How current a target's data is. ``stale_reason`` is set while its calls fail."""

    updated_at: datetime | None = None
    stale_reason: str | None = None
    throttled: bool = False  # the rate budget is reduced after a throttle: polling is slower
    listed: bool = False  # the pipeline list arrived at least once
    denied: tuple[str, ...] = ()  # IAM actions polls were refused ("codepipeline:GetPipelineState")
    # How updates arrive: "live · events" (push mode) or "polling (why)"; "" before anyone says.
    mode: str = ""


@dataclass(frozen=True)
class PipelineRow:
    """One row of the pipelines list: a summary, the latest execution and what the state adds."""

    target: Target
    name: str
    pipeline_type: PipelineType = PipelineType.V1
    execution_mode: ExecutionMode = ExecutionMode.SUPERSEDED
    latest: ExecutionSummary | None = None
    loaded: bool = False  # the latest execution was fetched (None then means "never ran")
    stage: str | None = None  # where it runs, or where it failed / stopped
    favourite: bool = False
    updated: datetime | None = None  # the definition's last update (ListPipelines)
    # Where it stands (Running, Approval, Held, Failed, ...): the one derivation every screen uses.
    standing: Standing = _LOADING
    # Painted from the warm-start cache (tui/app/warm_start.py): when that cache was saved. Such a row
    # is not ``loaded`` (nothing was read in this run) and tells no notifications; the first live
    # read of its latest execution replaces it.
    cached_at: datetime | None = None

    @property
    def key(self) -> str:
        return row_key(self.target, self.name)

    @property
    def status(self) -> Status | None:
        """The latest execution's status; ``Idle`` if it never ran; None while loading."""
        if not self.loaded:
            return None
        return self.latest.status if self.latest else Status.IDLE

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def waiting_approval(self) -> bool:
        """A manual approval of this pipeline is waiting (its standing says so)."""
        return self.standing.kind is StandingKind.APPROVAL

    @property
    def last_activity(self) -> datetime | None:
        if self.latest is not None:
            return self.latest.last_update_time or self.latest.start_time
        return self.updated


def row_key(target: Target, name: str) -> str:
    """The stable key of a pipeline's row (tables reconcile by it)."""
    return f"{target.key}/{name}"


def sort_key(row: PipelineRow) -> tuple[int, float, str, str]:
    """Favourites first, then most recent activity, then name: the list's default order."""
    activity = row.last_activity
    return (0 if row.favourite else 1, -(activity.timestamp() if activity else 0.0), row.name, row.target.key)

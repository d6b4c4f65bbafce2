"""Delivery metrics, red periods and fleet health rows from one pipeline's executions read
(newest first). Plain Python, no Textual.

The per-pipeline definitions (what an execution that *counts* is, percentiles, the span in days)
are tui/core/insights.py's; this module adds:

- a *red period* runs from the end of a failing counted execution after a success (or the
  window's start) to the end of the next success (open: still red);
- the four *delivery metrics*: deployments per day, lead time, change failure rate, time to
  restore (README: "Delivery metrics");
- a *fleet row*: one pipeline's outcomes, failure rate, share of the window it was red, recent
  statuses and delivery metrics; ``fleet_rank`` orders them worst first; ``coverage_of`` says how
  many were read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tui.core.insights import (
    Outcomes,
    counted,
    ended_at,
    oldest_first,
    outcomes_of,
    percentile,
    revisions_key,
    span_days,
)
from tui.core.model import ExecutionSummary, ExecutionType, Status


@dataclass(frozen=True)
class RedPeriod:
    """From the end of a failing execution after a success (or the window's start) to the end of
    the next success (None: still red)."""

    start: datetime
    end: datetime | None


def red_periods(history: Sequence[ExecutionSummary]) -> tuple[RedPeriod, ...]:
    """When the pipeline was red: its newest counted execution had failed."""
    periods: list[RedPeriod] = []
    red_since: datetime | None = None
    decided = sorted(
        (s for s in history if counted(s) and ended_at(s) is not None),
        key=lambda s: (ended_at(s) or datetime.min, s.execution_id),
    )
    for s in decided:
        ended = ended_at(s)
        assert ended is not None
        if s.status == Status.FAILED and red_since is None:
            red_since = ended
        elif s.status == Status.SUCCEEDED and red_since is not None:
            periods.append(RedPeriod(red_since, ended))
            red_since = None
    if red_since is not None:
        periods.append(RedPeriod(red_since, None))
    return tuple(periods)


@dataclass(frozen=True)
class Delivery:
    """The four delivery metrics over the executions read (README: "Delivery metrics")."""

    deployments_per_day: float | None  # Succeeded STANDARD executions per day
    lead_time: float | None  # median seconds, first pickup of a revision to the success that shipped it
    change_failure_rate: float | None  # (failed + rolled back) / (succeeded + failed)
    time_to_restore: float | None  # median seconds of the red periods that ended
    red_for: float | None  # seconds red now (None: green or unknown)


def delivery(history: Sequence[ExecutionSummary], now: datetime) -> Delivery:
    ordered = oldest_first(history)
    span = span_days(history, now)
    succeeded = [s for s in ordered if counted(s) and s.status == Status.SUCCEEDED]
    failed = [s for s in ordered if counted(s) and s.status == Status.FAILED]
    first_seen: dict[tuple[tuple[str, str], ...], datetime] = {}
    for s in ordered:
        revs = revisions_key(s)
        if revs is not None and s.start_time is not None and s.execution_type != ExecutionType.ROLLBACK:
            first_seen.setdefault(revs, s.start_time)
    leads = []
    for s in succeeded:
        revs = revisions_key(s)
        ended = ended_at(s)
        if revs is not None and ended is not None and revs in first_seen:
            leads.append((ended - first_seen[revs]).total_seconds())
    # A success is rolled back when a rollback starts after it and before the next success.
    rolled_back = 0
    for i, s in enumerate(succeeded):
        start = s.start_time
        nxt = succeeded[i + 1].start_time if i + 1 < len(succeeded) else None
        if start is None:
            continue
        if any(
            r.execution_type == ExecutionType.ROLLBACK
            and r.start_time is not None
            and r.start_time > start
            and (nxt is None or r.start_time < nxt)
            for r in ordered
        ):
            rolled_back += 1
    decided = len(succeeded) + len(failed)
    periods = red_periods(history)
    restored = [(p.end - p.start).total_seconds() for p in periods if p.end is not None]
    open_red = next((p for p in periods if p.end is None), None)
    return Delivery(
        deployments_per_day=len(succeeded) / span if span else None,
        lead_time=percentile(leads, 50),
        change_failure_rate=(len(failed) + rolled_back) / decided if decided else None,
        time_to_restore=percentile(restored, 50),
        red_for=(now - open_red.start).total_seconds() if open_red else None,
    )


@dataclass(frozen=True)
class FleetRow:
    """One pipeline's health over its window; ``error`` says why its history is not known."""

    key: str  # target key + pipeline name: unique across the fleet
    pipeline: str
    target_label: str
    read: int = 0
    outcomes: Outcomes = field(default_factory=Outcomes)
    failure_rate: float | None = None
    red_share: float | None = None  # of the window's time
    recent: tuple[Status, ...] = ()  # newest last, at most RECENT
    delivery: Delivery | None = None
    error: str | None = None  # "waiting for budget", "could not be read: …"

    @property
    def known(self) -> bool:
        return self.delivery is not None


RECENT = 20


def fleet_row(
    key: str, pipeline: str, target_label: str, history: Sequence[ExecutionSummary], now: datetime
) -> FleetRow:
    outcomes = outcomes_of(history)
    red_share = None
    starts = [s.start_time for s in history if s.start_time is not None]
    if starts:
        window = (now - min(starts)).total_seconds()
        red = sum(((p.end or now) - p.start).total_seconds() for p in red_periods(history))
        red_share = min(1.0, red / window) if window > 0 else None
    return FleetRow(
        key=key,
        pipeline=pipeline,
        target_label=target_label,
        read=len(history),
        outcomes=outcomes,
        failure_rate=(outcomes.failed / outcomes.decided) if outcomes.decided else None,
        red_share=red_share,
        recent=tuple(s.status for s in oldest_first(history)[-RECENT:]),
        delivery=delivery(history, now),
    )


def fleet_rank(row: FleetRow) -> tuple[int, float, float, str]:
    """Worst first: failure rate, then time red; pipelines not read (unknown) last."""
    if not row.known:
        return (1, 0.0, 0.0, row.pipeline)
    return (0, -(row.failure_rate or 0.0), -(row.red_share or 0.0), row.pipeline)


@dataclass(frozen=True)
class Coverage:
    pipelines: int
    read: int
    failed: int

    @property
    def sentence(self) -> str:
        if self.pipelines == 0:
            return "No pipelines yet."
        text = f"{self.read:,} of {self.pipelines:,} pipelines read"
        waiting = self.pipelines - self.read - self.failed
        if self.failed:
            text += f", {self.failed:,} could not be read"
        if waiting:
            text += f", {waiting:,} waiting for budget"
        return text


def coverage_of(rows: Iterable[FleetRow]) -> Coverage:
    rows = list(rows)
    return Coverage(
        pipelines=len(rows),
        read=sum(1 for r in rows if r.known),
        failed=sum(1 for r in rows if not r.known and r.error and r.error.startswith("could not")),
    )

"""History insights: "is this normal?" computed from model objects. Plain Python, no Textual.

Everything here takes the executions that were read (``ExecutionSummary``, newest first, as
ListPipelineExecutions gives them) and, where known, each execution's action executions
(ListActionExecutions, every attempt), and returns frozen results the screens only draw.

Definitions (the README's "History insights" section says the same in prose):

- an execution *counts* for outcomes when it is a STANDARD execution that ended Succeeded or Failed;
  Stopped, Superseded, Cancelled and running executions, and rollbacks, are counted apart;
- *success rate*: Succeeded / (Succeeded + Failed) over the counted executions;
- *executions per day*: every execution read / the days from the oldest one's start to now;
- *duration*: start to last update; p50/p95 over Succeeded executions (nearest rank);
- per stage: an execution's stage *failed* when any attempt of one of its actions failed; its
  duration runs from its first action's start to its last action's end; per action: each attempt
  is a run; a failed attempt a failure; durations over succeeded attempts;
- *got slower*: the newer half of the successful runs' p50 is at least 1.25× the older half's and
  at least 30 s more;
- *flaky*: an action attempt that failed and then succeeded in the same execution (a retry), or
  whose last attempt failed and which succeeded in the next execution carrying the same source
  revisions (a re-run);
- *delivery metrics* and *fleet health*: tui/core/fleet_health.py, from the same definitions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from tui.core.execution_diff import Breakage, find_breakage
from tui.core.fmt import duration
from tui.core.model import ActionExecution, ExecutionSummary, ExecutionType, Status

DEFAULT_WINDOW = 50
SLOWER_RATIO = 1.25
SLOWER_MIN_SECONDS = 30.0
MIN_SPAN_SECONDS = 3600.0  # executions per day over at least an hour: 3 runs in 5 minutes is not 864/day
DAY = 86400.0


def percentile(values: Iterable[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def counted(summary: ExecutionSummary) -> bool:
    """A STANDARD execution that ended Succeeded or Failed: what outcomes and rates count."""
    return summary.execution_type != ExecutionType.ROLLBACK and summary.status in (
        Status.SUCCEEDED,
        Status.FAILED,
    )


def ended_at(summary: ExecutionSummary) -> datetime | None:
    return summary.last_update_time or summary.start_time


def oldest_first(history: Sequence[ExecutionSummary]) -> list[ExecutionSummary]:
    return sorted(history, key=lambda s: (s.start_time.timestamp() if s.start_time else 0.0, s.execution_id))


def span_days(history: Sequence[ExecutionSummary], now: datetime) -> float | None:
    starts = [s.start_time for s in history if s.start_time is not None]
    if not starts:
        return None
    return max(MIN_SPAN_SECONDS, (now - min(starts)).total_seconds()) / DAY


# --- outcomes and durations ------------------------------------------------------------------


@dataclass(frozen=True)
class Outcomes:
    succeeded: int = 0
    failed: int = 0
    stopped: int = 0  # Stopped and Stopping
    superseded: int = 0  # Superseded, Cancelled, Abandoned
    running: int = 0
    rollbacks: int = 0
    other: int = 0  # a status AWS adds tomorrow

    @property
    def decided(self) -> int:
        return self.succeeded + self.failed

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.decided if self.decided else None


def outcomes_of(history: Iterable[ExecutionSummary]) -> Outcomes:
    counts = dict.fromkeys(
        ("succeeded", "failed", "stopped", "superseded", "running", "rollbacks", "other"), 0
    )
    for s in history:
        if s.execution_type == ExecutionType.ROLLBACK:
            key = "rollbacks"
        elif s.status == Status.SUCCEEDED:
            key = "succeeded"
        elif s.status == Status.FAILED:
            key = "failed"
        elif s.status.value in ("Stopped", "Stopping"):
            key = "stopped"
        elif s.status.value in ("Superseded", "Cancelled", "Abandoned"):
            key = "superseded"
        elif s.status == Status.IN_PROGRESS:
            key = "running"
        else:
            key = "other"
        counts[key] += 1
    return Outcomes(**counts)


@dataclass(frozen=True)
class Stats:
    count: int
    p50: float | None
    p95: float | None


def stats_of(values: Sequence[float]) -> Stats:
    return Stats(len(values), percentile(values, 50), percentile(values, 95))


@dataclass(frozen=True)
class Bar:
    """One execution in the duration chart (oldest first)."""

    execution_id: str
    seconds: float
    status: Status


@dataclass(frozen=True)
class CurrentRun:
    """The running execution's (or one running step's) elapsed time against its usual p50/p95."""

    label: str  # "This run", "Build › Build"
    elapsed: float
    p50: float | None
    p95: float | None

    @property
    def ratio(self) -> float | None:
        return self.elapsed / self.p50 if self.p50 else None

    @property
    def sentence(self) -> str:
        """ "Build › Build is at 2.1× its usual p50 (3m 10s), past its p95"."""
        ratio = self.ratio
        if ratio is None or self.p50 is None:
            return f"{self.label} has run {duration(self.elapsed)}; no finished run to compare with"
        text = f"{self.label} is at {ratio:.1f}× its usual p50 ({duration(self.p50)})"
        if self.p95 is not None and self.elapsed > self.p95:
            text += f", past its p95 ({duration(self.p95)})"
        return text


# --- per stage and per action ----------------------------------------------------------------


@dataclass(frozen=True)
class StepStats:
    """One stage (``action`` None) or one action: how often it failed and how long it takes."""

    stage: str
    action: str | None
    runs: int
    failures: int
    share: float | None  # of all failures of this kind (stages' or actions')
    p50: float | None
    p95: float | None
    slower: float | None = None  # the newer half's p50 / the older half's, when it got slower

    @property
    def label(self) -> str:
        return self.stage if self.action is None else f"{self.stage} › {self.action}"


def _slower(durations_oldest_first: Sequence[float]) -> float | None:
    if len(durations_oldest_first) < 4:
        return None
    half = len(durations_oldest_first) // 2
    old = percentile(durations_oldest_first[:half], 50)
    new = percentile(durations_oldest_first[half:], 50)
    if not old or new is None:
        return None
    if new / old >= SLOWER_RATIO and new - old >= SLOWER_MIN_SECONDS:
        return new / old
    return None


def _attempts(actions: Iterable[ActionExecution]) -> list[ActionExecution]:
    return sorted(
        actions, key=lambda a: (a.start_time.timestamp() if a.start_time else 0.0, a.action_execution_id)
    )


def _step(
    stage: str, action: str | None, runs: int, failures: int, all_failures: int, ok: Sequence[float]
) -> StepStats:
    """A stage's or an action's stats: its share of all the failures, p50/p95 and "got slower" over
    its successful runs (``ok``: durations, oldest first)."""
    return StepStats(
        stage,
        action,
        runs,
        failures,
        failures / all_failures if all_failures else None,
        percentile(ok, 50),
        percentile(ok, 95),
        _slower(ok),
    )


def step_stats(
    history: Sequence[ExecutionSummary], actions: Mapping[str, Sequence[ActionExecution]]
) -> tuple[tuple[StepStats, ...], tuple[StepStats, ...]]:
    """(stages, actions), each ordered by failures then p95 (the stage that fails most first)."""
    stage_runs: dict[str, int] = {}
    stage_fail: dict[str, int] = {}
    stage_ok: dict[str, list[float]] = {}
    action_runs: dict[tuple[str, str], int] = {}
    action_fail: dict[tuple[str, str], int] = {}
    action_ok: dict[tuple[str, str], list[float]] = {}
    for summary in oldest_first(history):
        found = actions.get(summary.execution_id)
        if not found:
            continue
        by_stage: dict[str, list[ActionExecution]] = {}
        for attempt in _attempts(found):
            by_stage.setdefault(attempt.stage_name, []).append(attempt)
            key = (attempt.stage_name, attempt.action_name)
            if not attempt.status.is_terminal:
                continue
            action_runs[key] = action_runs.get(key, 0) + 1
            if attempt.status == Status.FAILED:
                action_fail[key] = action_fail.get(key, 0) + 1
            elif attempt.status == Status.SUCCEEDED and attempt.duration_seconds is not None:
                action_ok.setdefault(key, []).append(attempt.duration_seconds)
        for stage, attempts in by_stage.items():
            if any(not a.status.is_terminal for a in attempts):
                continue
            stage_runs[stage] = stage_runs.get(stage, 0) + 1
            if any(a.status == Status.FAILED for a in attempts):
                stage_fail[stage] = stage_fail.get(stage, 0) + 1
            elif all(a.status == Status.SUCCEEDED or a.status == Status.FAILED for a in attempts):
                starts = [a.start_time for a in attempts if a.start_time]
                ends = [a.last_update_time for a in attempts if a.last_update_time]
                if starts and ends:
                    stage_ok.setdefault(stage, []).append((max(ends) - min(starts)).total_seconds())
    total_stage_fail = sum(stage_fail.values())
    total_action_fail = sum(action_fail.values())
    stages = [
        _step(stage, None, runs, stage_fail.get(stage, 0), total_stage_fail, stage_ok.get(stage, []))
        for stage, runs in stage_runs.items()
    ]
    steps = [
        _step(key[0], key[1], runs, action_fail.get(key, 0), total_action_fail, action_ok.get(key, []))
        for key, runs in action_runs.items()
    ]

    def rank(s: StepStats) -> tuple[float, float, str]:
        return (-s.failures, -(s.slower or 0.0), s.label)

    return tuple(sorted(stages, key=rank)), tuple(sorted(steps, key=rank))


# --- flaky actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Flaky:
    stage: str
    action: str
    retries: int  # failed, then succeeded on a retry in the same execution
    reruns: int  # failed, then succeeded in the next execution with the same source revisions
    last_at: datetime | None
    last_execution_id: str

    @property
    def occurrences(self) -> int:
        return self.retries + self.reruns

    @property
    def label(self) -> str:
        return f"{self.stage} › {self.action}"


def revisions_key(summary: ExecutionSummary) -> tuple[tuple[str, str], ...] | None:
    revs = tuple(sorted((r.action_name, r.revision_id or "") for r in summary.source_revisions))
    return revs if revs and all(rid for _, rid in revs) else None


def flaky_actions(
    history: Sequence[ExecutionSummary], actions: Mapping[str, Sequence[ActionExecution]]
) -> tuple[Flaky, ...]:
    """Flaky actions, most occurrences first (see the module's definition)."""
    found: dict[tuple[str, str], list[tuple[str, datetime | None, str]]] = {}

    def add(key: tuple[str, str], kind: str, at: datetime | None, execution_id: str) -> None:
        found.setdefault(key, []).append((kind, at, execution_id))

    ordered = oldest_first(history)
    final: dict[str, dict[tuple[str, str], ActionExecution]] = {}
    for summary in ordered:
        attempts = actions.get(summary.execution_id)
        if not attempts:
            continue
        last: dict[tuple[str, str], ActionExecution] = {}
        failed_before: set[tuple[str, str]] = set()
        for attempt in _attempts(attempts):
            key = (attempt.stage_name, attempt.action_name)
            if attempt.status == Status.FAILED:
                failed_before.add(key)
            elif attempt.status == Status.SUCCEEDED and key in failed_before:
                add(key, "retry", attempt.last_update_time or attempt.start_time, summary.execution_id)
                failed_before.discard(key)
            last[key] = attempt
        final[summary.execution_id] = last
    for i, summary in enumerate(ordered):
        revs = revisions_key(summary)
        mine = final.get(summary.execution_id)
        if revs is None or mine is None:
            continue
        for key, attempt in mine.items():
            if attempt.status != Status.FAILED:
                continue
            for later in ordered[i + 1 :]:
                theirs = final.get(later.execution_id)
                if revisions_key(later) != revs or theirs is None or key not in theirs:
                    continue
                again = theirs[key]
                if again.status == Status.SUCCEEDED:
                    add(key, "rerun", again.last_update_time or again.start_time, later.execution_id)
                break
    result = []
    for key, events in found.items():
        newest = max(events, key=lambda e: e[1].timestamp() if e[1] else 0.0)
        result.append(
            Flaky(
                key[0],
                key[1],
                retries=sum(1 for kind, _, _ in events if kind == "retry"),
                reruns=sum(1 for kind, _, _ in events if kind == "rerun"),
                last_at=newest[1],
                last_execution_id=newest[2],
            )
        )
    return tuple(sorted(result, key=lambda f: (-f.occurrences, f.label)))


# --- one pipeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineInsights:
    pipeline: str
    window: int  # executions asked for
    read: int  # executions read (fewer than ``window`` when the pipeline has fewer, or reading stopped)
    with_actions: int  # executions whose action executions were read
    outcomes: Outcomes
    per_day: float | None
    bars: tuple[Bar, ...]  # finished executions, oldest first
    durations: Stats  # of Succeeded executions
    current: tuple[CurrentRun, ...]  # the running execution, then each of its running actions
    stages: tuple[StepStats, ...]
    actions: tuple[StepStats, ...]
    flaky: tuple[Flaky, ...]
    breakage: Breakage | None
    slower: float | None  # the pipeline's own "got slower" ratio (executions' durations)


def pipeline_insights(
    pipeline: str,
    history: Sequence[ExecutionSummary],
    actions: Mapping[str, Sequence[ActionExecution]],
    now: datetime,
    *,
    window: int = DEFAULT_WINDOW,
) -> PipelineInsights:
    """Everything the insights screen shows, from the executions read (newest first)."""
    history = list(history)[:window]
    ordered = oldest_first(history)
    bars = tuple(
        Bar(s.execution_id, s.duration_seconds, s.status)
        for s in ordered
        if s.status.is_terminal and s.duration_seconds is not None
    )
    ok = [s.duration_seconds for s in ordered if counted(s) and s.status == Status.SUCCEEDED]
    ok_durations = [d for d in ok if d is not None]
    durations = stats_of(ok_durations)
    stages, steps = step_stats(history, actions)
    current: list[CurrentRun] = []
    running = next((s for s in history if s.status == Status.IN_PROGRESS and s.start_time), None)
    if running is not None and running.start_time is not None:
        current.append(
            CurrentRun("This run", (now - running.start_time).total_seconds(), durations.p50, durations.p95)
        )
        by_key = {(s.stage, s.action): s for s in steps}
        for attempt in actions.get(running.execution_id, ()):
            if attempt.status == Status.IN_PROGRESS and attempt.start_time is not None:
                known = by_key.get((attempt.stage_name, attempt.action_name))
                current.append(
                    CurrentRun(
                        f"{attempt.stage_name} › {attempt.action_name}",
                        (now - attempt.start_time).total_seconds(),
                        known.p50 if known else None,
                        known.p95 if known else None,
                    )
                )
    return PipelineInsights(
        pipeline=pipeline,
        window=window,
        read=len(history),
        with_actions=sum(1 for s in history if s.execution_id in actions),
        outcomes=outcomes_of(history),
        per_day=len(history) / span if (span := span_days(history, now)) else None,
        bars=bars,
        durations=durations,
        current=tuple(current),
        stages=stages,
        actions=steps,
        flaky=flaky_actions(history, actions),
        breakage=find_breakage(history),
        slower=_slower(ok_durations),
    )

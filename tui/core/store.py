"""The latest known data, per target, and what changed: plain Python, no Textual.

The poll controller writes results in (``set_*``); each write returns a ``StoreChange`` naming exactly
the pipelines (and stages) whose data differs, found by comparing frozen dataclasses with ``==``.
Screens read through the query methods and redraw only what a change names. Nothing here is ever
thrown away on an error: a failing target keeps its last data and is marked stale instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from tui.core.model import (
    ApprovalRequest,
    ExecutionMode,
    ExecutionSummary,
    Identity,
    PipelineDef,
    PipelineState,
    PipelineSummary,
    PipelineType,
    SourceRevision,
    Standing,
    StandingKind,
    Status,
    Target,
    current_stage,
    inbound_stage,
    standing_of,
)

# CodePipeline's default for a manual approval that nobody answers.
DEFAULT_APPROVAL_TIMEOUT = timedelta(days=7)
_RUNNING = (Status.IN_PROGRESS, Status.STOPPING)
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
        return self.status in _RUNNING

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


@dataclass(frozen=True)
class ReadMark:
    """How the last reads of one pipeline went: when each polled call last succeeded, and why
    the last one failed (None: it succeeded)."""

    latest_at: datetime | None = None  # ListPipelineExecutions
    state_at: datetime | None = None  # GetPipelineState
    error: str | None = None


NOT_READ_YET = "not read yet"
# A pipeline's reads older than this are not "recent": what it shows may have changed since.
COVERAGE_MAX_AGE = timedelta(minutes=10)


@dataclass(frozen=True)
class Coverage:
    """Which of the pipelines in scope were read successfully and recently enough to say what
    waits in them: ``unread`` maps a reason to how many pipelines it leaves unknown; ``unlisted``
    names the targets whose pipeline list could not be read (so how many pipelines they hold is
    unknown too). Complete: "none waiting" is a fact; otherwise it is a guess and must say so."""

    pipelines: int = 0
    unread: Mapping[str, int] = field(default_factory=dict)
    unlisted: tuple[tuple[str, str], ...] = ()  # (target label, reason)

    @property
    def complete(self) -> bool:
        return not self.unread and not self.unlisted

    @property
    def failing(self) -> bool:
        """Something could not be read (not merely: not read yet, as at start-up)."""
        return any(why != NOT_READ_YET for why in self.unread) or any(
            why != NOT_READ_YET for _, why in self.unlisted
        )

    @property
    def missing(self) -> int:
        """Pipelines (of those listed) not known."""
        return sum(self.unread.values())

    def describe(self, *, short: bool = False) -> str:
        """``3 of 12 pipelines not read: access denied (GetPipelineState)``; "" when complete.
        ``short``: ``3 not read: …`` (for the summary line)."""
        parts: list[str] = []
        if self.unread:
            reasons = sorted(self.unread.items(), key=lambda item: (-item[1], item[0]))
            if len(reasons) == 1:
                why = reasons[0][0]
            else:
                why = ", ".join(f"{count} {reason}" for reason, count in reasons)
            noun = "pipeline" if self.pipelines == 1 else "pipelines"
            counted = f"{self.missing}" if short else f"{self.missing} of {self.pipelines} {noun}"
            parts.append(f"{counted} not read yet" if why == NOT_READ_YET else f"{counted} not read: {why}")
        if self.unlisted:
            if len(self.unlisted) == 1:
                label, why = self.unlisted[0]
                parts.append(
                    f"pipeline list of {label} not read" + (" yet" if why == NOT_READ_YET else f": {why}")
                )
            else:
                labels = ", ".join(label for label, _ in self.unlisted)
                why = self.unlisted[0][1]
                parts.append(f"pipeline lists of {len(self.unlisted)} targets not read ({labels}): {why}")
        return "; ".join(parts)


def short_reason(reason: str) -> str:
    """A target's stale reason as a coverage reason: without "stale —" and ", retrying"."""
    text = reason.removeprefix("stale — ").removeprefix("stale - ")
    return text.replace(", retrying", "").strip() or reason


@dataclass
class _TargetData:
    target: Target
    identity: Identity | None = None
    freshness: Freshness = field(default_factory=Freshness)
    summaries: dict[str, PipelineSummary] = field(default_factory=dict)
    latest: dict[str, ExecutionSummary | None] = field(default_factory=dict)
    states: dict[str, PipelineState] = field(default_factory=dict)
    definitions: dict[str, PipelineDef] = field(default_factory=dict)
    rows: dict[str, PipelineRow] = field(default_factory=dict)
    approvals: dict[str, tuple[ApprovalRequest, ...]] = field(default_factory=dict)
    reads: dict[str, ReadMark] = field(default_factory=dict)
    list_error: str | None = None  # why the last ListPipelines failed
    cached: dict[str, PipelineRow] = field(default_factory=dict)  # warm-start rows not yet read live


class Store:
    """Latest known data for every target; writes return what changed."""

    def __init__(
        self,
        targets: Iterable[Target] = (),
        *,
        is_favourite: Callable[[str], bool] = lambda _name: False,
        is_hidden: Callable[[str], bool] = lambda _name: False,
        approval_timeout: timedelta = DEFAULT_APPROVAL_TIMEOUT,
    ) -> None:
        self._data: dict[str, _TargetData] = {}
        self._is_favourite = is_favourite
        self._is_hidden = is_hidden
        self._approval_timeout = approval_timeout
        for target in targets:
            self.add_target(target)

    def add_target(self, target: Target) -> None:
        self._data.setdefault(target.key, _TargetData(target))

    @property
    def targets(self) -> list[Target]:
        return [d.target for d in self._data.values()]

    # --- reads -------------------------------------------------------------------------------

    def rows(self, target: Target | None = None, *, ordered: bool = True) -> list[PipelineRow]:
        """Every visible pipeline's row (hidden ones left out), in the default order (or in no
        particular order with ``ordered=False``: sorting 1,000 rows is a millisecond a poll)."""
        found = [row for d in self._targets(target) for row in d.rows.values()]
        return sorted(found, key=sort_key) if ordered else found

    def row(self, target: Target, name: str) -> PipelineRow | None:
        d = self._data.get(target.key)
        return d.rows.get(name) if d else None

    def summary(self, target: Target, name: str) -> PipelineSummary | None:
        d = self._data.get(target.key)
        return d.summaries.get(name) if d else None

    def definition(self, target: Target, name: str) -> PipelineDef | None:
        d = self._data.get(target.key)
        return d.definitions.get(name) if d else None

    def state(self, target: Target, name: str) -> PipelineState | None:
        d = self._data.get(target.key)
        return d.states.get(name) if d else None

    def latest_execution(self, target: Target, name: str) -> ExecutionSummary | None:
        d = self._data.get(target.key)
        return d.latest.get(name) if d else None

    def identity(self, target: Target) -> Identity | None:
        d = self._data.get(target.key)
        return d.identity if d else None

    def freshness(self, target: Target) -> Freshness:
        d = self._data.get(target.key)
        return d.freshness if d else Freshness()

    def approvals(self, target: Target | None = None) -> list[ApprovalRequest]:
        """Every manual approval that waits, oldest first."""
        found = [a for d in self._targets(target) for group in d.approvals.values() for a in group]
        return sorted(found, key=lambda a: (a.waiting_since is None, a.waiting_since or datetime.min))

    def read_mark(self, target: Target, name: str) -> ReadMark:
        d = self._data.get(target.key)
        return d.reads.get(name, ReadMark()) if d else ReadMark()

    def coverage(
        self,
        now: datetime,
        targets: Iterable[Target] | None = None,
        *,
        max_age: timedelta = COVERAGE_MAX_AGE,
    ) -> Coverage:
        """How much of ``targets`` (all when None) is known well enough to say what waits there.

        A pipeline is known when its latest execution was read, the target's calls are not
        failing, the last read of it succeeded within ``max_age``, and, if that execution is
        running (only a running execution can wait for an approval), its state was read too.
        """
        scope = self._targets(None) if targets is None else [d for t in targets for d in self._targets(t)]
        unread: dict[str, int] = {}
        unlisted: list[tuple[str, str]] = []
        total = 0
        for d in scope:
            if not d.freshness.listed:
                why = d.list_error or (
                    short_reason(d.freshness.stale_reason) if d.freshness.stale_reason else NOT_READ_YET
                )
                unlisted.append((d.target.label, why))
                continue
            failing = short_reason(d.freshness.stale_reason) if d.freshness.stale_reason else None
            for name in d.summaries:
                total += 1
                unknown = failing or self._unknown_because(d, name, now, max_age)
                if unknown is not None:
                    unread[unknown] = unread.get(unknown, 0) + 1
        return Coverage(total, unread, tuple(unlisted))

    @staticmethod
    def _unknown_because(d: _TargetData, name: str, now: datetime, max_age: timedelta) -> str | None:
        mark = d.reads.get(name, ReadMark())
        if mark.error:
            return mark.error
        if name not in d.latest:
            return _denied_reason(d, "ListPipelineExecutions") or NOT_READ_YET
        latest = d.latest[name]
        running = latest is not None and latest.status in _RUNNING
        if running and name not in d.states:
            return _denied_reason(d, "GetPipelineState") or NOT_READ_YET
        last = mark.state_at if running else mark.latest_at
        if last is not None and now - last > max_age:
            return f"not read for over {int(max_age.total_seconds() // 60)} min"
        return None

    def _targets(self, target: Target | None) -> list[_TargetData]:
        if target is None:
            return list(self._data.values())
        d = self._data.get(target.key)
        return [d] if d else []

    # --- writes ------------------------------------------------------------------------------

    def set_identity(self, target: Target, identity: Identity) -> StoreChange:
        d = self._data[target.key]
        if d.identity == identity:
            return StoreChange(target)
        d.identity = identity
        return StoreChange(target, freshness=True)

    def paint_cached(self, target: Target, rows: Iterable[PipelineRow], saved_at: datetime) -> StoreChange:
        """Rows from the warm-start cache, shown until read live (``PipelineRow.cached_at``).

        Only for pipelines not known live yet; hidden ones stay hidden. ``loaded`` stays False.
        """
        d = self._data.get(target.key)
        if d is None:
            return StoreChange(target)
        names: set[str] = set()
        for row in rows:
            name = row.name
            if name in d.summaries or self._is_hidden(name):
                continue
            cached = replace(
                row,
                target=target,
                loaded=False,
                favourite=self._is_favourite(name),
                cached_at=row.cached_at or saved_at,
            )
            d.cached[name] = d.rows[name] = cached
            names.add(name)
        return StoreChange(target, frozenset(names), listing=bool(names))

    def drop_cached(self, target: Target) -> StoreChange:
        """Forget the warm-start rows not read live yet (a cache of another account)."""
        d = self._data.get(target.key)
        if d is None or not d.cached:
            return StoreChange(target)
        names = frozenset(d.cached)
        d.cached.clear()
        for name in names:
            if name in d.summaries:
                self._rederive(d, name)
            else:
                d.rows.pop(name, None)
        return StoreChange(target, names, listing=True)

    def rows_to_cache(self, target: Target) -> list[PipelineRow]:
        """What the warm-start cache keeps for the next run: the rows read live, and the cached
        rows of listed pipelines not read yet (with their own, older, ``cached_at``)."""
        d = self._data.get(target.key)
        if d is None:
            return []
        return [row for row in d.rows.values() if row.loaded or row.cached_at is not None]

    def set_pipelines(self, target: Target, summaries: Sequence[PipelineSummary]) -> StoreChange:
        """The pipeline list (ListPipelines): adds, removes and updates rows."""
        d = self._data[target.key]
        listed = {s.name: s for s in summaries}
        removed = set(d.summaries) - set(listed)
        for name in removed:
            for table in (d.summaries, d.latest, d.states, d.definitions, d.rows, d.approvals, d.reads):
                table.pop(name, None)
        gone = set(d.cached) - set(listed)  # cached rows of pipelines deleted since
        for name in gone:
            d.cached.pop(name, None)
            d.rows.pop(name, None)
        removed |= gone
        changed = set(removed)
        added = False
        for name, summary in listed.items():
            if d.summaries.get(name) != summary:
                added = added or name not in d.summaries
                d.summaries[name] = summary
                self._rederive(d, name)
                changed.add(name)
        fresh_changed = not d.freshness.listed
        if fresh_changed:
            d.freshness = replace(d.freshness, listed=True)
        return StoreChange(
            target,
            frozenset(changed),
            listing=bool(removed) or added,
            freshness=fresh_changed,
        )

    def remove_pipeline(self, target: Target, name: str) -> StoreChange:
        """A pipeline cptui itself deleted (DeletePipeline succeeded): its row goes now, before the
        next ListPipelines says so."""
        d = self._data.get(target.key)
        if d is None or (name not in d.summaries and name not in d.rows):
            return StoreChange(target)
        for table in (d.summaries, d.latest, d.states, d.definitions, d.rows, d.approvals, d.reads, d.cached):
            table.pop(name, None)
        return StoreChange(target, frozenset({name}), listing=True)

    def set_latest(self, target: Target, name: str, latest: ExecutionSummary | None) -> StoreChange:
        """The latest execution (ListPipelineExecutions, maxResults=1); None: it never ran."""
        d = self._data[target.key]
        if name not in d.summaries:
            return StoreChange(target)
        known = name in d.latest
        if known and d.latest[name] == latest:
            return StoreChange(target)
        d.latest[name] = latest
        d.cached.pop(name, None)  # read live: the cached row goes
        self._rederive(d, name)
        return StoreChange(target, frozenset({name}))

    def set_state(self, target: Target, name: str, state: PipelineState) -> StoreChange:
        """GetPipelineState: names the stages whose state differs."""
        d = self._data[target.key]
        old = d.states.get(name)
        if old == state:
            return StoreChange(target)
        d.states[name] = state
        stages = changed_stages(old, state)
        self._rederive(d, name)
        return StoreChange(target, frozenset({name}), {name: stages} if stages else {})

    def set_definition(self, target: Target, name: str, definition: PipelineDef) -> StoreChange:
        d = self._data[target.key]
        if d.definitions.get(name) == definition:
            return StoreChange(target)
        d.definitions[name] = definition
        self._rederive(d, name)
        return StoreChange(target, frozenset({name}))

    def mark_read(self, target: Target, name: str, operation: str, when: datetime) -> StoreChange:
        """A poll of one pipeline (``ListPipelineExecutions`` / ``GetPipelineState``) succeeded."""
        d = self._data.get(target.key)
        if d is None or name not in d.summaries:
            return StoreChange(target)
        old = d.reads.get(name, ReadMark())
        if operation == "GetPipelineState":
            new = replace(old, state_at=when, error=None)
        else:
            new = replace(old, latest_at=when, error=None)
        d.reads[name] = new
        # Only a change of what coverage says is news (not every poll's time stamp).
        return StoreChange(target, freshness=True) if old.error else StoreChange(target)

    def mark_unread(self, target: Target, name: str, reason: str) -> StoreChange:
        """A poll of one pipeline failed: until a read succeeds, what waits in it is unknown."""
        d = self._data.get(target.key)
        if d is None or name not in d.summaries:
            return StoreChange(target)
        old = d.reads.get(name, ReadMark())
        if old.error == reason:
            return StoreChange(target)
        d.reads[name] = replace(old, error=reason)
        return StoreChange(target, freshness=True)

    def mark_list_failed(self, target: Target, reason: str | None) -> StoreChange:
        """ListPipelines failed (``reason``) or succeeded (None)."""
        d = self._data.get(target.key)
        if d is None or d.list_error == reason:
            return StoreChange(target)
        d.list_error = reason
        return StoreChange(target, freshness=True)

    def mark_fresh(self, target: Target, when: datetime) -> StoreChange:
        """A call for this target succeeded at ``when``: no longer stale."""
        return self._set_freshness(target, updated_at=when, stale_reason=None)

    def mark_stale(self, target: Target, reason: str) -> StoreChange:
        """Calls for this target fail: keep the data, say why it is old."""
        return self._set_freshness(target, stale_reason=reason)

    def set_mode(self, target: Target, mode: str) -> StoreChange:
        """How this target's updates arrive (``live · events`` or ``polling (why)``)."""
        if target.key not in self._data:
            return StoreChange(target)
        return self._set_freshness(target, mode=mode)

    def set_throttled(self, target: Target, throttled: bool) -> StoreChange:
        return self._set_freshness(target, throttled=throttled)

    def mark_denied(self, target: Target, permission: str) -> StoreChange:
        """A poll was refused: ``permission`` (an IAM action) is missing; the rest keeps working."""
        denied = self._data[target.key].freshness.denied
        if permission in denied:
            return StoreChange(target)
        return self._set_freshness(target, denied=(*denied, permission))

    def clear_denied(self, target: Target, permission: str) -> StoreChange:
        """A call needing ``permission`` succeeded (the policy changed)."""
        denied = self._data[target.key].freshness.denied
        if permission not in denied:
            return StoreChange(target)
        return self._set_freshness(target, denied=tuple(p for p in denied if p != permission))

    def _set_freshness(self, target: Target, **values: object) -> StoreChange:
        d = self._data[target.key]
        updated = replace(d.freshness, **values)  # type: ignore[arg-type]
        if updated == d.freshness:
            return StoreChange(target)
        d.freshness = updated
        return StoreChange(target, freshness=True)

    def rederive_all(self) -> list[StoreChange]:
        """Derive every row again (a rule such as the favourites changed): one change per target."""
        changes = []
        for d in self._data.values():
            changed: set[str] = set()
            for name in list(d.summaries):
                changed |= self._rederive(d, name)
            for name, row in list(d.cached.items()):
                if name in d.summaries:
                    continue
                new = None if self._is_hidden(name) else replace(row, favourite=self._is_favourite(name))
                if d.rows.get(name) != new:
                    changed.add(name)
                    if new is None:
                        d.rows.pop(name, None)
                    else:
                        d.rows[name] = new
            if changed:
                changes.append(StoreChange(d.target, pipelines=frozenset(changed)))
        return changes

    # --- derivation --------------------------------------------------------------------------

    def _rederive(self, d: _TargetData, name: str) -> set[str]:
        """Recompute a pipeline's row and approvals; the names whose row changed."""
        summary = d.summaries.get(name)
        if summary is None:
            return set()
        state = d.states.get(name)
        latest = d.latest.get(name)
        approvals = approvals_from_state(
            d.target, state, d.definitions.get(name), latest, default_timeout=self._approval_timeout
        )
        d.approvals[name] = tuple(approvals)
        if self._is_hidden(name):
            d.rows.pop(name, None)
            return set()
        stage = current_stage(latest, state)
        loaded = name in d.latest
        cached = d.cached.get(name) if not loaded else None
        if cached is not None:
            # Listed, not read yet: the cached row stays (with what the list says) until it is.
            row = replace(
                cached,
                pipeline_type=summary.pipeline_type,
                execution_mode=summary.execution_mode,
                favourite=self._is_favourite(name),
                updated=summary.updated,
            )
            if d.rows.get(name) == row:
                return set()
            d.rows[name] = row
            return {name}
        row = PipelineRow(
            target=d.target,
            name=name,
            pipeline_type=summary.pipeline_type,
            execution_mode=summary.execution_mode,
            latest=latest,
            loaded=loaded,
            stage=stage,
            favourite=self._is_favourite(name),
            updated=summary.updated,
            standing=standing_of(latest, state, loaded=loaded, approvals=approvals),
        )
        if d.rows.get(name) == row:
            return set()
        d.rows[name] = row
        return {name}


def _denied_reason(d: _TargetData, operation: str) -> str | None:
    permission = f"codepipeline:{operation}"
    return f"access denied ({operation})" if permission in d.freshness.denied else None


def changed_stages(old: PipelineState | None, new: PipelineState) -> frozenset[str]:
    """Names of the stages whose state differs (added and removed stages included)."""
    before = {s.name: s for s in old.stages} if old else {}
    after = {s.name: s for s in new.stages}
    return frozenset(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))


def stage_statuses_changed(old: PipelineState | None, new: PipelineState) -> bool:
    """True when any stage's latest execution (id or status) differs: what the list cares about."""
    before = [(s.name, s.latest) for s in old.stages] if old else None
    return before != [(s.name, s.latest) for s in new.stages]


def latest_outdated(latest: ExecutionSummary | None, state: PipelineState) -> bool:
    """True when GetPipelineState shows the known latest execution (ListPipelineExecutions) out of
    date: a stage runs another execution (a newer one started), the known one is running but no
    stage runs or holds it (it ended), or it ended but a stage runs it again (a retry). The poller
    then asks for the latest execution once instead of every cycle."""
    if latest is None:
        return any(s.latest for s in state.stages)
    mine = latest.execution_id
    running = {s.latest.execution_id for s in state.stages if s.latest and s.latest.status in _RUNNING}
    if running - {mine}:
        return True
    if latest.status in _RUNNING:
        return mine not in running and inbound_stage(state, mine) is None
    return mine in running


def approvals_from_state(
    target: Target,
    state: PipelineState | None,
    definition: PipelineDef | None,
    latest: ExecutionSummary | None = None,
    *,
    default_timeout: timedelta = DEFAULT_APPROVAL_TIMEOUT,
) -> list[ApprovalRequest]:
    """Manual approvals that wait in this state (an action with a token).

    The expiry is the action's ``timeoutInMinutes`` from the definition, else CodePipeline's default
    of 7 days, counted from when the action started waiting; None until the definition is known.
    """
    if state is None:
        return []
    found: list[ApprovalRequest] = []
    for stage in state.stages:
        stage_def = definition.stage(stage.name) if definition else None
        for action in stage.actions:
            if not action.token:
                continue
            action_def = stage_def.action(action.name) if stage_def else None
            config: Mapping[str, str] = action_def.configuration if action_def else {}
            # Without the definition the timeout is unknown: showing the 7-day default could tell
            # an approver they have days left when the action expires in minutes.
            timeout: timedelta | None = None
            if action_def is not None:
                timeout = (
                    timedelta(minutes=action_def.timeout_minutes)
                    if action_def.timeout_minutes
                    else default_timeout
                )
            since = action.last_status_change
            execution_id = stage.latest.execution_id if stage.latest else None
            revisions: tuple[SourceRevision, ...] = ()
            if latest is not None and latest.execution_id == execution_id:
                revisions = latest.source_revisions
            found.append(
                ApprovalRequest(
                    target=target,
                    pipeline_name=state.name,
                    stage_name=stage.name,
                    action_name=action.name,
                    token=action.token,
                    execution_id=execution_id,
                    waiting_since=since,
                    expires_at=since + timeout if since and timeout else None,
                    custom_data=config.get("CustomData"),
                    external_url=config.get("ExternalEntityLink") or action.entity_url,
                    source_revisions=revisions,
                )
            )
    return found

"""The latest known data, per target, and what changed: plain Python, no Textual.

The poll controller writes results in (``set_*``); each write returns a ``StoreChange`` naming exactly
the pipelines (and stages) whose data differs, found by comparing frozen dataclasses with ``==``.
Screens read through the query methods and redraw only what a change names. Nothing here is ever
thrown away on an error: a failing target keeps its last data and is marked stale instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from tui.core.model import (
    RUNNING_STATUSES,
    ApprovalRequest,
    ExecutionSummary,
    Identity,
    PipelineDef,
    PipelineState,
    PipelineSummary,
    Target,
    current_stage,
    standing_of,
)
from tui.core.store.coverage import COVERAGE_MAX_AGE, NOT_READ_YET, Coverage, ReadMark, short_reason
from tui.core.store.derive import DEFAULT_APPROVAL_TIMEOUT, approvals_from_state, changed_stages
from tui.core.store.rows import Freshness, PipelineRow, StoreChange, sort_key


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
        running = latest is not None and latest.status in RUNNING_STATUSES
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

"""What changed between an execution and the last one that succeeded: source revisions and variables.

Pure functions (no Textual) so the rules are unit-testable: the baseline is the most recent
Succeeded execution *older* than the one shown, found in the history pages (newest first). The
execution screen's "since the last success" and the insights' "what broke it" both start here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from tui.core.model import ArtifactRevision, Execution, ExecutionSummary, ExecutionType, Status


class ChangeKind(str, Enum):
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class Change:
    key: str
    kind: ChangeKind
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True)
class ExecutionDiff:
    baseline_id: str
    revisions: tuple[Change, ...]
    variables: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        return not self.revisions and not self.variables


def find_last_success(history: Sequence[ExecutionSummary], execution_id: str) -> str | bool | None:
    """The id of the newest Succeeded execution older than ``execution_id``.

    ``history`` is newest first. Returns None when the execution is in ``history`` but no older
    success is (yet) in it, and False when the execution itself is not in ``history`` (load more).
    """
    ids = [s.execution_id for s in history]
    if execution_id not in ids:
        return False
    for summary in history[ids.index(execution_id) + 1 :]:
        if summary.status == Status.SUCCEEDED:
            return summary.execution_id
    return None


@dataclass(frozen=True)
class Breakage:
    """Where a failing pipeline broke: the first failing execution after the last success."""

    first_failure_id: str
    last_success_id: str | None  # None: no success in the history that was read
    failures_since: int  # failing executions since the last success, the first included


def find_breakage(history: Sequence[ExecutionSummary]) -> Breakage | None:
    """For a pipeline whose newest finished standard execution failed: the oldest Failed
    execution newer than the last success (``find_last_success``), else None (it is not failing).

    ``history`` is newest first. Running, stopped, superseded and rollback executions neither
    break nor mend the pipeline; they are passed over."""
    decided = [
        s
        for s in history
        if s.status in (Status.SUCCEEDED, Status.FAILED) and s.execution_type != ExecutionType.ROLLBACK
    ]
    if not decided or decided[0].status != Status.FAILED:
        return None
    baseline = find_last_success(decided, decided[0].execution_id)
    newer = decided
    if isinstance(baseline, str):
        newer = decided[: [s.execution_id for s in decided].index(baseline)]
    return Breakage(
        first_failure_id=newer[-1].execution_id,
        last_success_id=baseline if isinstance(baseline, str) else None,
        failures_since=len(newer),
    )


def _revision_value(revision: ArtifactRevision) -> str:
    parts = [revision.revision_id or ""]
    if revision.revision_change_identifier:
        parts.append(revision.revision_change_identifier)
    return " ".join(parts)


def _diff_maps(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[Change, ...]:
    changes: list[Change] = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            changes.append(Change(key, ChangeKind.ADDED, None, new[key]))
        elif key not in new:
            changes.append(Change(key, ChangeKind.REMOVED, old[key], None))
        elif old[key] != new[key]:
            changes.append(Change(key, ChangeKind.CHANGED, old[key], new[key]))
    return tuple(changes)


def diff_executions(baseline: Execution, current: Execution) -> ExecutionDiff:
    """Revisions (by artifact name) and variables (by name) that differ from ``baseline``."""
    old_revisions = {r.name: _revision_value(r) for r in baseline.artifact_revisions}
    new_revisions = {r.name: _revision_value(r) for r in current.artifact_revisions}
    return ExecutionDiff(
        baseline_id=baseline.execution_id,
        revisions=_diff_maps(old_revisions, new_revisions),
        variables=_diff_maps(dict(baseline.variables), dict(current.variables)),
    )

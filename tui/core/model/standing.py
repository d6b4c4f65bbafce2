"""Where a pipeline stands: one derivation for every screen (list, graph, inbox, notifications,
watch list), from the latest execution, the pipeline's state and the approvals that wait."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from tui.core.model.enums import RUNNING_STATUSES, Status
from tui.core.model.executions import ApprovalRequest, ExecutionSummary
from tui.core.model.state import PipelineState, StageState


class StandingKind(str, Enum):
    LOADING = "loading"
    NEVER = "never"
    RUNNING = "running"
    STOPPING = "stopping"
    APPROVAL = "approval"  # a manual approval waits for a person
    HELD = "held"  # the execution waits before a disabled transition
    QUEUED = "queued"  # the execution waits before a stage another execution occupies
    CONDITION = "condition"  # a V2 stage condition (entry / on success) is being checked and holds it
    FAILED = "failed"
    STOPPED = "stopped"
    SUCCEEDED = "succeeded"
    OTHER = "other"  # Superseded, Cancelled, a status AWS adds tomorrow: the status's own word


_STANDING_LOOK: dict[StandingKind, tuple[str, str, str]] = {
    # kind: (glyph, word, style)
    StandingKind.LOADING: ("…", "loading", "muted"),
    StandingKind.NEVER: ("○", "Never run", "muted"),
    StandingKind.APPROVAL: ("⏸", "Approval", "warning"),
    StandingKind.HELD: ("⊘", "Held", "warning"),
    StandingKind.QUEUED: ("⏸", "Queued", "muted"),
    StandingKind.CONDITION: ("⊘", "Held", "warning"),
}


@dataclass(frozen=True)
class Standing:
    """Where a pipeline's latest execution stands, as every screen says it (list, graph, inbox,
    notifications): ``kind``, the stage it concerns, and for a waiting approval when it expires.

    ``status`` is the latest execution's own status (None while loading / never run)."""

    kind: StandingKind
    status: Status | None = None
    stage: str | None = None
    expires_at: datetime | None = None

    @property
    def _look(self) -> tuple[str, str, str]:
        """(glyph, word, style): the kind's own look, else the execution status's."""
        look = _STANDING_LOOK.get(self.kind)
        if look is not None:
            return look
        if self.status is None:
            return ("?", "?", "warning")
        return (self.status.glyph, self.status.label, self.status.style)

    @property
    def glyph(self) -> str:
        return self._look[0]

    @property
    def word(self) -> str:
        """One word for the list's status column: ``Running``, ``Approval``, ``Held``, ``Failed``…"""
        return self._look[1]

    @property
    def style(self) -> str:
        return self._look[2]

    @property
    def overrides_status(self) -> bool:
        """True when this says more than the execution's status: it waits for an approval, is held
        at a disabled transition, or is queued (the status alone would say Running)."""
        return self.kind in (
            StandingKind.APPROVAL,
            StandingKind.HELD,
            StandingKind.QUEUED,
            StandingKind.CONDITION,
        )

    @property
    def sentence(self) -> str:
        """The long form, for the pipeline screen and notices: ``Held at the transition into
        Production``, ``Waiting for approval in Approval``, ``Failed in Deploy``."""
        stage = self.stage
        if self.kind is StandingKind.APPROVAL:
            return f"Waiting for approval in {stage}" if stage else "Waiting for approval"
        if self.kind is StandingKind.HELD:
            return (
                f"Held at the disabled transition into {stage}" if stage else "Held at a disabled transition"
            )
        if self.kind is StandingKind.QUEUED:
            return f"Queued before {stage}" if stage else "Queued"
        if self.kind is StandingKind.CONDITION:
            return f"Held by a stage condition in {stage}" if stage else "Held by a stage condition"
        if stage and self.kind in (StandingKind.RUNNING, StandingKind.STOPPING):
            return f"{self.word} in {stage}"
        if stage and self.kind in (StandingKind.FAILED, StandingKind.STOPPED):
            return f"{self.word} in {stage}"
        return self.word

    def words(self) -> tuple[str, ...]:
        """What ``status:`` filters match: the kind, the word and the execution's own status."""
        found = [self.kind.value, self.word.lower()]
        if self.status is not None:
            found += [self.status.value.lower(), self.status.label.lower()]
        if self.kind is StandingKind.APPROVAL:
            found.append("waiting")
        if self.kind is StandingKind.CONDITION:
            found.append("held")
        return tuple(found)


_HALTED: tuple[Status, ...] = (Status.FAILED, Status.STOPPED, Status.STOPPING)


def inbound_stage(state: PipelineState | None, execution_id: str) -> StageState | None:
    """The first stage whose inbound transition holds this execution (it waits before it), if any."""
    if state is None:
        return None
    return next((s for s in state.stages if any(r.execution_id == execution_id for r in s.inbound)), None)


def condition_stage(state: PipelineState | None, execution_id: str) -> StageState | None:
    """The stage whose entry or on-success condition holds this execution now, if any."""
    if state is None:
        return None
    return next(
        (
            s
            for s in state.stages
            if s.latest and s.latest.execution_id == execution_id and s.blocked_by_condition is not None
        ),
        None,
    )


def held_stage(state: PipelineState | None, execution_id: str) -> StageState | None:
    """The stage whose inbound transition holds this execution while it runs in no stage, if any."""
    if state is None:
        return None
    if any(
        s.latest and s.latest.execution_id == execution_id and s.status in RUNNING_STATUSES
        for s in state.stages
    ):
        return None
    return inbound_stage(state, execution_id)


def current_stage(latest: ExecutionSummary | None, state: PipelineState | None) -> str | None:
    """The stage the latest execution is in (running), ended in (failed / stopped) or waits before
    (held at its inbound transition): the list's stage column and the standing's stage.

    A stage of this execution first; else, while GetPipelineState is ahead of the known latest
    execution, any stage in that condition; else the stage it waits before. None when it
    succeeded, ended otherwise (Superseded, Cancelled, ...) or the state is not known."""
    if latest is None or state is None:
        return None
    if latest.status in RUNNING_STATUSES:
        wanted = RUNNING_STATUSES
    elif latest.status in _HALTED:
        wanted = _HALTED
    else:
        return None
    mine = [s for s in state.stages if s.latest and s.latest.execution_id == latest.execution_id]
    for stages in (mine, state.stages):
        match = next((s for s in stages if s.status in wanted), None)
        if match is not None:
            return match.name
    held = inbound_stage(state, latest.execution_id)
    return held.name if held else None


def standing_of(
    latest: ExecutionSummary | None,
    state: PipelineState | None,
    *,
    loaded: bool = True,
    approvals: Iterable[ApprovalRequest] = (),
) -> Standing:
    """Where the pipeline stands, from its latest execution (ListPipelineExecutions), its state
    (GetPipelineState, None when not read) and the approvals waiting in that state. Its stage is
    ``current_stage``'s, unless an approval, a condition or a transition holds the execution."""
    if not loaded:
        return Standing(StandingKind.LOADING)
    if latest is None:
        return Standing(StandingKind.NEVER, Status.IDLE)
    status = latest.status
    waiting = list(approvals)
    if waiting:
        mine = [a for a in waiting if a.execution_id in (None, latest.execution_id)] or waiting
        dated = [a for a in mine if a.expires_at is not None]
        first = (
            min(dated, key=lambda a: a.expires_at.timestamp() if a.expires_at else 0.0) if dated else mine[0]
        )
        return Standing(StandingKind.APPROVAL, status, first.stage_name, first.expires_at)
    if status == Status.IN_PROGRESS:
        gated = condition_stage(state, latest.execution_id)
        if gated is not None:
            return Standing(StandingKind.CONDITION, status, gated.name)
        held = held_stage(state, latest.execution_id)
        if held is not None:
            kind = StandingKind.QUEUED if held.transition.enabled else StandingKind.HELD
            return Standing(kind, status, held.name)
    kind = _KIND_OF_STATUS.get(status.value, StandingKind.OTHER)
    if kind is StandingKind.SUCCEEDED:
        return Standing(kind, status)
    return Standing(kind, status, current_stage(latest, state))


_KIND_OF_STATUS = {
    "InProgress": StandingKind.RUNNING,
    "Stopping": StandingKind.STOPPING,
    "Failed": StandingKind.FAILED,
    "Stopped": StandingKind.STOPPED,
    "Succeeded": StandingKind.SUCCEEDED,
}

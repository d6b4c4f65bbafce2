"""Where a pipeline's stages are now (GetPipelineState): each stage's latest and inbound
executions, transition, action states and condition states."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tui.core.model.enums import ConditionKind, ConditionStatus, ExecutionType, Status


@dataclass(frozen=True)
class ActionState:
    name: str
    status: Status = Status.IDLE
    last_status_change: datetime | None = None
    summary: str | None = None
    external_execution_id: str | None = None
    external_execution_url: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    token: str | None = None  # approval token, only while an approval waits
    percent_complete: int | None = None
    action_execution_id: str | None = None
    revision_id: str | None = None
    revision_change_id: str | None = None
    entity_url: str | None = None
    revision_url: str | None = None


@dataclass(frozen=True)
class TransitionState:
    enabled: bool = True
    last_changed_by: str | None = None
    last_changed_at: datetime | None = None
    disabled_reason: str | None = None


@dataclass(frozen=True)
class ExecutionRef:
    """A stage's latest or inbound execution, as GetPipelineState reports it."""

    execution_id: str
    status: Status
    execution_type: ExecutionType = ExecutionType.STANDARD


@dataclass(frozen=True)
class RuleState:
    """A condition rule's latest evaluation, as GetPipelineState reports it."""

    name: str
    status: Status = Status.IDLE
    summary: str | None = None
    last_status_change: datetime | None = None
    rule_execution_id: str | None = None
    external_execution_id: str | None = None
    external_execution_url: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    entity_url: str | None = None
    last_updated_by: str | None = None  # who overrode the condition, when one did


@dataclass(frozen=True)
class ConditionState:
    status: ConditionStatus | None = None  # None: not evaluated yet
    summary: str | None = None
    last_status_change: datetime | None = None
    rules: tuple[RuleState, ...] = ()


@dataclass(frozen=True)
class StageConditionState:
    """``beforeEntryConditionState`` / ``onSuccessConditionState`` / ``onFailureConditionState``."""

    kind: ConditionKind
    status: ConditionStatus | None = None  # None: not evaluated yet (unknown, not "passed")
    summary: str | None = None
    conditions: tuple[ConditionState, ...] = ()

    @property
    def in_progress(self) -> bool:
        return self.status == ConditionStatus.IN_PROGRESS

    @property
    def rules(self) -> tuple[RuleState, ...]:
        return tuple(r for c in self.conditions for r in c.rules)


@dataclass(frozen=True)
class StageState:
    name: str
    transition: TransitionState = field(default_factory=TransitionState)
    latest: ExecutionRef | None = None
    inbound: tuple[ExecutionRef, ...] = ()  # executions held at the inbound transition
    actions: tuple[ActionState, ...] = ()
    before_entry: StageConditionState | None = None
    on_success: StageConditionState | None = None
    on_failure: StageConditionState | None = None

    @property
    def blocked_by_condition(self) -> StageConditionState | None:
        """The condition holding the stage's latest execution now (entry or on-success, being
        checked while the stage is in progress), if any."""
        if self.status != Status.IN_PROGRESS:
            return None
        for cond in (self.before_entry, self.on_success):
            if cond is not None and cond.in_progress:
                return cond
        return None

    @property
    def status(self) -> Status:
        return self.latest.status if self.latest else Status.IDLE

    def action(self, name: str) -> ActionState | None:
        return next((a for a in self.actions if a.name == name), None)


@dataclass(frozen=True)
class PipelineState:
    name: str
    version: int
    stages: tuple[StageState, ...]
    created: datetime | None = None
    updated: datetime | None = None

    def stage(self, name: str) -> StageState | None:
        return next((s for s in self.stages if s.name == name), None)

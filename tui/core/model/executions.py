"""Executions (ListPipelineExecutions, GetPipelineExecution), their action and rule executions
(ListActionExecutions, ListRuleExecutions), pages of them, and the manual approvals that wait."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from tui.core.model.enums import ActionCategory, ExecutionMode, ExecutionType, Status, TriggerType
from tui.core.model.target import Target

T = TypeVar("T")


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    """How long from ``start`` to ``end``; None while either is unknown."""
    if not start or not end:
        return None
    return (end - start).total_seconds()


@dataclass(frozen=True)
class RuleExecution:
    """One rule evaluation of one execution (an item of ListRuleExecutions)."""

    execution_id: str
    rule_execution_id: str
    stage_name: str
    rule_name: str
    status: Status
    pipeline_version: int | None = None
    provider: str = ""
    start_time: datetime | None = None
    last_update_time: datetime | None = None
    updated_by: str | None = None
    configuration: Mapping[str, str] = field(default_factory=dict)
    resolved_configuration: Mapping[str, str] = field(default_factory=dict)
    external_execution_id: str | None = None
    summary: str | None = None
    external_execution_url: str | None = None
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class SourceRevision:
    action_name: str
    revision_id: str | None = None
    revision_summary: str | None = None
    revision_url: str | None = None

    @property
    def short_id(self) -> str:
        rid = self.revision_id or ""
        return rid[:8] if len(rid) == 40 else rid[:16]


@dataclass(frozen=True)
class Trigger:
    trigger_type: TriggerType
    detail: str = ""


@dataclass(frozen=True)
class ExecutionSummary:
    """One row of ListPipelineExecutions (and the core of GetPipelineExecution)."""

    pipeline_name: str
    execution_id: str
    status: Status
    start_time: datetime | None = None
    last_update_time: datetime | None = None
    status_summary: str | None = None
    source_revisions: tuple[SourceRevision, ...] = ()
    trigger: Trigger | None = None
    stop_reason: str | None = None
    execution_mode: ExecutionMode | None = None
    execution_type: ExecutionType = ExecutionType.STANDARD
    rollback_target: str | None = None

    @property
    def duration_seconds(self) -> float | None:
        return seconds_between(self.start_time, self.last_update_time)


@dataclass(frozen=True)
class ArtifactRevision:
    name: str
    revision_id: str | None = None
    revision_change_identifier: str | None = None
    revision_summary: str | None = None
    created: datetime | None = None
    revision_url: str | None = None


@dataclass(frozen=True)
class Execution:
    """GetPipelineExecution: one execution in full."""

    pipeline_name: str
    pipeline_version: int
    execution_id: str
    status: Status
    status_summary: str | None = None
    artifact_revisions: tuple[ArtifactRevision, ...] = ()
    variables: Mapping[str, str] = field(default_factory=dict)
    trigger: Trigger | None = None
    execution_mode: ExecutionMode | None = None
    execution_type: ExecutionType = ExecutionType.STANDARD
    rollback_target: str | None = None


@dataclass(frozen=True)
class ActionExecution:
    """One row of ListActionExecutions."""

    pipeline_execution_id: str
    action_execution_id: str
    stage_name: str
    action_name: str
    status: Status
    start_time: datetime | None = None
    last_update_time: datetime | None = None
    provider: str = ""
    category: ActionCategory | None = None
    run_order: int | None = None
    input_artifacts: tuple[str, ...] = ()
    output_artifacts: tuple[str, ...] = ()
    configuration: Mapping[str, str] = field(default_factory=dict)
    output_variables: Mapping[str, str] = field(default_factory=dict)
    summary: str | None = None
    external_execution_id: str | None = None
    external_execution_url: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    updated_by: str | None = None

    @property
    def duration_seconds(self) -> float | None:
        return seconds_between(self.start_time, self.last_update_time)


@dataclass(frozen=True)
class Page(Generic[T]):
    """A page of results with the token that fetches the next one."""

    items: tuple[T, ...]
    next_token: str | None = None


# --- approvals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalRequest:
    """A manual approval that waits, with everything an approver needs to decide."""

    target: Target
    pipeline_name: str
    stage_name: str
    action_name: str
    token: str
    execution_id: str | None = None
    waiting_since: datetime | None = None
    expires_at: datetime | None = None
    custom_data: str | None = None
    external_url: str | None = None
    source_revisions: tuple[SourceRevision, ...] = ()

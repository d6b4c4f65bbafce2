"""cptui's domain vocabulary: pure data, no Textual, no botocore.

Everything above ``tui/aws/`` speaks only these types. Dataclasses are frozen so that a poll can
compare old and new objects with ``==`` to find what changed. Status enums are "open": an unknown
value that AWS adds tomorrow becomes a pseudo-member that keeps its text instead of crashing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class OpenEnum(str, Enum):
    """A string enum that accepts values it does not know, keeping them as they are."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        # Pseudo-member: not registered in the class, compares equal to its text.
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    @property
    def known(self) -> bool:
        return self._name_ != "UNKNOWN"

    def __str__(self) -> str:
        return str(self.value)


class Status(OpenEnum):
    """Union of pipeline-, stage- and action-execution statuses, plus ``Idle`` for never-run."""

    IN_PROGRESS = "InProgress"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    STOPPED = "Stopped"
    STOPPING = "Stopping"
    SUPERSEDED = "Superseded"
    CANCELLED = "Cancelled"
    ABANDONED = "Abandoned"
    SKIPPED = "Skipped"
    IDLE = "Idle"

    @property
    def glyph(self) -> str:
        """A glyph per status, so status is never conveyed by colour alone."""
        return _GLYPHS.get(self.value, "?")

    @property
    def style(self) -> str:
        """A theme-variable-friendly style name: success, error, warning, accent or muted."""
        return _STYLES.get(self.value, "warning")

    @property
    def is_terminal(self) -> bool:
        return self.value not in ("InProgress", "Stopping", "Idle")

    @property
    def label(self) -> str:
        return {"InProgress": "Running"}.get(self.value, self.value)


_GLYPHS = {
    "InProgress": "●",
    "Succeeded": "✔",
    "Failed": "✖",
    "Stopped": "■",
    "Stopping": "◧",
    "Superseded": "↷",
    "Cancelled": "⊘",
    "Abandoned": "⊘",
    "Skipped": "»",
    "Idle": "○",
}
_STYLES = {
    "InProgress": "accent",
    "Succeeded": "success",
    "Failed": "error",
    "Stopped": "warning",
    "Stopping": "warning",
    "Superseded": "muted",
    "Cancelled": "muted",
    "Abandoned": "muted",
    "Skipped": "muted",
    "Idle": "muted",
}


class ExecutionMode(OpenEnum):
    QUEUED = "QUEUED"
    SUPERSEDED = "SUPERSEDED"
    PARALLEL = "PARALLEL"


class PipelineType(OpenEnum):
    V1 = "V1"
    V2 = "V2"


class ExecutionType(OpenEnum):
    STANDARD = "STANDARD"
    ROLLBACK = "ROLLBACK"


class TriggerType(OpenEnum):
    CREATE_PIPELINE = "CreatePipeline"
    START_PIPELINE_EXECUTION = "StartPipelineExecution"
    POLL_FOR_SOURCE_CHANGES = "PollForSourceChanges"
    WEBHOOK = "Webhook"
    CLOUDWATCH_EVENT = "CloudWatchEvent"
    PUT_ACTION_REVISION = "PutActionRevision"
    WEBHOOK_V2 = "WebhookV2"
    MANUAL_ROLLBACK = "ManualRollback"
    AUTOMATED_ROLLBACK = "AutomatedRollback"


class ActionCategory(OpenEnum):
    SOURCE = "Source"
    BUILD = "Build"
    DEPLOY = "Deploy"
    TEST = "Test"
    INVOKE = "Invoke"
    APPROVAL = "Approval"
    COMPUTE = "Compute"


class RetryMode(OpenEnum):
    FAILED_ACTIONS = "FAILED_ACTIONS"
    ALL_ACTIONS = "ALL_ACTIONS"


class BuildStatus(OpenEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    FAULT = "FAULT"
    TIMED_OUT = "TIMED_OUT"
    IN_PROGRESS = "IN_PROGRESS"
    STOPPED = "STOPPED"

    def as_status(self) -> Status:
        return {
            "SUCCEEDED": Status.SUCCEEDED,
            "IN_PROGRESS": Status.IN_PROGRESS,
            "STOPPED": Status.STOPPED,
        }.get(self.value, Status.FAILED)


# --- where data comes from -------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One account+region view: an AWS profile (None = default chain) and a region."""

    region: str
    profile: str | None = None
    name: str | None = None  # display name from the config
    color: str | None = None

    @property
    def label(self) -> str:
        return self.name or f"{self.profile or 'default'}/{self.region}"

    @property
    def key(self) -> str:
        return f"{self.profile or ''}@{self.region}"


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str
    user_id: str = ""


# --- pipeline definition (GetPipeline) -------------------------------------------------------


@dataclass(frozen=True)
class ActionDef:
    name: str
    category: ActionCategory
    owner: str
    provider: str
    run_order: int = 1
    version: str = "1"
    configuration: Mapping[str, str] = field(default_factory=dict)
    input_artifacts: tuple[str, ...] = ()
    output_artifacts: tuple[str, ...] = ()
    region: str | None = None
    timeout_minutes: int | None = None  # the declaration's timeoutInMinutes (approvals: how long they wait)

    @property
    def provider_label(self) -> str:
        if self.category == ActionCategory.APPROVAL:
            return "Manual approval"
        return self.provider


# --- V2 stage conditions, triggers (GetPipeline) ---------------------------------------------


class ConditionKind(OpenEnum):
    """Which of a stage's conditions: OverrideStageCondition takes BEFORE_ENTRY or ON_SUCCESS."""

    BEFORE_ENTRY = "BEFORE_ENTRY"
    ON_SUCCESS = "ON_SUCCESS"
    ON_FAILURE = "ON_FAILURE"

    @property
    def label(self) -> str:
        return {"BEFORE_ENTRY": "entry", "ON_SUCCESS": "on success", "ON_FAILURE": "on failure"}.get(
            self.value, self.value
        )

    @property
    def overridable(self) -> bool:
        """Whether OverrideStageCondition accepts this kind (its ConditionType enum)."""
        return self.value in ("BEFORE_ENTRY", "ON_SUCCESS")


class ConditionResult(OpenEnum):
    """What a condition engages when it fails (entry: FAIL/SKIP; on success: FAIL/ROLLBACK; on
    failure: ROLLBACK/RETRY)."""

    FAIL = "FAIL"
    SKIP = "SKIP"
    ROLLBACK = "ROLLBACK"
    RETRY = "RETRY"


class ConditionStatus(OpenEnum):
    """A condition evaluation's status (ConditionExecutionStatus)."""

    IN_PROGRESS = "InProgress"
    FAILED = "Failed"
    ERRORED = "Errored"
    SUCCEEDED = "Succeeded"
    CANCELLED = "Cancelled"
    ABANDONED = "Abandoned"
    OVERRIDDEN = "Overridden"


@dataclass(frozen=True)
class RuleDef:
    """One rule of a condition (RuleDeclaration): VariableCheck, DeploymentWindow, LambdaInvoke,
    CloudWatchAlarm, Commands ..."""

    name: str
    provider: str
    category: str = "Rule"
    owner: str = "AWS"
    version: str = "1"
    configuration: Mapping[str, str] = field(default_factory=dict)
    input_artifacts: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    region: str | None = None
    role_arn: str | None = None
    timeout_minutes: int | None = None


@dataclass(frozen=True)
class ConditionDef:
    result: ConditionResult | None = None
    rules: tuple[RuleDef, ...] = ()


@dataclass(frozen=True)
class StageConditions:
    """A stage's ``beforeEntry`` / ``onSuccess`` / ``onFailure`` block. ``result`` and
    ``retry_mode`` are onFailure's own members (its conditions may be empty)."""

    kind: ConditionKind
    conditions: tuple[ConditionDef, ...] = ()
    result: ConditionResult | None = None
    retry_mode: RetryMode | None = None

    @property
    def effective_result(self) -> ConditionResult | None:
        """The result that engages: the first condition's, else the block's own."""
        for condition in self.conditions:
            if condition.result is not None:
                return condition.result
        return self.result

    @property
    def rules(self) -> tuple[RuleDef, ...]:
        return tuple(r for c in self.conditions for r in c.rules)


@dataclass(frozen=True)
class GitFilter:
    """Include / exclude glob patterns of one trigger filter criterion."""

    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class GitPushFilter:
    branches: GitFilter | None = None
    tags: GitFilter | None = None
    file_paths: GitFilter | None = None


@dataclass(frozen=True)
class GitPullRequestFilter:
    events: tuple[str, ...] = ()  # OPEN, UPDATED, CLOSED
    branches: GitFilter | None = None
    file_paths: GitFilter | None = None


@dataclass(frozen=True)
class PipelineTriggerDef:
    """A V2 trigger (PipelineTriggerDeclaration): git push / pull request filters on one source."""

    provider_type: str
    source_action: str
    push: tuple[GitPushFilter, ...] = ()
    pull_request: tuple[GitPullRequestFilter, ...] = ()


@dataclass(frozen=True)
class StageDef:
    name: str
    actions: tuple[ActionDef, ...] = ()
    before_entry: StageConditions | None = None
    on_success: StageConditions | None = None
    on_failure: StageConditions | None = None

    def conditions(self, kind: ConditionKind) -> StageConditions | None:
        return {
            ConditionKind.BEFORE_ENTRY: self.before_entry,
            ConditionKind.ON_SUCCESS: self.on_success,
            ConditionKind.ON_FAILURE: self.on_failure,
        }.get(kind)

    @property
    def all_conditions(self) -> tuple[StageConditions, ...]:
        return tuple(c for c in (self.before_entry, self.on_success, self.on_failure) if c is not None)

    def action(self, name: str) -> ActionDef | None:
        return next((a for a in self.actions if a.name == name), None)

    @property
    def run_orders(self) -> tuple[tuple[ActionDef, ...], ...]:
        """Actions grouped by runOrder, ascending: each group runs in parallel."""
        orders = sorted({a.run_order for a in self.actions})
        return tuple(tuple(a for a in self.actions if a.run_order == o) for o in orders)


@dataclass(frozen=True)
class PipelineVariableDef:
    name: str
    default: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class PipelineDef:
    name: str
    version: int
    pipeline_type: PipelineType
    execution_mode: ExecutionMode
    stages: tuple[StageDef, ...]
    variables: tuple[PipelineVariableDef, ...] = ()
    role_arn: str = ""
    arn: str = ""
    created: datetime | None = None
    updated: datetime | None = None
    triggers: tuple[PipelineTriggerDef, ...] = ()

    def stage(self, name: str) -> StageDef | None:
        return next((s for s in self.stages if s.name == name), None)


# The tag CloudFormation puts on every resource of a stack (CDK stacks too): a pipeline that has
# it is managed by that stack, whose next deploy reverts a change made outside it.
CLOUDFORMATION_STACK_TAG = "aws:cloudformation:stack-name"


# What UpdatePipeline does to executions in progress, in AWS's words (CodePipeline API reference,
# PipelineExecution.status and StageExecution.status), for the edit dialog's warning.
UPDATE_CANCELS_IN_PROGRESS = (
    "Executions in progress are cancelled: AWS marks them Cancelled, \"the pipeline's definition was "
    'updated before the pipeline execution could be completed". Editing does not start a new '
    "execution; the next source change or a manual start runs the new version."
)


def cloudformation_stack(tags: Mapping[str, str]) -> str | None:
    """The CloudFormation stack managing a resource with these tags, if any."""
    stack = tags.get(CLOUDFORMATION_STACK_TAG)
    return stack or None


@dataclass(frozen=True)
class PipelineDeclaration:
    """GetPipeline's ``pipeline`` member exactly as AWS sent it (JSON-able), with its metadata.

    ``document`` is what UpdatePipeline takes back (it must not carry ``metadata``, which is a
    sibling in GetPipeline's response and so is never part of it); ``editable()`` is a copy to
    change. Treat ``document`` as read-only.
    """

    name: str
    version: int
    document: Mapping[str, Any]
    arn: str = ""
    created: datetime | None = None
    updated: datetime | None = None

    def editable(self) -> dict[str, Any]:
        """A deep copy of the declaration, safe to edit and send to UpdatePipeline."""
        import copy

        return copy.deepcopy(dict(self.document))


@dataclass(frozen=True)
class PipelineSummary:
    """One row of ListPipelines."""

    name: str
    version: int
    pipeline_type: PipelineType = PipelineType.V1
    execution_mode: ExecutionMode = ExecutionMode.SUPERSEDED
    created: datetime | None = None
    updated: datetime | None = None


# --- pipeline state (GetPipelineState) -------------------------------------------------------


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


# --- rule executions (ListRuleExecutions) ------------------------------------------------------


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


# --- executions ------------------------------------------------------------------------------


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
        if not self.start_time or not self.last_update_time:
            return None
        return (self.last_update_time - self.start_time).total_seconds()


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
        if not self.start_time or not self.last_update_time:
            return None
        return (self.last_update_time - self.start_time).total_seconds()


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


# --- CodeBuild and logs ----------------------------------------------------------------------


@dataclass(frozen=True)
class BuildPhase:
    phase_type: str
    status: BuildStatus | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration_seconds: int | None = None
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildLogs:
    group_name: str | None = None
    stream_name: str | None = None
    deep_link: str | None = None
    cloudwatch_enabled: bool = True
    s3_location: str | None = None
    s3_deep_link: str | None = None  # the log object in the S3 console, when logs go to S3


@dataclass(frozen=True)
class Build:
    build_id: str
    arn: str
    project: str
    status: BuildStatus
    current_phase: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    initiator: str = ""
    source_version: str | None = None
    resolved_source_version: str | None = None
    phases: tuple[BuildPhase, ...] = ()
    logs: BuildLogs = field(default_factory=BuildLogs)

    @property
    def complete(self) -> bool:
        return self.status != BuildStatus.IN_PROGRESS


@dataclass(frozen=True)
class LogEvent:
    timestamp: int  # milliseconds since the epoch, as CloudWatch Logs gives it
    message: str
    ingestion_time: int | None = None


class LiveBatch(list[LogEvent]):
    """One live-tail update's events. ``sampled``: CloudWatch sent a sample of a flood (over 500
    events a second), so lines are missing until the log is read in full."""

    def __init__(self, events: Iterable[LogEvent] = (), *, sampled: bool = False) -> None:
        super().__init__(events)
        self.sampled = sampled


@dataclass(frozen=True)
class LogPage:
    events: tuple[LogEvent, ...]
    next_forward_token: str | None = None
    next_backward_token: str | None = None


# --- where a pipeline stands: one derivation for every screen ----------------------------------


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


_RUNNING: tuple[Status, ...] = (Status.IN_PROGRESS, Status.STOPPING)
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
        s.latest and s.latest.execution_id == execution_id and s.status in _RUNNING for s in state.stages
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
    if latest.status in _RUNNING:
        wanted = _RUNNING
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

"""cptui's domain vocabulary: pure data, no Textual, no botocore.

Everything above ``tui/aws/`` speaks only these types. Dataclasses are frozen so that a poll can
compare old and new objects with ``==`` to find what changed. Status enums are "open": an unknown
value that AWS adds tomorrow becomes a pseudo-member that keeps its text instead of crashing.

One module a subject; import from ``tui.core.model`` (this file names them all):
- ``enums``: the open enums (statuses, modes, types, categories, condition kinds);
- ``target``: a target (profile x region) and its identity;
- ``pipelines``: ListPipelines and GetPipeline (definition, conditions, triggers, declaration);
- ``state``: GetPipelineState;
- ``executions``: executions, action and rule executions, pages, waiting approvals;
- ``builds`` and ``logs``: CodeBuild builds and CloudWatch log events;
- ``standing``: where a pipeline stands, the one derivation every screen shows.
The modules import each other directly, never through this package (the layers test refuses the
cycle that would make).
"""

from __future__ import annotations

from tui.core.model.builds import Build, BuildLogs, BuildPhase
from tui.core.model.enums import (
    RUNNING_STATUSES,
    ActionCategory,
    BuildStatus,
    ConditionKind,
    ConditionResult,
    ConditionStatus,
    ExecutionMode,
    ExecutionType,
    OpenEnum,
    PipelineType,
    RetryMode,
    Status,
    TriggerType,
)
from tui.core.model.executions import (
    ActionExecution,
    ApprovalRequest,
    ArtifactRevision,
    Execution,
    ExecutionSummary,
    Page,
    RuleExecution,
    SourceRevision,
    Trigger,
)
from tui.core.model.logs import LiveBatch, LogEvent, LogPage
from tui.core.model.pipelines import (
    CLOUDFORMATION_STACK_TAG,
    UPDATE_CANCELS_IN_PROGRESS,
    ActionDef,
    ConditionDef,
    GitFilter,
    GitPullRequestFilter,
    GitPushFilter,
    PipelineDeclaration,
    PipelineDef,
    PipelineSummary,
    PipelineTriggerDef,
    PipelineVariableDef,
    RuleDef,
    StageConditions,
    StageDef,
    cloudformation_stack,
)
from tui.core.model.standing import (
    Standing,
    StandingKind,
    condition_stage,
    current_stage,
    held_stage,
    inbound_stage,
    standing_of,
)
from tui.core.model.state import (
    ActionState,
    ConditionState,
    ExecutionRef,
    PipelineState,
    RuleState,
    StageConditionState,
    StageState,
    TransitionState,
)
from tui.core.model.target import Identity, Target

__all__ = [
    "CLOUDFORMATION_STACK_TAG",
    "RUNNING_STATUSES",
    "UPDATE_CANCELS_IN_PROGRESS",
    "ActionCategory",
    "ActionDef",
    "ActionExecution",
    "ActionState",
    "ApprovalRequest",
    "ArtifactRevision",
    "Build",
    "BuildLogs",
    "BuildPhase",
    "BuildStatus",
    "ConditionDef",
    "ConditionKind",
    "ConditionResult",
    "ConditionState",
    "ConditionStatus",
    "Execution",
    "ExecutionMode",
    "ExecutionRef",
    "ExecutionSummary",
    "ExecutionType",
    "GitFilter",
    "GitPullRequestFilter",
    "GitPushFilter",
    "Identity",
    "LiveBatch",
    "LogEvent",
    "LogPage",
    "OpenEnum",
    "Page",
    "PipelineDeclaration",
    "PipelineDef",
    "PipelineState",
    "PipelineSummary",
    "PipelineTriggerDef",
    "PipelineType",
    "PipelineVariableDef",
    "RetryMode",
    "RuleDef",
    "RuleExecution",
    "RuleState",
    "SourceRevision",
    "StageConditionState",
    "StageConditions",
    "StageDef",
    "StageState",
    "Standing",
    "StandingKind",
    "Status",
    "Target",
    "TransitionState",
    "Trigger",
    "TriggerType",
    "cloudformation_stack",
    "condition_stage",
    "current_stage",
    "held_stage",
    "inbound_stage",
    "standing_of",
]

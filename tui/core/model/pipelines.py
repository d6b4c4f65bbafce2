"""Pipelines and their definitions: ListPipelines' summaries, GetPipeline's stages, actions, V2
conditions, triggers and variables, and the declaration as AWS sent it (for editing)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tui.core.model.enums import (
    ActionCategory,
    ConditionKind,
    ConditionResult,
    ExecutionMode,
    PipelineType,
    RetryMode,
)


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

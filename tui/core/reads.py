"""The on-demand reads (a screen opening an execution, a dialog listing history, an alias, a followed
execution): typed, each within its target's rate budget, shared with the polls.

``Reads`` takes a token from the ``ReadBudget`` (the poll controller: the same per-target bucket the
polls draw from), makes the one call, and reports it back (counted there; a throttle shrinks the
budget, a lost connection marks the target stale). ``call`` is the general form for callers that
make calls of their own kinds (the log follower's ``Caller``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol, TypeVar

from tui.aws.errors import AwsError
from tui.aws.service import AccountAliasSource, PipelineService
from tui.core.model import (
    ActionExecution,
    Execution,
    ExecutionSummary,
    Page,
    PipelineDeclaration,
    PipelineDef,
    PipelineState,
    RuleExecution,
    Target,
)

T = TypeVar("T")


class ReadBudget(Protocol):
    """The per-target budget on-demand reads share with the polls."""

    async def acquire(self, target: Target) -> None:
        """Wait for a token of ``target``'s budget."""

    def call_finished(self, target: Target, operation: str, error: AwsError | None = None) -> None:
        """Count the call; a throttle shrinks the budget, a lost connection marks the target stale."""


class Reads:
    """Budgeted on-demand reads per target; each raises ``AwsError`` as the service does."""

    def __init__(self, services: Mapping[str, PipelineService], budget: ReadBudget) -> None:
        self.services = services
        self.budget = budget

    async def call(self, target: Target, operation: str, fn: Callable[[PipelineService], Awaitable[T]]) -> T:
        """One call of ``operation`` for ``target`` within its budget."""
        service = self.services.get(target.key)
        if service is None:
            raise LookupError(f"no service for {target.label}")
        await self.budget.acquire(target)
        try:
            result = await fn(service)
        except AwsError as error:
            self.budget.call_finished(target, operation, error)
            raise
        self.budget.call_finished(target, operation)
        return result

    async def pipeline(self, target: Target, pipeline: str) -> PipelineDef:
        """GetPipeline: the definition."""
        return await self.call(target, "GetPipeline", lambda s: s.get_pipeline(pipeline))

    async def state(self, target: Target, pipeline: str) -> PipelineState:
        """GetPipelineState: each stage's latest execution and the transitions."""
        return await self.call(target, "GetPipelineState", lambda s: s.get_pipeline_state(pipeline))

    async def execution(self, target: Target, pipeline: str, execution_id: str) -> Execution:
        """GetPipelineExecution: one execution with its artifact revisions and variables."""
        return await self.call(
            target, "GetPipelineExecution", lambda s: s.get_execution(pipeline, execution_id)
        )

    async def executions(
        self,
        target: Target,
        pipeline: str,
        *,
        max_results: int = 25,
        next_token: str | None = None,
        succeeded_in_stage: str | None = None,
    ) -> Page[ExecutionSummary]:
        """ListPipelineExecutions: one page of the history, newest first (only the executions that
        succeeded in ``succeeded_in_stage`` when one is named)."""
        only = {"succeeded_in_stage": succeeded_in_stage} if succeeded_in_stage else {}
        return await self.call(
            target,
            "ListPipelineExecutions",
            lambda s: s.list_executions(pipeline, max_results=max_results, next_token=next_token, **only),
        )

    async def action_executions(
        self, target: Target, pipeline: str, execution_id: str
    ) -> list[ActionExecution]:
        """ListActionExecutions: every action run of one execution."""
        return await self.call(
            target, "ListActionExecutions", lambda s: s.list_action_executions(pipeline, execution_id)
        )

    async def declaration(self, target: Target, pipeline: str) -> PipelineDeclaration:
        """GetPipeline, the declaration as AWS sent it (for viewing, editing and UpdatePipeline)."""
        return await self.call(target, "GetPipeline", lambda s: s.get_pipeline_declaration(pipeline))

    async def tags(self, target: Target, arn: str) -> dict[str, str]:
        """ListTagsForResource: a resource's tags by key."""
        return await self.call(target, "ListTagsForResource", lambda s: s.list_tags_for_resource(arn))

    async def rule_executions(self, target: Target, pipeline: str, execution_id: str) -> list[RuleExecution]:
        """ListRuleExecutions: every condition-rule evaluation of one execution."""
        return await self.call(
            target, "ListRuleExecutions", lambda s: s.list_rule_executions(pipeline, execution_id)
        )

    async def account_alias(self, target: Target) -> str | None:
        """ListAccountAliases (IAM): the account's alias; None without one or where not offered."""

        async def ask(service: PipelineService) -> str | None:
            if not isinstance(service, AccountAliasSource):
                return None
            return await service.account_alias()

        return await self.call(target, "ListAccountAliases", ask)

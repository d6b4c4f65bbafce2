"""The interface the app talks to: one ``PipelineService`` per target (profile x region).

The real implementation is ``tui.aws.client.AwsPipelineService`` (aiobotocore). The App takes services
in its constructor; the CLI builds real ones (pointed at the embedded simulator for ``--demo``), tests
build them against the simulator on loopback. Every method raises only ``tui.aws.errors.AwsError``
subclasses; every return value is a ``tui.core.model`` object.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, Protocol, runtime_checkable

from tui.core.model import (
    ActionExecution,
    Build,
    ConditionKind,
    Execution,
    ExecutionSummary,
    Identity,
    LogEvent,
    LogPage,
    Page,
    PipelineDeclaration,
    PipelineDef,
    PipelineState,
    PipelineSummary,
    RetryMode,
    RuleExecution,
    SourceRevision,
    Target,
)

# The AWS request id of the latest call made in this task, set by the service implementation: the
# action runner reads it right after a mutation so the audit log can cite it. A ContextVar, because
# concurrent tasks each see their own.
LAST_REQUEST_ID: ContextVar[str | None] = ContextVar("cptui_last_request_id", default=None)
# How many times the client retried the latest call made in this task before it was answered
# (botocore's own retries, e.g. of a throttle): the start-up burst learns from it what the endpoint
# accepted at once (tui/core/poller.py).
LAST_RETRIES: ContextVar[int] = ContextVar("cptui_last_retries", default=0)
# True while a read made in this task must be sent once, not retried by the client (the start-up
# phase paces its own retries of a throttle to what the endpoint accepts: tui/core/poller.py).
SINGLE_ATTEMPT: ContextVar[bool] = ContextVar("cptui_single_attempt", default=False)


class CallObserver(Protocol):
    """Told about every API call a service makes (for rate budgets, counters and benchmarks)."""

    def __call__(self, target: Target, operation: str, ok: bool, error_kind: str | None) -> None: ...


@runtime_checkable
class AccountAliasSource(Protocol):
    """Optional beside ``PipelineService``: a service that can name its account's alias
    (``AwsPipelineService`` does; None when there is none or it may not be read)."""

    async def account_alias(self) -> str | None: ...


@runtime_checkable
class ActionHistorySource(Protocol):
    """Optional beside ``PipelineService``: pages of a pipeline's action executions across its
    executions (``AwsPipelineService`` has it), so history insights read 100 per call instead of
    one call per execution."""

    async def list_pipeline_action_executions(
        self, name: str, *, max_results: int = 100, next_token: str | None = None
    ) -> Page[ActionExecution]: ...


class PipelineService(Protocol):
    target: Target

    async def identity(self) -> Identity: ...

    # --- reads ---
    async def list_pipelines(self) -> list[PipelineSummary]: ...
    async def get_pipeline(self, name: str) -> PipelineDef: ...
    async def get_pipeline_state(self, name: str) -> PipelineState: ...
    async def list_executions(
        self,
        name: str,
        *,
        max_results: int = 25,
        next_token: str | None = None,
        succeeded_in_stage: str | None = None,
    ) -> Page[ExecutionSummary]: ...
    async def get_execution(self, name: str, execution_id: str) -> Execution: ...
    async def list_action_executions(self, name: str, execution_id: str) -> list[ActionExecution]: ...
    async def get_pipeline_declaration(self, name: str) -> PipelineDeclaration: ...
    async def list_tags_for_resource(self, arn: str) -> dict[str, str]: ...
    async def list_rule_executions(self, name: str, execution_id: str) -> list[RuleExecution]: ...
    async def batch_get_builds(self, build_ids: Sequence[str]) -> list[Build]: ...
    async def get_log_events(
        self,
        group: str,
        stream: str,
        *,
        next_token: str | None = None,
        start_from_head: bool = True,
        limit: int | None = None,
    ) -> LogPage: ...
    def live_tail(self, group_arn: str, stream_names: Sequence[str]) -> AsyncIterator[list[LogEvent]]: ...

    # --- mutations (called only by tui/core/actions/) ---
    async def start_execution(
        self,
        name: str,
        *,
        variables: Mapping[str, str] | None = None,
        source_revisions: Sequence[SourceRevision] = (),
        client_request_token: str | None = None,
    ) -> str: ...
    async def stop_execution(self, name: str, execution_id: str, *, abandon: bool, reason: str) -> str: ...
    async def retry_stage(self, name: str, stage: str, execution_id: str, mode: RetryMode) -> str: ...
    async def rollback_stage(self, name: str, stage: str, target_execution_id: str) -> str: ...
    async def set_transition(self, name: str, stage: str, *, enabled: bool, reason: str = "") -> None: ...
    async def put_approval_result(
        self, name: str, stage: str, action: str, token: str, *, approved: bool, summary: str
    ) -> None: ...
    async def update_pipeline(self, declaration: Mapping[str, Any]) -> PipelineDeclaration: ...
    async def delete_pipeline(self, name: str) -> None: ...
    async def override_stage_condition(
        self, name: str, stage: str, execution_id: str, kind: ConditionKind
    ) -> None: ...

    async def close(self) -> None: ...

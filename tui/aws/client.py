"""``AwsPipelineService``: the real ``PipelineService``, on aiobotocore.

One service per target (profile x region), built by ``create_service``: CodePipeline, CodeBuild,
CloudWatch Logs, STS and IAM reads here, each one call (or one page) through ``AwsCaller`` (clients,
observation, error mapping) and its response through ``tui.aws.convert``; the mutations it inherits
from ``AwsMutations`` (``tui.aws.mutations``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from tui.aws import convert
from tui.aws.caller import CODEPIPELINE, client_config, present
from tui.aws.errors import AccessDenied, AwsError, Unsupported
from tui.aws.mutations import AwsMutations
from tui.aws.service import CallObserver
from tui.aws.session import DEFAULT_POOL, SessionPool
from tui.core.model import (
    ActionExecution,
    Build,
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
    RuleExecution,
    Target,
)

if TYPE_CHECKING:
    from aiobotocore.session import AioSession
    from botocore.config import Config

T = TypeVar("T")

_BATCH_GET_BUILDS_MAX = 100  # the API's limit on ids per call


class AwsPipelineService(AwsMutations):
    """``PipelineService`` for one target, talking to AWS (or the simulator) with aiobotocore.

    Build it with ``create_service``.
    """

    # --- reads --------------------------------------------------------------------------------

    async def identity(self) -> Identity:
        """GetCallerIdentity: the account and principal behind this target's credentials."""
        response = await self._call("sts", "GetCallerIdentity")
        return self._convert("GetCallerIdentity", convert.identity, response)

    async def account_alias(self) -> str | None:
        """The account's alias (iam:ListAccountAliases), or None if it has none or the caller may
        not read it: the alias is a nicety, never a permission cptui requires."""
        try:
            response = await self._call("iam", "ListAccountAliases")
        except AccessDenied:
            return None
        aliases = response.get("AccountAliases") or []
        return str(aliases[0]) if aliases else None

    async def list_pipelines(self) -> list[PipelineSummary]:
        """Every pipeline in the region (ListPipelines, all pages, 1,000 a page)."""
        raw = await self._paginate("ListPipelines", "pipelines", PaginationConfig={"PageSize": 1000})
        return self._convert("ListPipelines", convert.pipeline_summaries, raw)

    async def get_pipeline(self, name: str) -> PipelineDef:
        """GetPipeline: the definition (stages, actions, variables) and its metadata."""
        response = await self._call(CODEPIPELINE, "GetPipeline", name=name)
        return self._convert("GetPipeline", convert.pipeline_def, response)

    async def get_pipeline_state(self, name: str) -> PipelineState:
        """GetPipelineState: each stage's latest and inbound executions and action states."""
        response = await self._call(CODEPIPELINE, "GetPipelineState", name=name)
        return self._convert("GetPipelineState", convert.pipeline_state, response, name)

    async def list_executions(
        self,
        name: str,
        *,
        max_results: int = 25,
        next_token: str | None = None,
        succeeded_in_stage: str | None = None,
    ) -> Page[ExecutionSummary]:
        """One page of ListPipelineExecutions, newest first; ``next_token`` fetches the next.

        ``succeeded_in_stage`` keeps only executions that succeeded in that stage (the API's
        ``filter.succeededInStage``)."""
        stage_filter = succeeded_in_stage and {"succeededInStage": {"stageName": succeeded_in_stage}}
        return await self._page(
            "ListPipelineExecutions",
            lambda data: convert.execution_summaries(name, data),
            next_token,
            pipelineName=name,
            maxResults=max_results,
            **present(filter=stage_filter),
        )

    async def get_execution(self, name: str, execution_id: str) -> Execution:
        """GetPipelineExecution: one execution with its artifact revisions and variables."""
        response = await self._call(
            CODEPIPELINE,
            "GetPipelineExecution",
            pipelineName=name,
            pipelineExecutionId=execution_id,
        )
        return self._convert("GetPipelineExecution", convert.execution, response, name, execution_id)

    async def list_action_executions(self, name: str, execution_id: str) -> list[ActionExecution]:
        """Every action execution of one pipeline execution (ListActionExecutions, all pages)."""
        return await self._of_execution(
            "ListActionExecutions", "actionExecutionDetails", convert.action_executions, name, execution_id
        )

    async def get_pipeline_declaration(self, name: str) -> PipelineDeclaration:
        """GetPipeline, the declaration kept exactly as AWS sent it (for viewing, editing and
        UpdatePipeline), with its version and metadata."""
        response = await self._call(CODEPIPELINE, "GetPipeline", name=name)
        return self._convert("GetPipeline", convert.pipeline_declaration, response)

    async def list_tags_for_resource(self, arn: str) -> dict[str, str]:
        """ListTagsForResource (all pages): the resource's tags by key, e.g. to see whether
        CloudFormation manages a pipeline (``tui.core.model.cloudformation_stack``)."""
        raw = await self._paginate("ListTagsForResource", "tags", resourceArn=arn)
        return self._convert("ListTagsForResource", convert.tags, raw)

    async def list_rule_executions(self, name: str, execution_id: str) -> list[RuleExecution]:
        """Every condition-rule evaluation of one execution (ListRuleExecutions, all pages)."""
        return await self._of_execution(
            "ListRuleExecutions", "ruleExecutionDetails", convert.rule_executions, name, execution_id
        )

    async def list_pipeline_action_executions(
        self, name: str, *, max_results: int = 100, next_token: str | None = None
    ) -> Page[ActionExecution]:
        """One page of the pipeline's action executions across its executions (ListActionExecutions
        without a filter), newest first: the history insights read 100 at a time this way."""
        return await self._page(
            "ListActionExecutions",
            lambda data: convert.pipeline_action_executions(data.get("actionExecutionDetails")),
            next_token,
            pipelineName=name,
            maxResults=max_results,
        )

    async def batch_get_builds(self, build_ids: Sequence[str]) -> list[Build]:
        """BatchGetBuilds, 100 ids a call; builds AWS does not know are left out."""
        ids = list(dict.fromkeys(build_ids))
        builds: list[Build] = []
        for start in range(0, len(ids), _BATCH_GET_BUILDS_MAX):
            chunk = ids[start : start + _BATCH_GET_BUILDS_MAX]
            response = await self._call("codebuild", "BatchGetBuilds", ids=chunk)
            builds.extend(self._convert("BatchGetBuilds", convert.builds, response))
        return builds

    async def get_log_events(
        self,
        group: str,
        stream: str,
        *,
        next_token: str | None = None,
        start_from_head: bool = True,
        limit: int | None = None,
    ) -> LogPage:
        """One GetLogEvents page; follow with ``next_forward_token`` (the same token at the end)."""
        response = await self._call(
            "logs",
            "GetLogEvents",
            logGroupName=group,
            logStreamName=stream,
            startFromHead=start_from_head,
            **present(nextToken=next_token, limit=limit),
        )
        return self._convert("GetLogEvents", convert.log_page, response)

    async def live_tail(self, group_arn: str, stream_names: Sequence[str]) -> AsyncIterator[list[LogEvent]]:
        """StartLiveTail: yields the events of each session update (about one a second).

        Raises ``Unsupported`` when the endpoint does not offer live tail and other ``AwsError``s
        as usual; on any of them the log screen falls back to following with GetLogEvents.
        Closing the iterator (``aclose`` or leaving ``async for``) ends the session.
        """
        params = present(logStreamNames=list(stream_names))
        try:
            response = await self._call("logs", "StartLiveTail", logGroupIdentifiers=[group_arn], **params)
        except AwsError as exc:
            if exc.code != "ResponseParserError":
                raise
            # An endpoint without event streams answers in a shape botocore cannot parse.
            raise Unsupported(
                f"live tail is not supported by this endpoint ({exc.message})",
                code=exc.code,
                operation="StartLiveTail",
                request_id=exc.request_id,
            ) from exc
        from tui.aws.livetail import live_tail_updates

        async for events in live_tail_updates(response, profile=self.target.profile):
            yield events

    # --- shared shapes of the calls above -------------------------------------------------------

    async def _page(
        self,
        operation: str,
        items: Callable[[Mapping[str, Any]], Iterable[T]],
        next_token: str | None,
        **params: Any,
    ) -> Page[T]:
        """One page of a CodePipeline list (``next_token`` asks for the next one)."""
        response = await self._call(CODEPIPELINE, operation, **params, **present(nextToken=next_token))

        def to_page(data: Mapping[str, Any]) -> Page[T]:
            return Page(items=tuple(items(data)), next_token=data.get("nextToken") or None)

        return self._convert(operation, to_page, response)

    async def _of_execution(
        self,
        operation: str,
        result_key: str,
        items: Callable[[Any, str], list[T]],
        name: str,
        execution_id: str,
    ) -> list[T]:
        """Every item (all pages) of a CodePipeline list filtered to one pipeline execution."""
        raw = await self._paginate(
            operation, result_key, pipelineName=name, filter={"pipelineExecutionId": execution_id}
        )
        return self._convert(operation, items, raw, execution_id)


def create_service(
    target: Target,
    *,
    endpoint_url: str | None = None,
    credentials: tuple[str, str, str | None] | None = None,
    observer: CallObserver | None = None,
    connect_timeout: float = 3.0,
    read_timeout: float = 10.0,
    max_attempts: int = 3,
    sessions: SessionPool | None = None,
) -> AwsPipelineService:
    """Build the service for one target. Nothing touches the network until the first call.

    Precedence, explicit first:
    - endpoint: ``endpoint_url`` > ``AWS_ENDPOINT_URL`` > botocore's own lookup (service-specific
      ``AWS_ENDPOINT_URL_<SERVICE>`` variables, ``endpoint_url`` in the profile) > AWS.
    - profile: ``target.profile`` > ``AWS_DEFAULT_PROFILE`` / ``AWS_PROFILE`` > ``default``.
    - region: always ``target.region`` (the CLI resolves it with ``resolve_region``).
    - credentials: ``credentials`` (access key, secret, session token) > the profile's chain.

    Reads are retried up to ``max_attempts`` times in botocore's "standard" mode; mutations are
    sent exactly once per call.
    """
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
    pool = sessions or DEFAULT_POOL

    def session() -> AioSession:
        return pool.get(target.profile, static_credentials=credentials is not None)

    def config(attempts: int) -> Callable[[], Config]:
        return lambda: client_config(
            max_attempts=attempts,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            custom_endpoint=endpoint is not None,
        )

    # Nothing is imported or made here: aiobotocore loads with the first call, so cptui paints
    # its first frame before paying for it (bench/startup.py).
    return AwsPipelineService(
        target,
        session=session,
        read_config=config(max_attempts),
        mutation_config=config(1),
        endpoint_url=endpoint,
        credentials=credentials,
        observer=observer,
    )

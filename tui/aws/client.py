"""``AwsPipelineService``: the real ``PipelineService``, on aiobotocore.

One service per target (profile x region), built by ``create_service``: CodePipeline, CodeBuild,
CloudWatch Logs, STS and IAM operations, each one call (or one page) through ``AwsCaller`` (clients,
observation, error mapping) and its response through ``tui.aws.convert``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from tui.aws import convert
from tui.aws.caller import CODEPIPELINE, AwsCaller, client_config
from tui.aws.errors import AccessDenied, AwsError, Unsupported, ValidationFailed
from tui.aws.service import CallObserver
from tui.aws.session import DEFAULT_POOL, SessionPool
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

if TYPE_CHECKING:
    from aiobotocore.session import AioSession
    from botocore.config import Config

T = TypeVar("T")

_BATCH_GET_BUILDS_MAX = 100  # the API's limit on ids per call


class AwsPipelineService(AwsCaller):
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
            **_present(filter=stage_filter),
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
            **_present(nextToken=next_token, limit=limit),
        )
        return self._convert("GetLogEvents", convert.log_page, response)

    async def live_tail(self, group_arn: str, stream_names: Sequence[str]) -> AsyncIterator[list[LogEvent]]:
        """StartLiveTail: yields the events of each session update (about one a second).

        Raises ``Unsupported`` when the endpoint does not offer live tail and other ``AwsError``s
        as usual; on any of them the log screen falls back to following with GetLogEvents.
        Closing the iterator (``aclose`` or leaving ``async for``) ends the session.
        """
        params = _present(logStreamNames=list(stream_names))
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

    # --- mutations ----------------------------------------------------------------------------

    async def start_execution(
        self,
        name: str,
        *,
        variables: Mapping[str, str] | None = None,
        source_revisions: Sequence[SourceRevision] = (),
        client_request_token: str | None = None,
    ) -> str:
        """StartPipelineExecution; returns the new execution id.

        ``client_request_token`` makes a repeated start (after an unknown outcome) safe: AWS
        starts one execution per token. botocore generates one when it is None.
        """
        params = _present(
            variables=[{"name": k, "value": v} for k, v in (variables or {}).items()],
            sourceRevisions=[_revision_override(r) for r in source_revisions],
            clientRequestToken=client_request_token,
        )
        response = await self._call(
            CODEPIPELINE, "StartPipelineExecution", mutation=True, name=name, **params
        )
        return str(response.get("pipelineExecutionId") or "")

    async def stop_execution(self, name: str, execution_id: str, *, abandon: bool, reason: str) -> str:
        """StopPipelineExecution (finish running actions, or abandon them); returns the id."""
        response = await self._call(
            CODEPIPELINE,
            "StopPipelineExecution",
            mutation=True,
            pipelineName=name,
            pipelineExecutionId=execution_id,
            abandon=abandon,
            **_present(reason=reason),
        )
        return str(response.get("pipelineExecutionId") or execution_id)

    async def retry_stage(self, name: str, stage: str, execution_id: str, mode: RetryMode) -> str:
        """RetryStageExecution (failed actions or all actions); returns the execution id."""
        response = await self._call(
            CODEPIPELINE,
            "RetryStageExecution",
            mutation=True,
            pipelineName=name,
            stageName=stage,
            pipelineExecutionId=execution_id,
            retryMode=str(mode.value),
        )
        return str(response.get("pipelineExecutionId") or execution_id)

    async def rollback_stage(self, name: str, stage: str, target_execution_id: str) -> str:
        """RollbackStage to an earlier successful execution; returns the rollback execution id."""
        response = await self._call(
            CODEPIPELINE,
            "RollbackStage",
            mutation=True,
            pipelineName=name,
            stageName=stage,
            targetPipelineExecutionId=target_execution_id,
        )
        return str(response.get("pipelineExecutionId") or "")

    async def set_transition(self, name: str, stage: str, *, enabled: bool, reason: str = "") -> None:
        """Enable or disable the stage's inbound transition (disabling needs a reason)."""
        if enabled:
            await self._call(
                CODEPIPELINE,
                "EnableStageTransition",
                mutation=True,
                pipelineName=name,
                stageName=stage,
                transitionType="Inbound",
            )
            return
        if not reason.strip():
            raise ValidationFailed(
                "disabling a transition needs a reason (AWS requires one)",
                code="MissingReason",
                operation="DisableStageTransition",
            )
        await self._call(
            CODEPIPELINE,
            "DisableStageTransition",
            mutation=True,
            pipelineName=name,
            stageName=stage,
            transitionType="Inbound",
            reason=reason,
        )

    async def put_approval_result(
        self, name: str, stage: str, action: str, token: str, *, approved: bool, summary: str
    ) -> None:
        """PutApprovalResult. Not idempotent: it is sent once, never retried here."""
        await self._call(
            CODEPIPELINE,
            "PutApprovalResult",
            mutation=True,
            pipelineName=name,
            stageName=stage,
            actionName=action,
            token=token,
            result={"summary": summary, "status": "Approved" if approved else "Rejected"},
        )

    async def update_pipeline(self, declaration: Mapping[str, Any]) -> PipelineDeclaration:
        """UpdatePipeline with a whole declaration (no ``metadata``); returns what AWS stored,
        whose version is the old one + 1. Sent once. UpdatePipeline has no concurrency check:
        the caller compares versions (GetPipeline) just before calling it."""
        if "metadata" in declaration:
            raise ValidationFailed(
                "the declaration still has its metadata block: UpdatePipeline takes the pipeline member only",
                code="MetadataPresent",
                operation="UpdatePipeline",
            )
        response = await self._call(CODEPIPELINE, "UpdatePipeline", mutation=True, pipeline=dict(declaration))
        return self._convert("UpdatePipeline", convert.pipeline_declaration, response)

    async def delete_pipeline(self, name: str) -> None:
        """DeletePipeline: the pipeline and its execution history go (its S3 artifacts stay).
        Sent once."""
        await self._call(CODEPIPELINE, "DeletePipeline", mutation=True, name=name)

    async def override_stage_condition(
        self, name: str, stage: str, execution_id: str, kind: ConditionKind
    ) -> None:
        """OverrideStageCondition (BEFORE_ENTRY or ON_SUCCESS): the condition being checked for
        ``execution_id`` ends as Overridden and the stage proceeds. Sent once."""
        if not ConditionKind(kind).overridable:
            raise ValidationFailed(
                f"{kind} conditions cannot be overridden (only BEFORE_ENTRY and ON_SUCCESS)",
                code="NotOverridable",
                operation="OverrideStageCondition",
            )
        await self._call(
            CODEPIPELINE,
            "OverrideStageCondition",
            mutation=True,
            pipelineName=name,
            stageName=stage,
            pipelineExecutionId=execution_id,
            conditionType=str(ConditionKind(kind).value),
        )

    # --- shared shapes of the calls above -------------------------------------------------------

    async def _page(
        self,
        operation: str,
        items: Callable[[Mapping[str, Any]], Iterable[T]],
        next_token: str | None,
        **params: Any,
    ) -> Page[T]:
        """One page of a CodePipeline list (``next_token`` asks for the next one)."""
        response = await self._call(CODEPIPELINE, operation, **params, **_present(nextToken=next_token))

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


def _present(**members: Any) -> dict[str, Any]:
    """The optional request members that are set: an empty or None one is left out of the request."""
    return {key: value for key, value in members.items() if value}


def _revision_override(revision: SourceRevision) -> dict[str, str]:
    rid = revision.revision_id or ""
    # The model keeps no revision type; an image digest is recognisable, anything else a commit.
    kind = "IMAGE_DIGEST" if rid.startswith("sha256:") else "COMMIT_ID"
    return {"actionName": revision.action_name, "revisionType": kind, "revisionValue": rid}


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

"""``AwsPipelineService``: the real ``PipelineService``, on aiobotocore.

One service per target (profile x region). Clients are made on first use and closed by
``close()``. Every API call goes through ``_observed``: it tells the observer (rate budgets,
benchmarks) and turns any failure into a domain error, so callers only ever see ``AwsError``.

Reads retry (botocore "standard" mode, bounded); mutations use their own clients that send a
request at most once per call, because PutApprovalResult is not idempotent and a silent retry of
a stop or a rollback is not what the operator confirmed.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any, TypeVar

from botocore import xform_name

from tui.aws import convert
from tui.aws.errors import AccessDenied, AwsError, ErrorKind, Unsupported, ValidationFailed
from tui.aws.service import LAST_REQUEST_ID, LAST_RETRIES, SINGLE_ATTEMPT, CallObserver
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

if TYPE_CHECKING:  # imported on first use, in a thread: together they take a third of a second
    from aiobotocore.session import AioSession
    from botocore.config import Config

T = TypeVar("T")
log = logging.getLogger(__name__)

_BATCH_GET_BUILDS_MAX = 100  # the API's limit on ids per call
_CODEPIPELINE = "codepipeline"
# ReceiveMessage waits up to 20 s for a message: its client must wait longer than that for an answer.
LONG_POLL_READ_TIMEOUT = 30.0


class AwsPipelineService:
    """``PipelineService`` for one target, talking to AWS (or the simulator) with aiobotocore.

    Build it with ``create_service``. ``observer`` is a public attribute: the app may attach its
    call counter after the CLI built the service.
    """

    def __init__(
        self,
        target: Target,
        *,
        session: AioSession | Callable[[], AioSession],
        read_config: Config | Callable[[], Config],
        mutation_config: Config | Callable[[], Config],
        endpoint_url: str | None = None,
        credentials: tuple[str, str, str | None] | None = None,
        observer: CallObserver | None = None,
    ) -> None:
        self.target = target
        self.endpoint_url = endpoint_url
        self.observer = observer
        # Callables are called on first use, in a thread (see ``_client``).
        self._session_source = session
        self._config_sources = {False: read_config, True: mutation_config}
        self._ready: tuple[AioSession, dict[bool, Config]] | None = None
        self._credentials = credentials
        self._clients: dict[tuple[str, bool], Any] = {}
        self._stack = AsyncExitStack()
        self._retired: AsyncExitStack | None = None  # clients replaced after a credentials failure
        self._client_lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        where = f" via {self.endpoint_url}" if self.endpoint_url else ""
        return f"<AwsPipelineService {self.target.label}{where}>"

    # --- plumbing -----------------------------------------------------------------------------

    async def _client(self, service: str, *, mutation: bool = False) -> Any:
        """The client for ``service``, created on first use (once, even under concurrent calls)."""
        key = (service, mutation)
        client = self._clients.get(key)
        if client is not None:
            return client
        if self._client_lock is None:
            self._client_lock = asyncio.Lock()
        async with self._client_lock:
            client = self._clients.get(key)
            if client is None:
                if self._ready is None:
                    if _import_aiobotocore():
                        # The process's first call: nothing else to do until it can go out.
                        self._ready = self._setup()
                    else:  # later targets: off the event loop, the screen stays responsive
                        self._ready = await asyncio.to_thread(self._setup)
                kwargs = self._client_kwargs(mutation)
                if service == "sqs":
                    from botocore.config import Config

                    read_timeout = max(LONG_POLL_READ_TIMEOUT, kwargs["config"].read_timeout or 0)
                    kwargs["config"] = kwargs["config"].merge(Config(read_timeout=read_timeout))
                client = await self._stack.enter_async_context(self._session.create_client(service, **kwargs))
                self._clients[key] = client
        return client

    def _setup(self) -> tuple[AioSession, dict[bool, Config]]:
        """The session and client configs, made from the sources given (imports aiobotocore)."""
        source = self._session_source
        session = source() if callable(source) else source
        _warm_models(session)
        return session, {k: c() if callable(c) else c for k, c in self._config_sources.items()}

    @property
    def _session(self) -> AioSession:
        if self._ready is None:
            self._ready = self._setup()
        return self._ready[0]

    def _client_kwargs(self, mutation: bool) -> dict[str, Any]:
        if self._ready is None:
            self._ready = self._setup()
        kwargs: dict[str, Any] = {
            "region_name": self.target.region,
            "config": self._ready[1][mutation],
        }
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
            if self.endpoint_url.lower().startswith("http://"):
                # Plain HTTP (the simulator, a local stand-in): there is no certificate to verify,
                # but aiobotocore would still load the CA bundle for each client, in a thread
                # (50-60 ms before the first request of each). Never for https.
                kwargs["verify"] = False
        if self._credentials:
            access_key, secret_key, token = self._credentials
            kwargs.update(
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                aws_session_token=token,
            )
        return kwargs

    def _notify(self, operation: str, ok: bool, error_kind: str | None) -> None:
        if self.observer is None:
            return
        try:
            self.observer(self.target, operation, ok, error_kind)
        except Exception:  # an accounting bug must not fail the call it was counting
            log.exception("call observer failed for %s", operation)

    async def _observed(
        self,
        operation: str,
        call: Callable[[], Awaitable[T]],
        *,
        mutation: bool = False,
        observe: bool = True,
        service: str | None = None,
    ) -> T:
        """Run one API call: tell the observer once (unless ``observe`` is False), map any failure
        to an ``AwsError``."""
        try:
            result = await call()
        except StopAsyncIteration:
            raise  # a paginator that has no next page made no call
        except Exception as exc:
            from tui.aws.errormap import map_error  # botocore and aiohttp: loaded by now

            error = map_error(exc, operation, mutation=mutation, profile=self.target.profile, service=service)
            if observe:
                self._notify(operation, False, error.kind.value)
            if error.kind is ErrorKind.CREDENTIALS:
                await self._reread_credentials()
            raise error from exc
        if observe:
            self._notify(operation, True, None)
        return result

    async def aws_call(
        self, service: str, operation: str, *, mutation: bool = False, **params: Any
    ) -> dict[str, Any]:
        """One SQS or EventBridge call for push mode (``tui.events``): errors mapped like every
        other call's, but not told to the observer: these calls are outside the rate budget of
        CodePipeline reads. Mutations (setup, teardown, deleting messages) are sent once."""
        if service not in ("sqs", "events"):
            raise ValueError(f"aws_call is for sqs and events, not {service}")
        return await self._call(service, operation, mutation=mutation, observe=False, **params)

    async def _call(
        self,
        service: str,
        operation: str,
        *,
        mutation: bool = False,
        observe: bool = True,
        **params: Any,
    ) -> dict[str, Any]:
        async def run() -> dict[str, Any]:
            # The mutations' client sends each request once: a read asked to be sent once uses it.
            client = await self._client(service, mutation=mutation or SINGLE_ATTEMPT.get())
            method = getattr(client, xform_name(operation))
            response: dict[str, Any] = await method(**params)
            metadata = response.get("ResponseMetadata") or {}
            request_id = metadata.get("RequestId")
            if request_id:
                LAST_REQUEST_ID.set(str(request_id))
            retries = metadata.get("RetryAttempts")
            LAST_RETRIES.set(retries if type(retries) is int else 0)
            return response

        return await self._observed(operation, run, mutation=mutation, observe=observe, service=service)

    async def _paginate(self, operation: str, result_key: str, **params: Any) -> list[Any]:
        """All items of a CodePipeline paginated list; each page is one observed call."""
        pages: Any = None

        async def next_page() -> dict[str, Any]:
            nonlocal pages
            if pages is None:
                client = await self._client(_CODEPIPELINE)
                paginator = client.get_paginator(xform_name(operation))
                pages = paginator.paginate(**params).__aiter__()
            page: dict[str, Any] = await pages.__anext__()
            return page

        items: list[Any] = []
        try:
            while True:
                try:
                    page = await self._observed(operation, next_page, service=_CODEPIPELINE)
                except StopAsyncIteration:
                    return items
                items.extend(page.get(result_key) or [])
        finally:
            if pages is not None:
                await pages.aclose()

    def _convert(self, operation: str, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        except (convert.MalformedResponse, KeyError, TypeError, ValueError) as exc:
            raise AwsError(
                f"unexpected response from {operation}: {exc}", code="Malformed", operation=operation
            ) from exc

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
        response = await self._call(_CODEPIPELINE, "GetPipeline", name=name)
        return self._convert("GetPipeline", convert.pipeline_def, response)

    async def get_pipeline_state(self, name: str) -> PipelineState:
        """GetPipelineState: each stage's latest and inbound executions and action states."""
        response = await self._call(_CODEPIPELINE, "GetPipelineState", name=name)
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
        params: dict[str, Any] = {"pipelineName": name, "maxResults": max_results}
        if next_token:
            params["nextToken"] = next_token
        if succeeded_in_stage:
            params["filter"] = {"succeededInStage": {"stageName": succeeded_in_stage}}
        response = await self._call(_CODEPIPELINE, "ListPipelineExecutions", **params)

        def to_page(data: Mapping[str, Any]) -> Page[ExecutionSummary]:
            return Page(
                items=tuple(convert.execution_summaries(name, data)),
                next_token=data.get("nextToken") or None,
            )

        return self._convert("ListPipelineExecutions", to_page, response)

    async def get_execution(self, name: str, execution_id: str) -> Execution:
        """GetPipelineExecution: one execution with its artifact revisions and variables."""
        response = await self._call(
            _CODEPIPELINE,
            "GetPipelineExecution",
            pipelineName=name,
            pipelineExecutionId=execution_id,
        )
        return self._convert("GetPipelineExecution", convert.execution, response, name, execution_id)

    async def list_action_executions(self, name: str, execution_id: str) -> list[ActionExecution]:
        """Every action execution of one pipeline execution (ListActionExecutions, all pages)."""
        raw = await self._paginate(
            "ListActionExecutions",
            "actionExecutionDetails",
            pipelineName=name,
            filter={"pipelineExecutionId": execution_id},
        )
        return self._convert("ListActionExecutions", convert.action_executions, raw, execution_id)

    async def get_pipeline_declaration(self, name: str) -> PipelineDeclaration:
        """GetPipeline, the declaration kept exactly as AWS sent it (for viewing, editing and
        UpdatePipeline), with its version and metadata."""
        response = await self._call(_CODEPIPELINE, "GetPipeline", name=name)
        return self._convert("GetPipeline", convert.pipeline_declaration, response)

    async def list_tags_for_resource(self, arn: str) -> dict[str, str]:
        """ListTagsForResource (all pages): the resource's tags by key, e.g. to see whether
        CloudFormation manages a pipeline (``tui.core.model.cloudformation_stack``)."""
        raw = await self._paginate("ListTagsForResource", "tags", resourceArn=arn)
        return self._convert("ListTagsForResource", convert.tags, raw)

    async def list_rule_executions(self, name: str, execution_id: str) -> list[RuleExecution]:
        """Every condition-rule evaluation of one execution (ListRuleExecutions, all pages)."""
        raw = await self._paginate(
            "ListRuleExecutions",
            "ruleExecutionDetails",
            pipelineName=name,
            filter={"pipelineExecutionId": execution_id},
        )
        return self._convert("ListRuleExecutions", convert.rule_executions, raw, execution_id)

    async def list_pipeline_action_executions(
        self, name: str, *, max_results: int = 100, next_token: str | None = None
    ) -> Page[ActionExecution]:
        """One page of the pipeline's action executions across its executions (ListActionExecutions
        without a filter), newest first: the history insights read 100 at a time this way."""
        params: dict[str, Any] = {"pipelineName": name, "maxResults": max_results}
        if next_token:
            params["nextToken"] = next_token
        response = await self._call(_CODEPIPELINE, "ListActionExecutions", **params)

        def to_page(data: Mapping[str, Any]) -> Page[ActionExecution]:
            return Page(
                items=tuple(convert.pipeline_action_executions(data.get("actionExecutionDetails"))),
                next_token=data.get("nextToken") or None,
            )

        return self._convert("ListActionExecutions", to_page, response)

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
        params: dict[str, Any] = {
            "logGroupName": group,
            "logStreamName": stream,
            "startFromHead": start_from_head,
        }
        if next_token:
            params["nextToken"] = next_token
        if limit:
            params["limit"] = limit
        response = await self._call("logs", "GetLogEvents", **params)
        return self._convert("GetLogEvents", convert.log_page, response)

    async def live_tail(self, group_arn: str, stream_names: Sequence[str]) -> AsyncIterator[list[LogEvent]]:
        """StartLiveTail: yields the events of each session update (about one a second).

        Raises ``Unsupported`` when the endpoint does not offer live tail and other ``AwsError``s
        as usual; on any of them the log screen falls back to following with GetLogEvents.
        Closing the iterator (``aclose`` or leaving ``async for``) ends the session.
        """
        params: dict[str, Any] = {"logGroupIdentifiers": [group_arn]}
        if stream_names:
            params["logStreamNames"] = list(stream_names)
        try:
            response = await self._call("logs", "StartLiveTail", **params)
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
        params: dict[str, Any] = {"name": name}
        if variables:
            params["variables"] = [{"name": k, "value": v} for k, v in variables.items()]
        if source_revisions:
            params["sourceRevisions"] = [_revision_override(r) for r in source_revisions]
        if client_request_token:
            params["clientRequestToken"] = client_request_token
        response = await self._call(_CODEPIPELINE, "StartPipelineExecution", mutation=True, **params)
        return str(response.get("pipelineExecutionId") or "")

    async def stop_execution(self, name: str, execution_id: str, *, abandon: bool, reason: str) -> str:
        """StopPipelineExecution (finish running actions, or abandon them); returns the id."""
        params: dict[str, Any] = {
            "pipelineName": name,
            "pipelineExecutionId": execution_id,
            "abandon": abandon,
        }
        if reason:
            params["reason"] = reason
        response = await self._call(_CODEPIPELINE, "StopPipelineExecution", mutation=True, **params)
        return str(response.get("pipelineExecutionId") or execution_id)

    async def retry_stage(self, name: str, stage: str, execution_id: str, mode: RetryMode) -> str:
        """RetryStageExecution (failed actions or all actions); returns the execution id."""
        response = await self._call(
            _CODEPIPELINE,
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
            _CODEPIPELINE,
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
                _CODEPIPELINE,
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
            _CODEPIPELINE,
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
            _CODEPIPELINE,
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
        response = await self._call(
            _CODEPIPELINE, "UpdatePipeline", mutation=True, pipeline=dict(declaration)
        )
        return self._convert("UpdatePipeline", convert.pipeline_declaration, response)

    async def delete_pipeline(self, name: str) -> None:
        """DeletePipeline: the pipeline and its execution history go (its S3 artifacts stay).
        Sent once."""
        await self._call(_CODEPIPELINE, "DeletePipeline", mutation=True, name=name)

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
            _CODEPIPELINE,
            "OverrideStageCondition",
            mutation=True,
            pipelineName=name,
            stageName=stage,
            pipelineExecutionId=execution_id,
            conditionType=str(ConditionKind(kind).value),
        )

    async def _reread_credentials(self) -> None:
        """After a credentials failure, the next call reads the credential chain again.

        A client keeps the credentials it was made with, and the session caches static ones: after
        ``aws configure`` or an edited credentials file neither would notice. So the clients are
        replaced (the previous generation, idle by now, is closed) and a non-refreshable cache is
        dropped; refreshable credentials (SSO, assume-role) renew themselves anyway.
        """
        if self._credentials is not None or not self._clients:
            return  # keys given explicitly: nothing to re-read
        retired, self._retired = self._retired, self._stack
        self._stack, self._clients = AsyncExitStack(), {}
        cached = getattr(self._session, "_credentials", None)
        if cached is not None and not hasattr(cached, "refresh_needed"):
            self._session._credentials = None
        if retired is not None:
            try:
                await retired.aclose()
            except Exception:  # closing old connections must not hide the credentials error
                log.exception("closing replaced clients failed")

    async def close(self) -> None:
        """Close every client (and its connection pool). The service may be used again after."""
        stack, self._stack = self._stack, AsyncExitStack()
        retired, self._retired = self._retired, None
        self._clients.clear()
        await stack.aclose()
        if retired is not None:
            await retired.aclose()


def _import_aiobotocore() -> bool:
    """Import aiobotocore (a fifth of a second) on the event loop's thread; True if it just did.

    The process's first call imports it and sets up its session right there: in a worker thread
    that took half as long again (0.27 s instead of 0.18 s, and 85 ms instead of 30 ms for the
    models), competing with the frames the app paints meanwhile, and it is what the first rows
    wait for (``bench/startup.py``). The screen is already up; a key pressed meanwhile waits
    that quarter of a second, once.
    """
    import sys

    if "aiobotocore.session" in sys.modules:
        return False
    import aiobotocore.session  # noqa: F401

    return True


def _warm_models(session: AioSession) -> None:
    """Load what the first clients will need into botocore's loader cache (in ``_setup``'s thread):
    the first CodePipeline client is then made in 25 ms on the event loop instead of 100."""
    try:
        loader = session.get_component("data_loader")
        for service in (_CODEPIPELINE, "sts"):
            for kind in ("service-2", "endpoint-rule-set-1"):
                loader.load_service_model(service, kind)
        loader.load_data("partitions")
    except Exception:  # only a head start: the client loads whatever it still needs itself
        log.debug("warming botocore's models failed", exc_info=True)


def _revision_override(revision: SourceRevision) -> dict[str, str]:
    rid = revision.revision_id or ""
    # The model keeps no revision type; an image digest is recognisable, anything else a commit.
    kind = "IMAGE_DIGEST" if rid.startswith("sha256:") else "COMMIT_ID"
    return {"actionName": revision.action_name, "revisionType": kind, "revisionValue": rid}


def _client_config(
    *,
    max_attempts: int,
    connect_timeout: float,
    read_timeout: float,
    custom_endpoint: bool,
) -> Config:
    from botocore.config import Config

    options: dict[str, Any] = {
        "retries": {"mode": "standard", "total_max_attempts": max_attempts},
        "connect_timeout": connect_timeout,
        "read_timeout": read_timeout,
        # The start-up burst reads every row on screen at once (tui/core/poller.py grant_startup):
        # botocore's default pool of 10 connections would queue the rest behind the first ten.
        "max_pool_connections": 64,
    }
    if custom_endpoint:
        # StartLiveTail's host prefix ("stream-") would turn 127.0.0.1 into an unknown host.
        options["inject_host_prefix"] = False
    return Config(**options)


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
        return lambda: _client_config(
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

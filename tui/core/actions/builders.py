"""The request builders: one per operation, each saying exactly what it will do (the confirmation
text, the audit parameters) and holding the one API call it makes. Building a request sends nothing;
``ActionRunner`` (runner.py) does. No Textual.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from tui.aws.errors import Conflict
from tui.aws.service import PipelineService
from tui.core.actions.runner import ActionRequest
from tui.core.model import (
    ApprovalRequest,
    ConditionKind,
    PipelineDeclaration,
    RetryMode,
    SourceRevision,
    Target,
)
from tui.core.sanitize import clean


def approve(approval: ApprovalRequest, *, approved: bool, summary: str) -> ActionRequest:
    """Approve or reject a waiting manual approval with the operator's summary."""
    verb = "Approve" if approved else "Reject"
    where = f"{approval.pipeline_name} / {approval.stage_name} / {approval.action_name}"
    token = approval.token

    async def call(service: PipelineService) -> object:
        await service.put_approval_result(
            approval.pipeline_name,
            approval.stage_name,
            approval.action_name,
            token,
            approved=approved,
            summary=summary,
        )
        return None

    return ActionRequest(
        operation="PutApprovalResult",
        target=approval.target,
        pipeline=approval.pipeline_name,
        subject=where,
        title=verb,
        confirmation=f"{verb} manual approval {clean(where)}"
        + (f" of execution {approval.execution_id}" if approval.execution_id else "")
        + f' with summary "{clean(summary, max_len=200)}"',
        params={
            "pipelineName": approval.pipeline_name,
            "stageName": approval.stage_name,
            "actionName": approval.action_name,
            "executionId": approval.execution_id,
            "status": "Approved" if approved else "Rejected",
            "summary": summary,
        },
        call=call,
        destructive=not approved,
    )


def retry_stage(
    target: Target, pipeline: str, stage: str, execution_id: str, mode: RetryMode
) -> ActionRequest:
    label = "the failed actions" if mode == RetryMode.FAILED_ACTIONS else "all actions"

    async def call(service: PipelineService) -> object:
        return await service.retry_stage(pipeline, stage, execution_id, mode)

    return ActionRequest(
        operation="RetryStageExecution",
        target=target,
        pipeline=pipeline,
        subject=f"{pipeline}/{stage}",
        title=f"Retry {label.removeprefix('the ')}",
        confirmation=f"Retry {label} of stage {clean(stage)} in {clean(pipeline)}, execution {execution_id}",
        params={
            "pipelineName": pipeline,
            "stageName": stage,
            "pipelineExecutionId": execution_id,
            "retryMode": mode.value,
        },
        call=call,
    )


def rollback_stage(
    target: Target, pipeline: str, stage: str, target_execution_id: str, revision: str = ""
) -> ActionRequest:
    async def call(service: PipelineService) -> object:
        return await service.rollback_stage(pipeline, stage, target_execution_id)

    detail = f" ({clean(revision, max_len=80)})" if revision else ""
    return ActionRequest(
        operation="RollbackStage",
        target=target,
        pipeline=pipeline,
        subject=f"{pipeline}/{stage}",
        title="Roll back",
        confirmation=f"Roll stage {clean(stage)} of {clean(pipeline)} back to execution "
        f"{target_execution_id}{detail}",
        params={
            "pipelineName": pipeline,
            "stageName": stage,
            "targetPipelineExecutionId": target_execution_id,
        },
        call=call,
        destructive=True,
    )


def stop_execution(
    target: Target, pipeline: str, execution_id: str, *, abandon: bool, reason: str
) -> ActionRequest:
    how = "Abandon" if abandon else "Stop (let running actions finish)"

    async def call(service: PipelineService) -> object:
        return await service.stop_execution(pipeline, execution_id, abandon=abandon, reason=reason)

    return ActionRequest(
        operation="StopPipelineExecution",
        target=target,
        pipeline=pipeline,
        subject=pipeline,
        title="Abandon execution" if abandon else "Stop execution",
        confirmation=f"{how} execution {execution_id} of {clean(pipeline)}"
        + (f' because "{clean(reason, max_len=200)}"' if reason else ""),
        params={
            "pipelineName": pipeline,
            "pipelineExecutionId": execution_id,
            "abandon": abandon,
            "reason": reason,
        },
        call=call,
        destructive=True,
    )


def start_execution(
    target: Target,
    pipeline: str,
    *,
    variables: Mapping[str, str] | None = None,
    source_revisions: tuple[SourceRevision, ...] = (),
) -> ActionRequest:
    # One idempotency token per confirmation: if the call is retried, AWS starts one execution.
    request_token = uuid.uuid4().hex
    variables = dict(variables or {})

    async def call(service: PipelineService) -> object:
        return await service.start_execution(
            pipeline,
            variables=variables,
            source_revisions=source_revisions,
            client_request_token=request_token,
        )

    extras = []
    if variables:
        extras.append("variables " + ", ".join(f"{k}={clean(v, max_len=40)}" for k, v in variables.items()))
    if source_revisions:
        extras.append("revisions " + ", ".join(f"{r.action_name}={r.revision_id}" for r in source_revisions))
    return ActionRequest(
        operation="StartPipelineExecution",
        target=target,
        pipeline=pipeline,
        subject=pipeline,
        title="Release change",
        confirmation=f"Start a new execution of {clean(pipeline)} (release change)"
        + ("" if not extras else " with " + "; ".join(extras)),
        params={
            "pipelineName": pipeline,
            "variables": variables,
            "sourceRevisions": {r.action_name: r.revision_id for r in source_revisions},
        },
        call=call,
    )


def set_transition(
    target: Target, pipeline: str, stage: str, *, enabled: bool, reason: str = ""
) -> ActionRequest:
    async def call(service: PipelineService) -> object:
        await service.set_transition(pipeline, stage, enabled=enabled, reason=reason)
        return None

    if enabled:
        text = f"Enable the transition into stage {clean(stage)} of {clean(pipeline)}"
    else:
        text = (
            f"Disable the transition into stage {clean(stage)} of {clean(pipeline)}: executions will "
            f'wait before it. Reason: "{clean(reason, max_len=300)}"'
        )
    return ActionRequest(
        operation="EnableStageTransition" if enabled else "DisableStageTransition",
        target=target,
        pipeline=pipeline,
        subject=f"{pipeline}/{stage}",
        title="Enable transition" if enabled else "Disable transition",
        confirmation=text,
        params={
            "pipelineName": pipeline,
            "stageName": stage,
            "transitionType": "Inbound",
            **({} if enabled else {"reason": reason}),
        },
        call=call,
        destructive=not enabled,
    )


# --- managing pipelines (issue 13) ---------------------------------------------------------------


class VersionChanged(Conflict):
    """The pipeline's version moved on between the start of an edit and its sending: UpdatePipeline
    was not called (it has no concurrency check of its own, so cptui makes one)."""

    def __init__(self, message: str, *, current: PipelineDeclaration) -> None:
        super().__init__(message, code="PipelineVersionChanged", operation="UpdatePipeline")
        self.current = current


def update_pipeline(
    target: Target,
    pipeline: str,
    declaration: Mapping[str, Any],
    *,
    base_version: int,
    digest: str,
    changes: Sequence[str],
) -> ActionRequest:
    """UpdatePipeline with an edited declaration, once — after reading the pipeline again: if its
    version is no longer ``base_version`` (someone changed it meanwhile), ``VersionChanged`` is
    raised and nothing is sent. The audit line records the versions before and after and the
    diff's digest."""
    document = dict(declaration)
    document.pop("metadata", None)

    async def call(service: PipelineService) -> object:
        current = await service.get_pipeline_declaration(pipeline)
        if current.version != base_version:
            raise VersionChanged(
                f"{pipeline} is at version {current.version} now, not {base_version} as when the edit "
                "began: someone changed it meanwhile. Nothing was sent.",
                current=current,
            )
        return await service.update_pipeline(document)

    def done(value: object) -> str:
        after = value.version if isinstance(value, PipelineDeclaration) else "unknown"
        return f"Update pipeline: done, version {base_version} → {after} ({digest})"

    count = len(changes)
    return ActionRequest(
        operation="UpdatePipeline",
        target=target,
        pipeline=pipeline,
        subject=pipeline,
        title="Update pipeline",
        confirmation=f"Replace the definition of {clean(pipeline)} (version {base_version}) with your "
        f"edit: {count} change{'s' if count != 1 else ''} (UpdatePipeline, version {base_version} → "
        f"{base_version + 1})",
        params={
            "pipelineName": pipeline,
            "versionBefore": base_version,
            "versionAfter": base_version + 1,
            "diffDigest": digest,
            "changes": list(changes)[:50],
        },
        call=call,
        destructive=True,
        done=done,
    )


def delete_pipeline(
    target: Target, pipeline: str, *, version: int | None, stack: str | None
) -> ActionRequest:
    """DeletePipeline: the pipeline and its history go (its S3 artifacts stay)."""

    async def call(service: PipelineService) -> object:
        await service.delete_pipeline(pipeline)
        return None

    return ActionRequest(
        operation="DeletePipeline",
        target=target,
        pipeline=pipeline,
        subject=pipeline,
        title="Delete pipeline",
        confirmation=f"Delete the pipeline {clean(pipeline)}"
        + (f" (version {version})" if version is not None else "")
        + " and its execution history, permanently",
        params={
            "pipelineName": pipeline,
            "version": version,
            **({"cloudFormationStack": stack} if stack else {}),
        },
        call=call,
        destructive=True,
    )


def override_condition(
    target: Target, pipeline: str, stage: str, execution_id: str, kind: ConditionKind
) -> ActionRequest:
    """OverrideStageCondition: the condition being checked for the execution ends as Overridden
    and the stage goes on (BEFORE_ENTRY: it is entered; ON_SUCCESS: it succeeds)."""

    async def call(service: PipelineService) -> object:
        await service.override_stage_condition(pipeline, stage, execution_id, kind)
        return None

    what = "entry" if kind == ConditionKind.BEFORE_ENTRY else "on-success"
    goes_on = "enters the stage" if kind == ConditionKind.BEFORE_ENTRY else "completes the stage"
    return ActionRequest(
        operation="OverrideStageCondition",
        target=target,
        pipeline=pipeline,
        subject=f"{pipeline}/{stage}",
        title="Override condition",
        confirmation=f"Override the {what} condition of stage {clean(stage)} in {clean(pipeline)} for "
        f"execution {execution_id}: its rules are no longer waited for and the execution {goes_on}",
        params={
            "pipelineName": pipeline,
            "stageName": stage,
            "pipelineExecutionId": execution_id,
            "conditionType": str(kind.value),
        },
        call=call,
        destructive=True,
    )

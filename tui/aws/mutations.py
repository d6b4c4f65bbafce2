"""``AwsMutations``: every AWS call that changes something (CodePipeline's start, stop, retry,
rollback, transitions, approvals, declaration edits, deletion and condition overrides).

Each is sent exactly once (its clients never retry: ``AwsCaller``), and only the action runner
(``tui/core/actions/``) calls them. ``AwsPipelineService`` (``tui.aws.client``) adds the reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tui.aws import convert
from tui.aws.caller import CODEPIPELINE, AwsCaller, present
from tui.aws.errors import ValidationFailed
from tui.core.model import ConditionKind, PipelineDeclaration, RetryMode, SourceRevision


class AwsMutations(AwsCaller):
    """The mutations of ``PipelineService`` for one target (``AwsPipelineService`` is one)."""

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
        params = present(
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
            **present(reason=reason),
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


def _revision_override(revision: SourceRevision) -> dict[str, str]:
    rid = revision.revision_id or ""
    # The model keeps no revision type; an image digest is recognisable, anything else a commit.
    kind = "IMAGE_DIGEST" if rid.startswith("sha256:") else "COMMIT_ID"
    return {"actionName": revision.action_name, "revisionType": kind, "revisionValue": rid}

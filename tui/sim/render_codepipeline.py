"""World records -> CodePipeline response dicts, member names exactly as botocore's shapes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tui.sim.world.state import ActionRun, ActionSpec, Execution, Pipeline, StageRun
from tui.sim.world.world import World


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def artifact_bucket(world: World, region: str | None = None) -> str:
    return f"codepipeline-{region or world.region}-{world.account[-6:]}"


def summary(p: Pipeline) -> dict[str, Any]:
    s = p.spec
    return {
        "name": s.name,
        "version": s.version,
        "pipelineType": s.pipeline_type,
        "executionMode": s.execution_mode,
        "created": s.created,
        "updated": s.updated,
    }


def _role_name(world: World, name: str) -> str:
    return f"AWSCodePipelineServiceRole-{world.region}-{name}"[:64]


def _type_id(a: ActionSpec) -> dict[str, str]:
    return {"category": a.category, "owner": a.owner, "provider": a.provider, "version": a.version}


def _action_decl(a: ActionSpec) -> dict[str, Any]:
    return _drop_none(
        {
            "name": a.name,
            "actionTypeId": _type_id(a),
            "runOrder": a.run_order,
            "configuration": dict(a.configuration),
            "outputArtifacts": [{"name": n} for n in a.output_artifacts],
            "inputArtifacts": [{"name": n} for n in a.input_artifacts],
            "region": a.region,
            "namespace": a.namespace,
            "timeoutInMinutes": a.timeout_minutes,
        }
    )


def declaration(world: World, p: Pipeline) -> dict[str, Any]:
    """GetPipeline's ``pipeline`` member."""
    s = p.spec
    decl: dict[str, Any] = {
        "name": s.name,
        "roleArn": f"arn:aws:iam::{world.account}:role/service-role/{_role_name(world, s.name)}",
        "stages": [{"name": st.name, "actions": [_action_decl(a) for a in st.actions]} for st in s.stages],
        "version": s.version,
        "executionMode": s.execution_mode,
        "pipelineType": s.pipeline_type,
    }
    regions = {a.region for st in s.stages for a in st.actions if a.region}
    if regions:
        # Cross-region pipelines declare one artifact store per region instead of one store.
        decl["artifactStores"] = {
            r: {"type": "S3", "location": artifact_bucket(world, r)} for r in sorted(regions | {world.region})
        }
    else:
        decl["artifactStore"] = {"type": "S3", "location": artifact_bucket(world)}
    if s.pipeline_type == "V2":
        if s.variables:
            decl["variables"] = [
                _drop_none({"name": v.name, "defaultValue": v.default, "description": v.description})
                for v in s.variables
            ]
        src = s.stages[0].actions[0]
        if src.provider == "CodeStarSourceConnection":
            branch = src.configuration.get("BranchName", "main")
            decl["triggers"] = [
                {
                    "providerType": "CodeStarSourceConnection",
                    "gitConfiguration": {
                        "sourceActionName": src.name,
                        "push": [{"branches": {"includes": [branch]}}],
                    },
                }
            ]
    return decl


def metadata(world: World, p: Pipeline) -> dict[str, Any]:
    return {"pipelineArn": world.pipeline_arn(p.name), "created": p.spec.created, "updated": p.spec.updated}


def _entity_url(world: World, a: ActionSpec) -> str | None:
    r, cfg = world.region, a.configuration
    if a.provider == "CodeBuild":
        return f"https://console.aws.amazon.com/codebuild/home?region={r}#/projects/{cfg.get('ProjectName')}/view"
    if a.provider == "CodeCommit":
        return f"https://console.aws.amazon.com/codecommit/home?region={r}#/repository/{cfg.get('RepositoryName')}/browse/{cfg.get('BranchName')}/--/"
    if a.provider == "CodeStarSourceConnection":
        host = "bitbucket.org" if "bitbucket" in cfg.get("ConnectionArn", "") else "github.com"
        return f"https://{host}/{cfg.get('FullRepositoryId')}/tree/{cfg.get('BranchName')}"
    if a.provider == "S3":
        bucket = cfg.get("S3Bucket") or cfg.get("BucketName")
        return f"https://console.aws.amazon.com/s3/home?region={r}#/{bucket}"
    if a.provider == "CodeDeploy":
        app = cfg.get("ApplicationName")
        return f"https://console.aws.amazon.com/codedeploy/home?region={r}#/applications/{app}"
    if a.provider == "CloudFormation":
        stack = quote(cfg.get("StackName", ""))
        return f"https://console.aws.amazon.com/cloudformation/home?region={r}#/stacks?filteringText={stack}"
    if a.provider == "Manual":
        return cfg.get("ExternalEntityLink")
    return None


def _error(run: ActionRun) -> dict[str, str] | None:
    if run.error_code is None:
        return None
    return {"code": run.error_code, "message": run.error_message or ""}


def _action_latest(run: ActionRun) -> dict[str, Any]:
    return _drop_none(
        {
            "actionExecutionId": run.id,
            "status": run.status,
            "summary": run.summary,
            "lastStatusChange": run.last_update,
            "token": run.token if run.status == "InProgress" else None,
            "lastUpdatedBy": run.updated_by,
            "externalExecutionId": run.external_id,
            "externalExecutionUrl": run.external_url,
            "errorDetails": _error(run) if run.status == "Failed" else None,
        }
    )


def _stage_exec(ex: Execution, status: str) -> dict[str, str]:
    return {"pipelineExecutionId": ex.id, "status": status, "type": ex.execution_type}


def state(world: World, p: Pipeline) -> dict[str, Any]:
    """GetPipelineState's response."""
    stages = []
    for i, st in enumerate(p.spec.stages):
        entry: dict[str, Any] = {"stageName": st.name}
        waiting = [p.executions[e] for e in p.waiting.get(st.name, [])]
        if waiting:
            if p.spec.pipeline_type == "V2":
                entry["inboundExecutions"] = [_stage_exec(e, "InProgress") for e in waiting]
            entry["inboundExecution"] = _stage_exec(waiting[0], "InProgress")
        if i > 0:
            t = p.transitions[st.name]
            entry["inboundTransitionState"] = _drop_none(
                {
                    "enabled": t.enabled,
                    "lastChangedBy": t.changed_by,
                    "lastChangedAt": t.changed_at,
                    "disabledReason": t.reason,
                }
            )
        actions = []
        for a in st.actions:
            act: dict[str, Any] = {"actionName": a.name}
            run = p.action_latest.get((st.name, a.name))
            if run is not None:
                act["latestExecution"] = _action_latest(run)
            rev = p.current_revision.get(a.name) if a.category == "Source" else None
            if rev is not None:
                act["currentRevision"] = {
                    "revisionId": rev.revision_id,
                    "revisionChangeId": rev.change_id,
                    "created": rev.created,
                }
                if rev.url:
                    act["revisionUrl"] = rev.url
            url = _entity_url(world, a)
            if url:
                act["entityUrl"] = url
            actions.append(act)
        entry["actionStates"] = actions
        eid = p.stage_latest.get(st.name)
        if eid is not None:
            ex = p.executions[eid]
            srun: StageRun = ex.stages[st.name]
            entry["latestExecution"] = _stage_exec(ex, srun.status)
            if srun.manual_retries:
                entry["retryStageMetadata"] = {
                    "manualStageRetryAttempt": srun.manual_retries,
                    "latestRetryTrigger": "ManualStageRetry",
                }
        stages.append(entry)
    return {
        "pipelineName": p.name,
        "pipelineVersion": p.spec.version,
        "stageStates": stages,
        "created": p.spec.created,
        "updated": p.spec.updated,
    }


def _source_revisions(ex: Execution) -> list[dict[str, Any]]:
    return [
        _drop_none(
            {
                "actionName": r.action,
                "revisionId": r.revision_id,
                "revisionSummary": r.summary,
                "revisionUrl": r.url,
            }
        )
        for r in ex.revisions
    ]


def execution_summary(ex: Execution) -> dict[str, Any]:
    """One entry of ListPipelineExecutions."""
    out = _drop_none(
        {
            "pipelineExecutionId": ex.id,
            "status": ex.status,
            "statusSummary": ex.status_summary,
            "startTime": ex.start,
            "lastUpdateTime": ex.last_update,
            "sourceRevisions": _source_revisions(ex),
            "trigger": {"triggerType": ex.trigger_type, "triggerDetail": ex.trigger_detail},
            "executionMode": ex.mode,
            "executionType": ex.execution_type,
        }
    )
    if ex.stop_reason is not None and ex.status in ("Stopped", "Stopping"):
        out["stopTrigger"] = {"reason": ex.stop_reason}
    if ex.rollback_target:
        out["rollbackMetadata"] = {"rollbackTargetPipelineExecutionId": ex.rollback_target}
    return out


def execution(p: Pipeline, ex: Execution) -> dict[str, Any]:
    """GetPipelineExecution's ``pipelineExecution``."""
    out = _drop_none(
        {
            "pipelineName": p.name,
            "pipelineVersion": ex.pipeline_version,
            "pipelineExecutionId": ex.id,
            "status": ex.status,
            "statusSummary": ex.status_summary,
            "artifactRevisions": [
                _drop_none(
                    {
                        "name": r.artifact,
                        "revisionId": r.revision_id,
                        "revisionChangeIdentifier": r.change_id,
                        "revisionSummary": r.summary,
                        "created": r.created,
                        "revisionUrl": r.url,
                    }
                )
                for r in ex.revisions
            ],
            "trigger": {"triggerType": ex.trigger_type, "triggerDetail": ex.trigger_detail},
            "executionMode": ex.mode,
            "executionType": ex.execution_type,
        }
    )
    if p.spec.pipeline_type == "V2":
        out["variables"] = [{"name": k, "resolvedValue": v} for k, v in ex.variables.items()]
    if ex.rollback_target:
        out["rollbackMetadata"] = {"rollbackTargetPipelineExecutionId": ex.rollback_target}
    return out


def _artifacts(world: World, p: Pipeline, names: list[str], eid: str) -> list[dict[str, Any]]:
    bucket = artifact_bucket(world)
    return [
        {"name": n, "s3location": {"bucket": bucket, "key": f"{p.name[:20]}/{n[:10]}/{eid[:7]}"}}
        for n in names
    ]


def action_detail(world: World, p: Pipeline, run: ActionRun, version: int) -> dict[str, Any]:
    """One entry of ListActionExecutions."""
    spec = run.spec
    result = _drop_none(
        {
            "externalExecutionId": run.external_id,
            "externalExecutionSummary": run.summary,
            "externalExecutionUrl": run.external_url,
            "errorDetails": _error(run) if run.status == "Failed" else None,
        }
    )
    return _drop_none(
        {
            "pipelineExecutionId": run.execution_id,
            "actionExecutionId": run.id,
            "pipelineVersion": version,
            "stageName": run.stage,
            "actionName": spec.name,
            "startTime": run.start,
            "lastUpdateTime": run.last_update,
            "updatedBy": run.updated_by,
            "status": run.status,
            "input": _drop_none(
                {
                    "actionTypeId": _type_id(spec),
                    "configuration": dict(spec.configuration),
                    "resolvedConfiguration": dict(spec.configuration),
                    "region": spec.region or world.region,
                    "inputArtifacts": _artifacts(world, p, spec.input_artifacts, run.execution_id),
                    "namespace": spec.namespace,
                }
            ),
            "output": {
                "outputArtifacts": _artifacts(world, p, spec.output_artifacts, run.execution_id)
                if run.status == "Succeeded"
                else [],
                "executionResult": result,
                "outputVariables": dict(run.output_variables) if run.status == "Succeeded" else {},
            },
        }
    )

"""World records -> CodePipeline responses about what ran: ListPipelineExecutions,
GetPipelineExecution, ListActionExecutions and ListRuleExecutions. Member names exactly as
botocore's shapes.
"""

from __future__ import annotations

from typing import Any

from tui.sim.render_pipeline import action_type_id, artifact_bucket, drop_none, error_details
from tui.sim.world.state import ActionRun, Execution, Pipeline, RuleRun
from tui.sim.world.world import World


def _source_revisions(ex: Execution) -> list[dict[str, Any]]:
    return [
        drop_none(
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
    out = drop_none(
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
    out = drop_none(
        {
            "pipelineName": p.name,
            "pipelineVersion": ex.pipeline_version,
            "pipelineExecutionId": ex.id,
            "status": ex.status,
            "statusSummary": ex.status_summary,
            "artifactRevisions": [
                drop_none(
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
    result = drop_none(
        {
            "externalExecutionId": run.external_id,
            "externalExecutionSummary": run.summary,
            "externalExecutionUrl": run.external_url,
            "errorDetails": error_details(run) if run.status == "Failed" else None,
        }
    )
    return drop_none(
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
            "input": drop_none(
                {
                    "actionTypeId": action_type_id(spec),
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


def rule_detail(world: World, p: Pipeline, rr: RuleRun) -> dict[str, Any]:
    """One entry of ListRuleExecutions."""
    rule = rr.rule
    type_id = rule["ruleTypeId"]
    result = drop_none(
        {
            "externalExecutionId": rr.external_id,
            "externalExecutionSummary": rr.summary,
            "externalExecutionUrl": rr.external_url,
            "errorDetails": {"code": rr.error_code, "message": rr.error_message or ""}
            if rr.status == "Failed" and rr.error_code
            else None,
        }
    )
    return drop_none(
        {
            "pipelineExecutionId": rr.execution_id,
            "ruleExecutionId": rr.id,
            "pipelineVersion": rr.pipeline_version,
            "stageName": rr.stage,
            "ruleName": rr.name,
            "startTime": rr.start,
            "lastUpdateTime": rr.last_update,
            "updatedBy": rr.updated_by,
            "status": rr.status,
            "input": drop_none(
                {
                    "ruleTypeId": {
                        "category": type_id.get("category", "Rule"),
                        "owner": type_id.get("owner", "AWS"),
                        "provider": type_id["provider"],
                        "version": type_id.get("version", "1"),
                    },
                    "configuration": dict(rule.get("configuration") or {}),
                    "resolvedConfiguration": dict(rr.resolved),
                    "roleArn": rule.get("roleArn"),
                    "region": rule.get("region") or world.region,
                    "inputArtifacts": _artifacts(
                        world, p, [a["name"] for a in rule.get("inputArtifacts") or []], rr.execution_id
                    ),
                }
            ),
            "output": {"executionResult": result},
        }
    )

"""World records -> CodePipeline responses about a pipeline: its declaration (ListPipelines,
GetPipeline) and its state now (GetPipelineState). Member names exactly as botocore's shapes; what
ran before is ``render_executions``'s.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote

from tui.sim.world.state import (
    ActionRun,
    ActionSpec,
    ConditionRun,
    Execution,
    Pipeline,
    RuleRun,
    StageRun,
    StageSpec,
)
from tui.sim.world.world import World


def drop_none(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` without its None members (botocore leaves absent members out)."""
    return {k: v for k, v in d.items() if v is not None}


def artifact_bucket(world: World, region: str | None = None) -> str:
    """The S3 artifact bucket of the account in ``region`` (the world's by default)."""
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


def action_type_id(a: ActionSpec) -> dict[str, str]:
    """An ActionTypeId."""
    return {"category": a.category, "owner": a.owner, "provider": a.provider, "version": a.version}


def _action_decl(a: ActionSpec) -> dict[str, Any]:
    return copy.deepcopy(a.extra) | drop_none(
        {
            "name": a.name,
            "actionTypeId": action_type_id(a),
            "runOrder": a.run_order,
            "configuration": dict(a.configuration),
            "outputArtifacts": [{"name": n} for n in a.output_artifacts],
            "inputArtifacts": [{"name": n} for n in a.input_artifacts],
            "region": a.region,
            "namespace": a.namespace,
            "timeoutInMinutes": a.timeout_minutes,
        }
    )


def _stage_decl(st: StageSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"name": st.name}
    out |= copy.deepcopy(st.extra)
    out["actions"] = [_action_decl(a) for a in st.actions]
    for member, value in (
        ("beforeEntry", st.before_entry),
        ("onSuccess", st.on_success),
        ("onFailure", st.on_failure),
    ):
        if value is not None:
            out[member] = copy.deepcopy(value)
    return out


def declaration(world: World, p: Pipeline) -> dict[str, Any]:
    """GetPipeline's ``pipeline`` member."""
    s = p.spec
    decl: dict[str, Any] = {
        "name": s.name,
        "roleArn": f"arn:aws:iam::{world.account}:role/service-role/{_role_name(world, s.name)}",
        "stages": [_stage_decl(st) for st in s.stages],
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
    if s.extra:
        # What Create/UpdatePipeline was given (roleArn, artifactStore or artifactStores) wins.
        if "artifactStore" in s.extra or "artifactStores" in s.extra:
            decl.pop("artifactStore", None)
            decl.pop("artifactStores", None)
        decl |= copy.deepcopy(s.extra)
    if s.pipeline_type == "V2":
        if s.variables:
            decl["variables"] = [
                drop_none({"name": v.name, "defaultValue": v.default, "description": v.description})
                for v in s.variables
            ]
        if s.triggers is not None:
            if s.triggers:
                decl["triggers"] = copy.deepcopy(s.triggers)
            return decl
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


def error_details(run: ActionRun | RuleRun) -> dict[str, str] | None:
    """An ErrorDetails, or None when the run has no error code."""
    if run.error_code is None:
        return None
    return {"code": run.error_code, "message": run.error_message or ""}


def _latest_run(run: ActionRun | RuleRun) -> dict[str, Any]:
    """What an action's and a rule's ``latestExecution`` share in GetPipelineState."""
    return {
        "status": run.status,
        "summary": run.summary,
        "lastStatusChange": run.last_update,
        "lastUpdatedBy": run.updated_by,
        "externalExecutionId": run.external_id,
        "externalExecutionUrl": run.external_url,
        "errorDetails": error_details(run) if run.status == "Failed" else None,
    }


def _action_latest(run: ActionRun) -> dict[str, Any]:
    token = run.token if run.status == "InProgress" else None
    return drop_none({"actionExecutionId": run.id, **_latest_run(run), "token": token})


def _stage_exec(ex: Execution, status: str) -> dict[str, str]:
    return {"pipelineExecutionId": ex.id, "status": status, "type": ex.execution_type}


_CONDITION_MEMBERS = (
    ("BEFORE_ENTRY", "beforeEntryConditionState"),
    ("ON_SUCCESS", "onSuccessConditionState"),
    ("ON_FAILURE", "onFailureConditionState"),
)


def _rule_latest(rr: RuleRun) -> dict[str, Any]:
    return drop_none({"ruleExecutionId": rr.id, **_latest_run(rr)})


def _rule_entity_url(world: World, rule: dict[str, Any]) -> str | None:
    cfg = rule.get("configuration") or {}
    provider = rule["ruleTypeId"]["provider"]
    base = "https://console.aws.amazon.com"
    if provider == "CloudWatchAlarm" and cfg.get("AlarmName"):
        return f"{base}/cloudwatch/home?region={world.region}#alarmsV2:alarm/{quote(cfg['AlarmName'])}"
    if provider == "LambdaInvoke" and cfg.get("FunctionName"):
        return f"{base}/lambda/home?region={world.region}#/functions/{quote(cfg['FunctionName'])}"
    return None


def condition_state(world: World, block: dict[str, Any], run: ConditionRun | None) -> dict[str, Any]:
    """A StageConditionState: the latest evaluation of a stage's conditions of one kind."""
    conditions = block.get("conditions") or [{}]
    states = []
    for condition in conditions:
        rules = []
        for rule in condition.get("rules") or []:
            rs: dict[str, Any] = {"ruleName": rule["name"]}
            rr = next((r for r in run.rules if r.name == rule["name"]), None) if run is not None else None
            if rr is not None:
                rs["latestExecution"] = _rule_latest(rr)
            url = _rule_entity_url(world, rule)
            if url:
                rs["entityUrl"] = url
            rules.append(rs)
        cs: dict[str, Any] = {"ruleStates": rules}
        if run is not None:
            cs["latestExecution"] = drop_none(
                {"status": run.status, "summary": run.summary, "lastStatusChange": run.last_update}
            )
        states.append(cs)
    out: dict[str, Any] = {"conditionStates": states}
    if run is not None:
        out["latestExecution"] = drop_none({"status": run.status, "summary": run.summary})
    return out


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
            entry["inboundTransitionState"] = drop_none(
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
            if srun.manual_retries or srun.auto_retries:
                entry["retryStageMetadata"] = drop_none(
                    {
                        "manualStageRetryAttempt": srun.manual_retries or None,
                        "autoStageRetryAttempt": srun.auto_retries or None,
                        "latestRetryTrigger": srun.last_retry or "ManualStageRetry",
                    }
                )
        if p.spec.pipeline_type == "V2":
            for kind, member in _CONDITION_MEMBERS:
                block = st.conditions(kind)
                if block is not None:
                    entry[member] = condition_state(world, block, p.condition_latest.get((st.name, kind)))
        stages.append(entry)
    return {
        "pipelineName": p.name,
        "pipelineVersion": p.spec.version,
        "stageStates": stages,
        "created": p.spec.created,
        "updated": p.spec.updated,
    }

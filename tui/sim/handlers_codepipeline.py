"""CodePipeline operations: JSON 1.1 params in, response dicts out (``HANDLERS`` by op name)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tui.sim import paging, render_executions, render_pipeline
from tui.sim.errors import SimError
from tui.sim.protocol import Ctx
from tui.sim.world import operations as ops
from tui.sim.world.state import ActionRun, Pipeline, RuleRun

Handler = Callable[[Ctx, dict[str, Any]], dict[str, Any]]


def list_pipelines(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    page, more = paging.names_page(sorted(ctx.world.pipelines), params, 100)
    return {"pipelines": [render_pipeline.summary(ctx.world.pipelines[n]) for n in page], **more}


def get_pipeline(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    p = ops.pipeline(ctx.world, params["name"])
    version = params.get("version")
    if version is not None and version != p.spec.version:
        raise SimError(
            "PipelineVersionNotFoundException",
            f"Pipeline '{p.name}' has no version {version}; the current version is {p.spec.version}.",
        )
    return {
        "pipeline": render_pipeline.declaration(ctx.world, p),
        "metadata": render_pipeline.metadata(ctx.world, p),
    }


def get_pipeline_state(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    return render_pipeline.state(ctx.world, ops.pipeline(ctx.world, params["name"]))


def list_pipeline_executions(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    p = ops.pipeline(ctx.world, params["pipelineName"])
    executions = list(p.executions.values())
    stage = ((params.get("filter") or {}).get("succeededInStage") or {}).get("stageName")
    if stage:
        executions = [
            e for e in executions if e.stages.get(stage) is not None and e.stages[stage].status == "Succeeded"
        ]
    page, more = paging.newest_page(executions, params)
    return {"pipelineExecutionSummaries": [render_executions.execution_summary(e) for e in page], **more}


def get_pipeline_execution(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    p = ops.pipeline(ctx.world, params["pipelineName"])
    ex = ops.execution(p, params["pipelineExecutionId"])
    return {"pipelineExecution": render_executions.execution(p, ex)}


def list_action_executions(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    p = ops.pipeline(ctx.world, params["pipelineName"])
    page, more = paging.newest_page(_of_execution(p, params, p.action_runs), params)
    details = [
        render_executions.action_detail(ctx.world, p, r, p.executions[r.execution_id].pipeline_version)
        for r in page
    ]
    return {"actionExecutionDetails": details, **more}


def list_rule_executions(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    p = ops.pipeline(ctx.world, params["pipelineName"])
    page, more = paging.newest_page(_of_execution(p, params, p.rule_runs), params)
    return {"ruleExecutionDetails": [render_executions.rule_detail(ctx.world, p, r) for r in page], **more}


R = TypeVar("R", ActionRun, RuleRun)


def _of_execution(p: Pipeline, params: dict[str, Any], runs: list[R]) -> list[R]:
    """The runs of the execution the request's filter names (an unknown one raises), else all."""
    flt = params.get("filter") or {}
    eid = flt.get("pipelineExecutionId") or (flt.get("latestInPipelineExecution") or {}).get(
        "pipelineExecutionId"
    )
    if not eid:
        return runs
    ops.execution(p, eid)
    return [r for r in runs if r.execution_id == eid]


def override_stage_condition(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ops.override_condition(
        ctx.world,
        params["pipelineName"],
        params["stageName"],
        params["pipelineExecutionId"],
        params["conditionType"],
        ctx.caller.arn,
    )
    return {}


def create_pipeline(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    tags = list(params.get("tags") or [])
    p = ops.create_pipeline(ctx.world, params["pipeline"], tags)
    out: dict[str, Any] = {"pipeline": render_pipeline.declaration(ctx.world, p)}
    if tags:
        out["tags"] = [{"key": k, "value": v} for k, v in p.tags.items()]
    return out


def update_pipeline(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    decl = params["pipeline"]
    if decl["name"] not in ctx.world.pipelines:
        # UpdatePipeline's model lists no PipelineNotFoundException: AWS answers a name it does
        # not know (a rename, or a deleted pipeline) with a ValidationException.
        raise SimError(
            "ValidationException",
            f"Pipeline '{decl['name']}' does not exist in account '{ctx.world.account}'; "
            "a pipeline's name cannot be changed by UpdatePipeline.",
        )
    p = ops.update_pipeline(ctx.world, decl)
    return {"pipeline": render_pipeline.declaration(ctx.world, p)}


def delete_pipeline(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ops.delete_pipeline(ctx.world, params["name"])
    return {}


def list_tags_for_resource(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    p = ops.tagged_pipeline(ctx.world, params["resourceArn"])
    page, more = paging.names_page(sorted(p.tags), params, 50)
    return {"tags": [{"key": k, "value": p.tags[k]} for k in page], **more}


def tag_resource(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ops.tag_resource(ctx.world, params["resourceArn"], list(params["tags"]))
    return {}


def untag_resource(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ops.untag_resource(ctx.world, params["resourceArn"], list(params["tagKeys"]))
    return {}


def start_pipeline_execution(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    variables = {v["name"]: v["value"] for v in params.get("variables") or []}
    overrides = {o["actionName"]: o["revisionValue"] for o in params.get("sourceRevisions") or []}
    eid = ops.start(
        ctx.world, params["name"], variables, overrides, params.get("clientRequestToken"), ctx.caller.arn
    )
    return {"pipelineExecutionId": eid}


def stop_pipeline_execution(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    eid = ops.stop(
        ctx.world,
        params["pipelineName"],
        params["pipelineExecutionId"],
        bool(params.get("abandon", False)),
        params.get("reason") or "",
    )
    return {"pipelineExecutionId": eid}


def retry_stage_execution(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    eid = ops.retry(
        ctx.world,
        params["pipelineName"],
        params["stageName"],
        params["pipelineExecutionId"],
        params["retryMode"],
    )
    return {"pipelineExecutionId": eid}


def rollback_stage(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    eid = ops.rollback(
        ctx.world,
        params["pipelineName"],
        params["stageName"],
        params["targetPipelineExecutionId"],
        ctx.caller.arn,
    )
    return {"pipelineExecutionId": eid}


def enable_stage_transition(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ops.set_transition(
        ctx.world,
        params["pipelineName"],
        params["stageName"],
        params["transitionType"],
        True,
        "",
        ctx.caller.arn,
    )
    return {}


def disable_stage_transition(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    ops.set_transition(
        ctx.world,
        params["pipelineName"],
        params["stageName"],
        params["transitionType"],
        False,
        params["reason"],
        ctx.caller.arn,
    )
    return {}


def put_approval_result(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    result = params["result"]
    approved_at = ops.put_approval(
        ctx.world,
        params["pipelineName"],
        params["stageName"],
        params["actionName"],
        params["token"],
        result["status"],
        result.get("summary", ""),
        ctx.caller.arn,
    )
    return {"approvedAt": approved_at}


HANDLERS: dict[str, Handler] = {
    "ListPipelines": list_pipelines,
    "GetPipeline": get_pipeline,
    "GetPipelineState": get_pipeline_state,
    "ListPipelineExecutions": list_pipeline_executions,
    "GetPipelineExecution": get_pipeline_execution,
    "ListActionExecutions": list_action_executions,
    "ListRuleExecutions": list_rule_executions,
    "StartPipelineExecution": start_pipeline_execution,
    "StopPipelineExecution": stop_pipeline_execution,
    "RetryStageExecution": retry_stage_execution,
    "RollbackStage": rollback_stage,
    "EnableStageTransition": enable_stage_transition,
    "DisableStageTransition": disable_stage_transition,
    "PutApprovalResult": put_approval_result,
    "OverrideStageCondition": override_stage_condition,
    "CreatePipeline": create_pipeline,
    "UpdatePipeline": update_pipeline,
    "DeletePipeline": delete_pipeline,
    "ListTagsForResource": list_tags_for_resource,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
}

"""The mutating CodePipeline operations, with the checks and errors AWS applies.

Each function validates against the world's current state and raises ``SimError`` with the code
AWS uses (StageNotRetryableException, InvalidApprovalTokenException ...), then changes the world
through ``flow``. Handlers call these after ``World.advance``.
"""

from __future__ import annotations

import re
from typing import Any

from tui.sim.errors import SimError, pipeline_not_found, validation
from tui.sim.world import conditions, declaration, emit, flow
from tui.sim.world.state import Execution, Pipeline, StageRun, Transition
from tui.sim.world.world import World


def pipeline(world: World, name: str) -> Pipeline:
    p = world.pipelines.get(name)
    if p is None:
        raise pipeline_not_found(name, world.account)
    return p


def execution(p: Pipeline, eid: str) -> Execution:
    ex = p.executions.get(eid)
    if ex is None:
        raise SimError(
            "PipelineExecutionNotFoundException",
            f"Pipeline execution with id '{eid}' does not exist in pipeline with name '{p.name}'.",
        )
    return ex


def _stage(p: Pipeline, stage: str) -> None:
    if p.spec.stage(stage) is None:
        raise SimError(
            "StageNotFoundException", f"Stage with name '{stage}' does not exist in pipeline '{p.name}'"
        )


def start(
    world: World,
    name: str,
    variables: dict[str, str],
    overrides: dict[str, str],
    token: str | None,
    caller: str,
) -> str:
    """StartPipelineExecution: idempotent on ``clientRequestToken``."""
    p = pipeline(world, name)
    if token and token in p.client_tokens:
        return p.client_tokens[token]
    if variables and p.spec.pipeline_type != "V2":
        raise validation("Pipeline variables are supported only for pipelines of type V2")
    declared = {v.name for v in p.spec.variables}
    unknown = sorted(set(variables) - declared)
    if unknown:
        raise validation(f"Pipeline variable(s) {', '.join(unknown)} are not declared in pipeline '{name}'")
    sources = {a.name for a in p.spec.stages[0].actions}
    for action in overrides:
        if action not in sources:
            raise validation(f"Source action '{action}' does not exist in pipeline '{name}'")
    ex = flow.start_execution(
        world, p, "StartPipelineExecution", caller, variables=variables, overrides=overrides
    )
    if token:
        p.client_tokens[token] = ex.id
    return ex.id


def stop(world: World, name: str, eid: str, abandon: bool, reason: str) -> str:
    """StopPipelineExecution: only InProgress executions; abandoning a Stopping one is allowed."""
    p = pipeline(world, name)
    ex = execution(p, eid)
    if ex.status == "Stopping" and not abandon:
        raise SimError(
            "DuplicatedStopRequestException",
            f"Execution '{eid}' is already being stopped. Choose Stop and abandon to abandon it.",
        )
    if ex.status not in ("InProgress", "Stopping"):
        raise SimError(
            "PipelineExecutionNotStoppableException",
            f"Unable to stop pipeline execution '{eid}' because its status is {ex.status}.",
        )
    flow.stop(world, p, ex, abandon, reason)
    return ex.id


def retry(world: World, name: str, stage: str, eid: str, mode: str) -> str:
    """RetryStageExecution: the stage's latest execution, Failed, and no retry already running."""
    p = pipeline(world, name)
    _stage(p, stage)
    ex = p.executions.get(eid)
    if ex is None:
        raise SimError("StageNotRetryableException", f"Pipeline execution '{eid}' was not found.")
    if p.stage_latest.get(stage) != eid:
        raise SimError(
            "NotLatestPipelineExecutionException",
            f"Stage '{stage}' has run in a later pipeline execution; '{eid}' is out of date.",
        )
    srun: StageRun | None = ex.stages.get(stage)
    if srun is not None and srun.retry_running and srun.status in ("InProgress", "Stopping"):
        raise SimError("ConflictException", f"A retry of stage '{stage}' is already in progress.")
    if srun is None or srun.status != "Failed":
        status = srun.status if srun else "not started"
        raise SimError(
            "StageNotRetryableException",
            f"Stage '{stage}' in execution '{eid}' cannot be retried: its status is {status}.",
        )
    flow.retry(world, p, ex, stage, mode)
    return ex.id


def rollback(world: World, name: str, stage: str, target: str, caller: str) -> str:
    """RollbackStage (V2): re-run one stage with an earlier successful execution's revisions."""
    p = pipeline(world, name)
    _stage(p, stage)
    if p.spec.pipeline_type != "V2":
        raise validation("RollbackStage is supported only for pipelines of type V2")
    tgt = execution(p, target)
    current_id = p.stage_latest.get(stage)
    current = p.executions.get(current_id) if current_id else None
    if current is not None and current.stages[stage].status in ("InProgress", "Stopping"):
        raise SimError("ConflictException", f"Stage '{stage}' is in progress; wait until it ends.")
    if tgt.pipeline_version != p.spec.version:
        raise SimError(
            "PipelineExecutionOutdatedException",
            f"Execution '{target}' ran pipeline version {tgt.pipeline_version}, not {p.spec.version}.",
        )
    trun = tgt.stages.get(stage)
    if trun is None or trun.status != "Succeeded":
        raise SimError(
            "UnableToRollbackStageException",
            f"Execution '{target}' did not succeed in stage '{stage}'.",
        )
    if current is None or target == current.id or tgt.start >= current.start:
        raise SimError(
            "UnableToRollbackStageException",
            f"Execution '{target}' is not earlier than the current execution of stage '{stage}'.",
        )
    ex = flow.start_execution(
        world,
        p,
        "ManualRollback",
        caller,
        execution_type="ROLLBACK",
        rollback_target=target,
        only_stage=stage,
        revisions=tgt.revisions,
        variables=dict(tgt.variables),
    )
    return ex.id


def set_transition(
    world: World, name: str, stage: str, kind: str, enabled: bool, reason: str, caller: str
) -> None:
    """Enable/DisableStageTransition. ``Outbound`` of a stage is the next stage's inbound side."""
    p = pipeline(world, name)
    _stage(p, stage)
    target = stage
    if kind == "Outbound":
        idx = p.spec.stage_index(stage) + 1
        if idx >= len(p.spec.stages):
            raise validation(f"Stage '{stage}' is the last stage and has no outbound transition")
        target = p.spec.stages[idx].name
    transition = p.transitions.get(target)
    if transition is None:
        raise validation(f"The first stage '{target}' has no inbound transition")
    transition.enabled = enabled
    transition.reason = None if enabled else reason
    transition.changed_by = caller
    transition.changed_at = world.now
    if enabled:
        flow.pump(world, p, target)


def put_approval(
    world: World,
    name: str,
    stage: str,
    action: str,
    token: str,
    status: str,
    summary: str,
    caller: str,
) -> float:
    """PutApprovalResult: the token must be the waiting approval's; returns approvedAt."""
    p = pipeline(world, name)
    _stage(p, stage)
    stage_spec = p.spec.stage(stage)
    assert stage_spec is not None
    spec = stage_spec.action(action)
    if spec is None:
        raise SimError("ActionNotFoundException", f"Action '{action}' does not exist in stage '{stage}'.")
    if spec.category != "Approval":
        raise SimError("InvalidApprovalTokenException", f"Action '{action}' is not an approval.")
    run = p.action_latest.get((stage, action))
    if run is not None and run.token == token and run.status == "InProgress":
        ex = p.executions[run.execution_id]
        run.summary = summary
        run.updated_by = caller
        if status != "Approved":
            run.error_code = "JobFailed"
            run.error_message = f"Rejected by {caller.rsplit('/', 1)[-1]}: {summary}"
        flow.complete_action(
            world, p, ex, ex.stages[stage], run, "Succeeded" if status == "Approved" else "Failed"
        )
        return world.now
    if token in p.answered_tokens:
        raise SimError(
            "ApprovalAlreadyCompletedException",
            f"The approval action '{action}' has already been approved or rejected.",
        )
    raise SimError(
        "InvalidApprovalTokenException",
        f"The approval token for action '{action}' is not valid: it has expired or was never issued.",
    )


# --- managing pipelines -------------------------------------------------------------------------


def create_pipeline(world: World, decl: dict[str, Any], tags: list[dict[str, str]]) -> Pipeline:
    """CreatePipeline: the same checks as UpdatePipeline; the new pipeline is version 1.

    Creating a pipeline starts it once (AWS: "Unlike creating a pipeline, editing a pipeline does
    not rerun the most recent revision"), with trigger type CreatePipeline.
    """
    if decl["name"] in world.pipelines:
        raise SimError(
            "PipelineNameInUseException", f"A pipeline with the name '{decl['name']}' already exists."
        )
    if len(world.pipelines) >= declaration.MAX_PIPELINES:
        raise SimError(
            "LimitExceededException",
            f"The account has reached its limit of {declaration.MAX_PIPELINES} pipelines in this region.",
        )
    _check_tags(tags)
    declaration.check(decl, world.region)
    spec = declaration.to_spec(decl, None, world.now)
    p = world.add_pipeline(spec)
    p.tags = {t["key"]: t["value"] for t in tags}
    flow.start_execution(world, p, "CreatePipeline", world.pipeline_arn(p.name))
    return p


def update_pipeline(world: World, decl: dict[str, Any]) -> Pipeline:
    """UpdatePipeline: validate, replace the structure, version + 1, ``updated`` now.

    Executions not yet complete are cancelled, as AWS documents it: the PipelineExecution status
    "Cancelled: The pipeline's definition was updated before the pipeline execution could be
    completed", and for a stage "A status of cancelled means that the pipeline's definition was
    updated before the stage execution could be completed." (CodePipeline API reference,
    PipelineExecution and StageExecution). Their running actions are abandoned, executions
    waiting at a transition leave the queue, conditions being checked end. Nothing is started:
    "editing a pipeline does not rerun the most recent revision through the pipeline" (user
    guide, "Edit a pipeline in CodePipeline").
    """
    name = decl["name"]
    p = pipeline(world, name)
    declaration.check(decl, world.region)
    for ex in p.executions.values():
        if not ex.final:
            _cancel(world, p, ex)
    p.spec = declaration.to_spec(decl, p.spec, world.now)
    names = {s.name for s in p.spec.stages}
    p.transitions = {s.name: p.transitions.get(s.name) or Transition() for s in p.spec.stages[1:]}
    for table in (p.stage_latest, p.occupants, p.waiting):
        for stage in [s for s in table if s not in names]:
            del table[stage]
    declared = {(s.name, a.name) for s in p.spec.stages for a in s.actions}
    for key in [k for k in p.action_latest if k not in declared]:
        del p.action_latest[key]
    for key in [k for k in p.condition_latest if p.spec.stage(k[0]) is None]:
        del p.condition_latest[key]
    return p


def _cancel(world: World, p: Pipeline, ex: Execution) -> None:
    for srun in ex.stages.values():
        if srun.status in ("InProgress", "Stopping"):
            for ar in srun.actions.values():
                if ar.status == "InProgress":
                    ar.status = "Abandoned"
                    ar.last_update = world.now
                    if ar.token:
                        p.expired_tokens.add(ar.token)
                        ar.token = None
            srun.status = "Cancelled"
            srun.gate = None
            emit.stage_changed(world, p, ex, srun.name, "CANCELED")
            occupants = p.occupants.get(srun.name, [])
            if ex.id in occupants:
                occupants.remove(ex.id)
    flow.finish(
        world, p, ex, "Cancelled", "The pipeline's definition was updated before the execution completed."
    )


def delete_pipeline(world: World, name: str) -> None:
    """DeletePipeline: the pipeline and its execution history are gone. AWS answers success for
    a name that does not exist (the API lists no PipelineNotFoundException for it)."""
    world.pipelines.pop(name, None)


_ARN = re.compile(r"^arn:aws[a-z-]*:codepipeline:([a-z0-9-]+):(\d{12}):(.+)$")


def tagged_pipeline(world: World, arn: str) -> Pipeline:
    """The pipeline an ARN names, for the tagging operations."""
    match = _ARN.match(arn)
    if match is None:
        raise SimError("InvalidArnException", f"The ARN '{arn}' is not a valid CodePipeline resource ARN.")
    region, account, resource = match.groups()
    if region != world.region or account != world.account:
        raise SimError(
            "InvalidArnException",
            f"The ARN '{arn}' names a resource in {account}/{region}, not in this account and region.",
        )
    p = world.pipelines.get(resource)
    if p is None:
        raise SimError("ResourceNotFoundException", f"The resource with the ARN '{arn}' was not found.")
    return p


def _check_tags(tags: list[dict[str, str]]) -> None:
    for tag in tags:
        if tag["key"].lower().startswith("aws:"):
            raise SimError(
                "InvalidTagsException",
                f"Tag key '{tag['key']}' is reserved: keys starting with aws: are AWS's.",
            )


def tag_resource(world: World, arn: str, tags: list[dict[str, str]]) -> None:
    p = tagged_pipeline(world, arn)
    _check_tags(tags)
    merged = p.tags | {t["key"]: t["value"] for t in tags}
    if len(merged) > 50:
        raise SimError(
            "TooManyTagsException", f"A resource can have at most 50 tags; '{arn}' would have {len(merged)}."
        )
    p.tags = merged


def untag_resource(world: World, arn: str, keys: list[str]) -> None:
    p = tagged_pipeline(world, arn)
    for key in keys:
        if key.lower().startswith("aws:"):
            raise SimError("InvalidTagsException", f"Tag key '{key}' is reserved and cannot be removed.")
        p.tags.pop(key, None)


def override_condition(world: World, name: str, stage: str, eid: str, kind: str, caller: str) -> None:
    """OverrideStageCondition: end a BEFORE_ENTRY / ON_SUCCESS condition being checked; the
    stage proceeds. "You can't override a condition configured to use the Skip result." (user
    guide, stage conditions)."""
    p = pipeline(world, name)
    _stage(p, stage)
    block = conditions.declared(p, stage, kind)
    if block is None or p.spec.pipeline_type != "V2":
        raise SimError(
            "ConditionNotOverridableException",
            f"Stage '{stage}' of pipeline '{name}' has no {kind} condition to override.",
        )
    ex = execution(p, eid)
    if p.stage_latest.get(stage) != eid:
        raise SimError(
            "NotLatestPipelineExecutionException",
            f"Pipeline execution '{eid}' is not the latest execution of stage '{stage}'.",
        )
    run = p.condition_latest.get((stage, kind))
    if run is None or run.execution_id != eid or run.status != "InProgress":
        status = run.status if run is not None and run.execution_id == eid else "not started"
        raise SimError(
            "ConditionNotOverridableException",
            f"The {kind} condition of stage '{stage}' in execution '{eid}' is {status}, not InProgress.",
        )
    if run.result == "SKIP":
        raise SimError(
            "ConditionNotOverridableException",
            f"The {kind} condition of stage '{stage}' uses the SKIP result, which cannot be overridden.",
        )
    conditions.override(world, run, caller)
    flow.proceed_after_condition(world, p, ex, run, passed=True)

"""How executions move: stage by stage, runOrder group by group, through transitions and modes.

- An execution enters a stage when the stage's inbound transition is enabled and, unless the
  pipeline runs in PARALLEL mode, no other execution occupies the stage. Otherwise it waits at
  the inbound side: in SUPERSEDED mode a newer waiting execution replaces an older one (which
  becomes Superseded); in QUEUED mode they wait in order.
- Within a stage, actions run by runOrder; actions with the same runOrder run in parallel. When a
  group ends with a failed action the stage fails and so does the execution.
- A stage that ends frees its place for the next waiting execution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.sim.world import conditions, emit, runners
from tui.sim.world.runners import new_uuid
from tui.sim.world.state import ActionRun, ConditionRun, Execution, Pipeline, Revision, StageRun

if TYPE_CHECKING:
    from tui.sim.world.base import WorldBase


def new_execution(
    p: Pipeline,
    at: float,
    trigger_type: str,
    trigger_detail: str,
    variables: dict[str, str] | None = None,
    **more: Any,
) -> Execution:
    """An execution of ``p`` started ``at`` (not yet recorded): a V2 pipeline's variables are its
    defaults with ``variables`` over them. Draws its id from the pipeline's random generator."""
    resolved: dict[str, str] = {}
    if p.spec.pipeline_type == "V2":
        resolved = {v.name: v.default or "" for v in p.spec.variables}
        resolved.update(variables or {})
    return Execution(
        id=new_uuid(p.rng),
        pipeline=p.name,
        pipeline_version=p.spec.version,
        start=at,
        last_update=at,
        mode=p.spec.execution_mode,
        trigger_type=trigger_type,
        trigger_detail=trigger_detail,
        variables=resolved,
        **more,
    )


def start_execution(
    world: WorldBase,
    p: Pipeline,
    trigger_type: str,
    trigger_detail: str,
    *,
    variables: dict[str, str] | None = None,
    overrides: dict[str, str] | None = None,
    execution_type: str = "STANDARD",
    rollback_target: str | None = None,
    only_stage: str | None = None,
    revisions: list[Revision] | None = None,
) -> Execution:
    """Create an execution now and let it enter its first stage (or wait for it)."""
    ex = new_execution(
        p,
        world.now,
        trigger_type,
        trigger_detail,
        variables,
        execution_type=execution_type,
        rollback_target=rollback_target,
        revisions=list(revisions or []),
        revision_overrides=dict(overrides or {}),
        only_stage=only_stage,
    )
    p.executions[ex.id] = ex
    emit.pipeline_changed(world, p, ex, "STARTED")
    idx = 0 if only_stage is None else p.spec.stage_index(only_stage)
    try_enter(world, p, ex, idx)
    return ex


def _can_enter(p: Pipeline, ex: Execution, stage: str) -> bool:
    transition = p.transitions.get(stage)
    if transition is not None and not transition.enabled:
        return False
    return ex.mode == "PARALLEL" or not p.occupants.get(stage)


def try_enter(world: WorldBase, p: Pipeline, ex: Execution, idx: int) -> None:
    """Enter stage ``idx`` now, or wait at its inbound side as the execution mode says."""
    stage = p.spec.stages[idx].name
    ex.stage_index = idx
    queue = p.waiting.setdefault(stage, [])
    if not queue and _can_enter(p, ex, stage):
        _enter(world, p, ex, idx)
        return
    if ex.mode == "SUPERSEDED":
        for old_id in list(queue):
            finish(world, p, p.executions[old_id], "Superseded")
    queue.append(ex.id)
    ex.waiting_at = stage


def _enter(world: WorldBase, p: Pipeline, ex: Execution, idx: int) -> None:
    name = p.spec.stages[idx].name
    ex.waiting_at = None
    ex.stage_index = idx
    ex.last_update = world.now
    run = StageRun(name, entered=world.now)
    ex.stages[name] = run
    p.occupants.setdefault(name, []).append(ex.id)
    p.stage_latest[name] = ex.id
    emit.stage_changed(world, p, ex, name, "STARTED")
    gate_or_start(world, p, ex, run)


def start_group(
    world: WorldBase, p: Pipeline, ex: Execution, run: StageRun, only: set[str] | None = None
) -> None:
    """Start the actions of the stage's current runOrder group (or just those in ``only``)."""
    stage_spec = p.spec.stage(run.name)
    assert stage_spec is not None
    for spec in stage_spec.run_orders()[run.group]:
        if only is not None and spec.name not in only:
            continue
        ar = runners.start_action(world, p, ex, run.name, spec, world.now)
        record_action(p, run, ar)
        emit.action_changed(world, p, ex, ar)
        assert ar.ends_at is not None
        world.schedule(ar.ends_at, "action", p.name, ex.id, run.name, ar.id)


def record_action(p: Pipeline, run: StageRun, ar: ActionRun) -> None:
    run.actions[ar.name] = ar
    p.action_runs.append(ar)
    p.action_latest[(run.name, ar.name)] = ar


def complete_action(
    world: WorldBase, p: Pipeline, ex: Execution, srun: StageRun, ar: ActionRun, outcome: str
) -> None:
    """End an action with ``outcome`` (Succeeded, Failed or TimedOut) and move the stage on."""
    now = world.now
    if outcome == "TimedOut":
        minutes = int((now - ar.start) // 60)
        ar.error_code = "ApprovalTimeout"
        ar.error_message = f"The approval request expired after {minutes} minutes without a response"
        outcome = "Failed"
    if ar.token:
        (p.answered_tokens if ar.updated_by else p.expired_tokens).add(ar.token)
        ar.token = None
    ar.status = outcome
    ar.last_update = now
    emit.action_changed(world, p, ex, ar)
    if outcome == "Succeeded" and ar.revision is not None:
        if all(r.action != ar.revision.action for r in ex.revisions):
            ex.revisions.append(ar.revision)
        p.current_revision[ar.name] = ar.revision
    ex.last_update = now
    _group_check(world, p, ex, srun)


def _group_check(world: WorldBase, p: Pipeline, ex: Execution, srun: StageRun) -> None:
    stage_spec = p.spec.stage(srun.name)
    assert stage_spec is not None
    groups = stage_spec.run_orders()
    current = [srun.actions.get(a.name) for a in groups[srun.group]]
    if any(a is None or a.status == "InProgress" for a in current):
        return
    if any(a is not None and a.status in ("Failed", "Abandoned") for a in current):
        stage_end(world, p, ex, srun, "Failed")
    elif ex.status == "Stopping":
        stage_end(world, p, ex, srun, "Stopped")
    elif srun.group + 1 < len(groups):
        srun.group += 1
        start_group(world, p, ex, srun)
    elif _has_conditions(p, ex, srun.name, "ON_SUCCESS"):
        srun.gate = "ON_SUCCESS"
        _begin_condition(world, p, ex, srun.name, "ON_SUCCESS")
    else:
        stage_end(world, p, ex, srun, "Succeeded")


def _has_conditions(p: Pipeline, ex: Execution, stage: str, kind: str) -> bool:
    return (
        p.spec.pipeline_type == "V2"
        and ex.execution_type == "STANDARD"
        and conditions.declared(p, stage, kind) is not None
    )


def stage_end(
    world: WorldBase,
    p: Pipeline,
    ex: Execution,
    srun: StageRun,
    status: str,
    *,
    check_on_failure: bool = True,
) -> None:
    """Close a stage run, free the stage, and move the execution on or end it (a Skipped stage
    moves it on like a Succeeded one). A failed stage with onFailure conditions engages them."""
    srun.status = status
    srun.retry_running = False
    srun.gate = None
    emit.stage_changed(world, p, ex, srun.name, emit.state(status))
    release(world, p, srun.name, ex.id)
    if ex.status == "Stopping":
        finish(world, p, ex, "Stopped")
    elif status in ("Succeeded", "Skipped"):
        nxt = ex.stage_index + 1
        if ex.only_stage is not None or nxt >= len(p.spec.stages):
            finish(world, p, ex, "Succeeded")
        else:
            try_enter(world, p, ex, nxt)
    else:
        finish(world, p, ex, "Failed" if status == "Failed" else "Stopped")
        if status == "Failed" and check_on_failure and _has_conditions(p, ex, srun.name, "ON_FAILURE"):
            _begin_condition(world, p, ex, srun.name, "ON_FAILURE")


def release(world: WorldBase, p: Pipeline, stage: str, eid: str) -> None:
    """Free ``stage`` of execution ``eid`` and let waiting executions in."""
    occupants = p.occupants.get(stage, [])
    if eid in occupants:
        occupants.remove(eid)
    pump(world, p, stage)


def pump(world: WorldBase, p: Pipeline, stage: str) -> None:
    """Move waiting executions into ``stage`` while it admits them."""
    queue = p.waiting.get(stage, [])
    while queue:
        ex = p.executions[queue[0]]
        if not _can_enter(p, ex, stage):
            return
        queue.pop(0)
        _enter(world, p, ex, p.spec.stage_index(stage))


def finish(world: WorldBase, p: Pipeline, ex: Execution, status: str, summary: str | None = None) -> None:
    """End an execution with a final status."""
    ex.status = status
    ex.last_update = world.now
    if summary is not None:
        ex.status_summary = summary
    emit.pipeline_changed(world, p, ex, emit.state(status))
    conditions.cancel(world, p, ex)
    if ex.waiting_at is not None:
        queue = p.waiting.get(ex.waiting_at, [])
        if ex.id in queue:
            queue.remove(ex.id)
        ex.waiting_at = None


def current_stage(p: Pipeline, ex: Execution) -> StageRun | None:
    """The stage run the execution is in (None while it waits or after it ended)."""
    if ex.waiting_at is not None:
        return None
    run = ex.stages.get(p.spec.stages[ex.stage_index].name)
    return run if run is not None and run.status in ("InProgress", "Stopping") else None


def stop(world: WorldBase, p: Pipeline, ex: Execution, abandon: bool, reason: str) -> None:
    """Stop an execution: abandon in-progress actions now, or let them finish first."""
    ex.stop_reason = reason
    ex.abandon = abandon
    run = current_stage(p, ex)
    if run is None:
        finish(world, p, ex, "Stopped")
        return
    if run.gate is not None and not any(a.status == "InProgress" for a in run.actions.values()):
        # Held by a condition, no action running: nothing to wait for.
        run.status = "Stopped"
        run.gate = None
        emit.stage_changed(world, p, ex, run.name, "STOPPED")
        release(world, p, run.name, ex.id)
        finish(world, p, ex, "Stopped")
        return
    if not abandon:
        ex.status = "Stopping"
        run.status = "Stopping"
        ex.last_update = world.now
        emit.pipeline_changed(world, p, ex, "STOPPING")
        emit.stage_changed(world, p, ex, run.name, "STOPPING")
        return
    for ar in run.actions.values():
        if ar.status == "InProgress":
            ar.status = "Abandoned"
            ar.last_update = world.now
            emit.action_changed(world, p, ex, ar)
            if ar.token:
                p.expired_tokens.add(ar.token)
                ar.token = None
    run.status = "Stopped"
    emit.stage_changed(world, p, ex, run.name, "STOPPED")
    release(world, p, run.name, ex.id)
    finish(world, p, ex, "Stopped")


def retry(
    world: WorldBase, p: Pipeline, ex: Execution, stage: str, mode: str, *, automated: bool = False
) -> None:
    """Run a failed stage again: only its failed actions, or all of them from the first group."""
    srun = ex.stages[stage]
    srun.status = "InProgress"
    srun.retry_running = True
    if not automated:
        srun.manual_retries += 1
    srun.last_retry = "AutomatedStageRetry" if automated else "ManualStageRetry"
    ex.status = "InProgress"
    ex.status_summary = None
    ex.stop_reason = None
    ex.stage_index = p.spec.stage_index(stage)
    ex.last_update = world.now
    p.occupants.setdefault(stage, []).append(ex.id)
    emit.pipeline_changed(world, p, ex, "RESUMED")
    emit.stage_changed(world, p, ex, stage, "RESUMED")
    failed = {n for n, a in srun.actions.items() if a.status in ("Failed", "Abandoned")}
    if not srun.actions:
        # The stage failed at its entry condition: a retry checks the condition again.
        srun.group = 0
        gate_or_start(world, p, ex, srun)
    elif mode == "ALL_ACTIONS":
        srun.group = 0
        srun.actions.clear()
        start_group(world, p, ex, srun)
    elif not failed:
        # Every action succeeded and an on-success condition failed the stage: check it again.
        _group_check(world, p, ex, srun)
    else:
        start_group(world, p, ex, srun, only=failed)


def _begin_condition(world: WorldBase, p: Pipeline, ex: Execution, stage: str, kind: str) -> None:
    """Start checking ``stage``'s ``kind`` condition; one with nothing to wait for moves on now."""
    run = conditions.begin(world, p, ex, stage, kind)
    if run.status != "InProgress":
        proceed_after_condition(world, p, ex, run, passed=run.status == "Succeeded")


def proceed_after_condition(
    world: WorldBase, p: Pipeline, ex: Execution, run: ConditionRun, *, passed: bool
) -> None:
    """Move the stage on after its condition ended (``passed``: succeeded or overridden)."""
    if ex.final and run.kind != "ON_FAILURE":
        return
    srun = ex.stages.get(run.stage)
    if run.kind == "ON_FAILURE":
        if passed:
            _on_failure_result(world, p, ex, run)
        return
    if srun is None or srun.gate != run.kind:
        return
    srun.gate = None
    if run.kind == "BEFORE_ENTRY":
        if passed:
            if ex.status == "Stopping":
                stage_end(world, p, ex, srun, "Stopped")
            else:
                start_group(world, p, ex, srun)
        elif run.result == "SKIP":
            stage_end(world, p, ex, srun, "Skipped")
        else:
            stage_end(world, p, ex, srun, "Failed", check_on_failure=False)
        return
    # ON_SUCCESS
    if passed:
        stage_end(world, p, ex, srun, "Succeeded")
        return
    stage_end(world, p, ex, srun, "Failed", check_on_failure=False)
    if run.result == "ROLLBACK":
        auto_rollback(world, p, ex, run.stage)


def _on_failure_result(world: WorldBase, p: Pipeline, ex: Execution, run: ConditionRun) -> None:
    block = conditions.declared(p, run.stage, "ON_FAILURE") or {}
    srun = ex.stages.get(run.stage)
    if run.result == "RETRY" and srun is not None and srun.status == "Failed" and srun.auto_retries == 0:
        mode = (block.get("retryConfiguration") or {}).get("retryMode", "FAILED_ACTIONS")
        srun.auto_retries += 1
        retry(world, p, ex, run.stage, mode, automated=True)
    elif run.result == "ROLLBACK":
        auto_rollback(world, p, ex, run.stage)


def auto_rollback(world: WorldBase, p: Pipeline, ex: Execution, stage: str) -> None:
    """An AutomatedRollback execution of ``stage`` to the latest earlier execution that succeeded
    in it with the current pipeline version (none: nothing to roll back to)."""
    target = next(
        (
            e
            for e in p.newest_first()
            if e.id != ex.id
            and e.start < ex.start
            and e.execution_type == "STANDARD"
            and e.pipeline_version == p.spec.version
            and e.stages.get(stage) is not None
            and e.stages[stage].status == "Succeeded"
        ),
        None,
    )
    if target is None:
        return
    start_execution(
        world,
        p,
        "AutomatedRollback",
        ex.id,
        execution_type="ROLLBACK",
        rollback_target=target.id,
        only_stage=stage,
        revisions=target.revisions,
        variables=dict(target.variables),
    )


def gate_or_start(world: WorldBase, p: Pipeline, ex: Execution, srun: StageRun) -> None:
    """A stage run just began: check its entry conditions first, else start its actions."""
    if (
        p.spec.pipeline_type == "V2"
        and conditions.declared(p, srun.name, "BEFORE_ENTRY")
        and ex.execution_type == "STANDARD"
    ):
        srun.gate = "BEFORE_ENTRY"
        _begin_condition(world, p, ex, srun.name, "BEFORE_ENTRY")
        return
    start_group(world, p, ex, srun)

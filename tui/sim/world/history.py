"""Backdated execution history, synthesized as finished records (no clock is run through days).

Each past execution walks the pipeline's stages with the same runners the live engine uses (so
builds, logs, revisions and ids look identical), but every action is closed at once with its
planned outcome. Most succeed; some fail in a stage, some are superseded or stopped.
"""

from __future__ import annotations

from tui.sim.world import conditions, flow, runners, scheduled
from tui.sim.world.state import Execution, Pipeline, RuleRun, StageRun
from tui.sim.world.world import World

_APPROVERS = ["alice", "bob.kumar", "release-bot", "marta"]
_APPROVAL_NOTES = ["Looks good, ship it", "Checked the canary dashboards", "Approved after QA sign-off"]
_STOP_REASONS = ["Stopped to ship the hotfix first", "Wrong branch", "Superseded by a manual release"]


def synthesize(world: World, p: Pipeline, count: int, start: float, end: float) -> None:
    """Add ``count`` finished executions between ``start`` and ``end`` (epoch seconds)."""
    rng = p.rng
    step = (end - start) / max(1, count)
    for i in range(count):
        at = start + i * step + rng.uniform(0, step * 0.3)
        _one(world, p, at, i)


def _one(world: World, p: Pipeline, at: float, index: int) -> None:
    rng = p.rng
    if rng.random() < 0.2:
        kind, detail = (
            "StartPipelineExecution",
            f"arn:aws:sts::{world.account}:assumed-role/Developer/{rng.choice(_APPROVERS)}",
        )
    else:
        kind, detail = scheduled.auto_trigger_kind(world, p)
    ex = flow.new_execution(p, at, kind, detail)
    # Decide the fate up front so the walk knows where to stop.
    roll = rng.random()
    stop_at = None
    if roll < 0.08 and len(p.spec.stages) > 2:
        stop_at = rng.randrange(1, len(p.spec.stages))
        final = "Superseded" if p.spec.execution_mode == "SUPERSEDED" else "Stopped"
    else:
        final = "Succeeded"
    p.executions[ex.id] = ex
    t = at
    for idx, stage_spec in enumerate(p.spec.stages):
        if stop_at is not None and idx == stop_at:
            ex.status = final
            if final == "Stopped":
                ex.stop_reason = rng.choice(_STOP_REASONS)
            ex.last_update = t + rng.uniform(5, 120)
            return
        srun_status, t = _walk_stage(world, p, ex, stage_spec.name, t)
        ex.stage_index = idx
        if srun_status != "Succeeded":
            ex.status = "Failed"
            ex.last_update = t
            return
        t += rng.uniform(1, 4)
    ex.status = "Succeeded"
    ex.last_update = t


def _walk_stage(world: World, p: Pipeline, ex: Execution, stage: str, t: float) -> tuple[str, float]:
    rng = p.rng
    srun = StageRun(stage, entered=t)
    ex.stages[stage] = srun
    p.stage_latest[stage] = ex.id
    stage_spec = p.spec.stage(stage)
    assert stage_spec is not None
    t = _past_rules(p, ex, stage, "BEFORE_ENTRY", t)
    for gi, group in enumerate(stage_spec.run_orders()):
        srun.group = gi
        ends = []
        failed = False
        for spec in group:
            ar = runners.start_action(world, p, ex, stage, spec, t)
            flow.record_action(p, srun, ar)
            if spec.category == "Approval":
                ar.ends_at = t + rng.uniform(120, 2400)
                who = rng.choice(_APPROVERS)
                ar.updated_by = f"arn:aws:sts::{world.account}:assumed-role/ReleaseManager/{who}"
                ar.summary = rng.choice(_APPROVAL_NOTES)
                ar.planned = "Failed" if rng.random() < 0.05 else "Succeeded"
                if ar.planned == "Failed":
                    ar.summary = "Not during the freeze"
                    ar.error_code, ar.error_message = "JobFailed", f"Rejected by {who}: {ar.summary}"
                if ar.token:
                    p.answered_tokens.add(ar.token)
                    ar.token = None
            assert ar.ends_at is not None
            ar.status = ar.planned
            ar.last_update = ar.ends_at
            ends.append(ar.ends_at)
            failed = failed or ar.status == "Failed"
            if ar.status == "Succeeded" and ar.revision is not None:
                ex.revisions.append(ar.revision)
                p.current_revision[ar.name] = ar.revision
        t = max(ends) + rng.uniform(0.5, 2)
        if failed:
            srun.status = "Failed"
            return "Failed", t
    t = _past_rules(p, ex, stage, "ON_SUCCESS", t)
    srun.status = "Succeeded"
    return "Succeeded", t


def _past_rules(p: Pipeline, ex: Execution, stage: str, kind: str, t: float) -> float:
    """A past execution's passed condition rules (ListRuleExecutions shows them too)."""
    spec = p.spec.stage(stage)
    block = spec.conditions(kind) if spec is not None and p.spec.pipeline_type == "V2" else None
    if not block:
        return t
    end = t
    for condition in block.get("conditions") or []:
        for rule in condition.get("rules") or []:
            wait = 60 * float((rule.get("configuration") or {}).get("WaitTime") or 0)
            done = t + max(wait, p.rng.uniform(1, 4))
            config = {k: conditions.resolve(p, ex, v) for k, v in (rule.get("configuration") or {}).items()}
            p.rule_runs.append(
                RuleRun(
                    id=runners.new_uuid(p.rng),
                    execution_id=ex.id,
                    stage=stage,
                    kind=kind,
                    rule=rule,
                    start=t,
                    pipeline_version=ex.pipeline_version,
                    status="Succeeded",
                    last_update=done,
                    planned="Succeeded",
                    resolved=config,
                    summary="Rule passed",
                )
            )
            end = max(end, done)
    return end + p.rng.uniform(0.5, 2)

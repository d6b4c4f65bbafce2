"""What happens when a scheduled moment comes (``WorldBase.schedule`` -> ``World.advance``): a
simulated source change starts an execution, an action reaches its planned end, a CodeBuild phase
ends, a condition's rule is checked. How the execution then moves on is ``flow``'s.
"""

from __future__ import annotations

from typing import Any

from tui.sim.world import conditions, emit, flow, triggers
from tui.sim.world.base import WorldBase
from tui.sim.world.state import Pipeline


def handle(world: WorldBase, kind: str, args: tuple[Any, ...]) -> None:
    """Apply one scheduled transition (called by ``WorldBase.advance``)."""
    if kind == "trigger":
        _auto_trigger(world, args[0])
    elif kind == "action":
        _action_due(world, *args)
    elif kind == "build-phase":
        _build_phase(world, *args)
    elif kind == "rule":
        settled = conditions.rule_due(world, *args)
        if settled is not None:
            ex, run = settled
            flow.proceed_after_condition(
                world, world.pipelines[args[0]], ex, run, passed=run.status == "Succeeded"
            )


def _build_phase(world: WorldBase, build_id: str, index: int) -> None:
    """A CodeBuild phase ended (its Build Phase Change event); the last one ends the build."""
    build = world.builds.get(build_id)
    if build is None:
        return
    if index >= len(build.phases) - 1:
        emit.build_changed(world, build, build.outcome)
        return
    emit.phase_completed(world, build, index)
    world.schedule(build.phases[index + 1].end, "build-phase", build_id, index + 1)


def auto_trigger_kind(world: WorldBase, p: Pipeline) -> tuple[str, str]:
    """(triggerType, triggerDetail) of a simulated source change for this pipeline's source."""
    src = p.spec.stages[0].actions[0]
    cfg = src.configuration
    if src.provider == "CodeStarSourceConnection":
        kind = "WebhookV2" if p.spec.pipeline_type == "V2" else "Webhook"
        return kind, cfg.get("ConnectionArn", "")
    if cfg.get("PollForSourceChanges") == "true":
        return (
            "PollForSourceChanges",
            f"{src.provider}: {cfg.get('RepositoryName') or cfg.get('S3Bucket', '')}",
        )
    rule = f"codepipeline-{p.name[:24]}-{p.rng.randint(100000, 999999)}"
    return "CloudWatchEvent", f"arn:aws:events:{world.region}:{world.account}:rule/{rule}"


def _auto_trigger(world: WorldBase, name: str) -> None:
    p = world.pipelines.get(name)
    if p is None or p.spec.trigger_every is None:
        return
    kind, detail = auto_trigger_kind(world, p)
    # A V2 pipeline that declares git triggers starts only on a push its filters admit.
    declared = p.spec.triggers if p.spec.pipeline_type == "V2" else None
    if not declared or triggers.starts(
        declared, p.spec.stages[0].actions[0].name, triggers.simulated_push(p.rng)
    ):
        flow.start_execution(world, p, kind, detail)
    p.next_trigger = world.now + p.rng.uniform(*p.spec.trigger_every)
    world.schedule(p.next_trigger, "trigger", name)


def _action_due(world: WorldBase, name: str, eid: str, stage: str, run_id: str) -> None:
    p = world.pipelines.get(name)
    if p is None:
        return  # deleted while the action ran
    ex = p.executions[eid]
    srun = ex.stages.get(stage)
    if srun is None:
        return
    ar = next((a for a in srun.actions.values() if a.id == run_id), None)
    if ar is None or ar.status != "InProgress":
        return  # abandoned, answered, or replaced by a retry
    flow.complete_action(world, p, ex, srun, ar, ar.planned)

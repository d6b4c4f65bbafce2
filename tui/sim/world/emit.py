"""The EventBridge events the real services publish as the world changes state.

CodePipeline: ``CodePipeline Pipeline/Stage/Action Execution State Change``; CodeBuild: ``CodeBuild
Build State Change`` and ``CodeBuild Build Phase Change``. Field names and values follow AWS's
documentation (``pipeline``, ``execution-id``, ``stage``, ``action``, ``state``, ``version``,
``type``, ``pipeline-execution-attempt``; ``build-status``, ``project-name``, ``build-id``,
``current-phase``, ``completed-phase`` ...). The world hands each one to its ``sink`` (set by the
engine); nothing is built when no sink listens.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tui.sim.world.builds import Build
from tui.sim.world.state import ActionRun, Execution, Pipeline

if TYPE_CHECKING:
    from tui.sim.world.base import WorldBase

PIPELINE = "CodePipeline Pipeline Execution State Change"
STAGE = "CodePipeline Stage Execution State Change"
ACTION = "CodePipeline Action Execution State Change"
BUILD = "CodeBuild Build State Change"
PHASE = "CodeBuild Build Phase Change"

# Execution / stage / action statuses as the events spell them.
_STATES = {
    "InProgress": "STARTED",
    "Succeeded": "SUCCEEDED",
    "Failed": "FAILED",
    "Stopped": "STOPPED",
    "Stopping": "STOPPING",
    "Superseded": "SUPERSEDED",
    "Cancelled": "CANCELED",
    "Abandoned": "ABANDONED",
}


def _listening(world: WorldBase) -> bool:
    return world.sink is not None and world.sink.active(world.account, world.region)


def _send(
    world: WorldBase, source: str, detail_type: str, resources: list[str], detail: dict[str, Any]
) -> None:
    if world.sink is not None:
        world.sink.publish(world, source, detail_type, resources, detail)


def iso(t: float) -> str:
    """AWS's event timestamp: ``2026-11-26T09:00:00Z``."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _codebuild_time(t: float) -> str:
    # CodeBuild's additional-information uses this older format: "Nov 26, 2026 9:00:00 AM".
    d = datetime.fromtimestamp(t, UTC)
    return f"{d:%b} {d.day}, {d.year} {d.hour % 12 or 12}:{d:%M:%S} {'AM' if d.hour < 12 else 'PM'}"


def state(status: str) -> str:
    return _STATES.get(status, status.upper())


def _attempt(ex: Execution) -> float:
    return float(1 + sum(s.manual_retries for s in ex.stages.values()))


def _iso_ms(t: float) -> str:
    # The detail's start-time carries milliseconds: "2026-11-26T09:00:00.123Z".
    d = datetime.fromtimestamp(t, UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def _base(p: Pipeline, ex: Execution) -> dict[str, Any]:
    return {"pipeline": p.name, "execution-id": ex.id, "start-time": _iso_ms(ex.start)}


def pipeline_changed(world: WorldBase, p: Pipeline, ex: Execution, status: str) -> None:
    """An execution started, resumed, stopped or ended (``status`` as the event spells it)."""
    if not _listening(world):
        return
    detail = _base(p, ex) | {
        "execution-trigger": {"trigger-type": ex.trigger_type, "trigger-detail": ex.trigger_detail},
        "state": status,
        "version": float(ex.pipeline_version),
        "pipeline-execution-attempt": _attempt(ex),
    }
    _send(world, "aws.codepipeline", PIPELINE, [world.pipeline_arn(p.name)], detail)


def stage_changed(world: WorldBase, p: Pipeline, ex: Execution, stage: str, status: str) -> None:
    if not _listening(world):
        return
    detail = _base(p, ex) | {
        "stage": stage,
        "state": status,
        "version": float(ex.pipeline_version),
        "pipeline-execution-attempt": _attempt(ex),
    }
    _send(world, "aws.codepipeline", STAGE, [world.pipeline_arn(p.name)], detail)


def action_changed(world: WorldBase, p: Pipeline, ex: Execution, ar: ActionRun) -> None:
    if not _listening(world):
        return
    spec = ar.spec
    detail = _base(p, ex) | {
        "stage": ar.stage,
        "action-execution-id": ar.id,
        "action": ar.name,
        "state": state(ar.status) if ar.status != "InProgress" else "STARTED",
        "region": spec.region or world.region,
        "type": {
            "owner": spec.owner,
            "provider": spec.provider,
            "category": spec.category,
            "version": spec.version,
        },
        "version": float(ex.pipeline_version),
        "pipeline-execution-attempt": _attempt(ex),
    }
    if ar.status != "InProgress":
        result: dict[str, Any] = {}
        if ar.external_url:
            result["external-execution-url"] = ar.external_url
        if ar.summary or ar.error_message:
            result["external-execution-summary"] = ar.error_message or ar.summary
        if ar.external_id:
            result["external-execution-id"] = ar.external_id
        result["external-execution-state"] = ar.status
        if ar.error_code:
            result["error-code"] = ar.error_code
        detail["execution-result"] = result
    _send(world, "aws.codepipeline", ACTION, [world.pipeline_arn(p.name)], detail)


def _build_info(world: WorldBase, b: Build, now: float) -> dict[str, Any]:
    phases = []
    for ph in b.phases:
        if ph.start > now:
            break
        entry: dict[str, Any] = {"phase-type": ph.name, "start-time": _codebuild_time(ph.start)}
        if ph.end <= now and ph.name != "COMPLETED":
            failed = b.outcome == "FAILED" and ph.name == "BUILD"
            entry |= {
                "end-time": _codebuild_time(ph.end),
                "duration-in-seconds": int(ph.end - ph.start),
                "phase-status": "FAILED" if failed else "SUCCEEDED",
            }
        phases.append(entry)
    info: dict[str, Any] = {
        "build-number": float(b.number),
        "initiator": b.initiator,
        "build-start-time": _codebuild_time(b.start),
        "source-version": b.source_version,
        "timeout-in-minutes": 60,
        "build-complete": b.complete_at(now),
        "logs": {
            "group-name": b.log_group,
            "stream-name": b.log_stream,
            "deep-link": (
                f"https://console.aws.amazon.com/cloudwatch/home?region={world.region}#logEvent:"
                f"group={b.log_group};stream={b.log_stream}"
            ),
        },
        "phases": phases,
    }
    return info


def build_changed(world: WorldBase, b: Build, status: str) -> None:
    """A build started (IN_PROGRESS) or ended (SUCCEEDED / FAILED / STOPPED)."""
    if not _listening(world):
        return
    now = world.now
    detail = {
        "build-status": status,
        "project-name": b.project,
        "build-id": b.arn,
        "additional-information": _build_info(world, b, now),
        "current-phase": b.current_phase(now) if status == "IN_PROGRESS" else "COMPLETED",
        "current-phase-context": "[: ]",
        "version": "1",
    }
    _send(world, "aws.codebuild", BUILD, [b.arn], detail)


def phase_completed(world: WorldBase, b: Build, index: int) -> None:
    """Phase ``index`` of build ``b`` ended."""
    if not _listening(world):
        return
    ph = b.phases[index]
    failed = b.outcome == "FAILED" and ph.name == "BUILD"
    detail = {
        "completed-phase": ph.name,
        "project-name": b.project,
        "build-id": b.arn,
        "completed-phase-context": "[: ]",
        "additional-information": _build_info(world, b, world.now),
        "completed-phase-status": "FAILED" if failed else "SUCCEEDED",
        "completed-phase-duration-seconds": int(ph.end - ph.start),
        "version": "1",
        "completed-phase-start": _codebuild_time(ph.start),
        "completed-phase-end": _codebuild_time(ph.end),
    }
    _send(world, "aws.codebuild", PHASE, [b.arn], detail)

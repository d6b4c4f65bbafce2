"""The CodeBuild build behind a pipeline action: what ``l`` opens from a pipeline's state. Plain Python.

A CodeBuild action's ``externalExecutionId`` is its build id (``project:uuid``); triage opens the first
failed one (stages in pipeline order: the failure that stopped the execution), a running row the first
one running now.
"""

from __future__ import annotations

from tui.core.model import ActionState, PipelineDef, PipelineState, Status

CODEBUILD_PROVIDER = "CodeBuild"


def build_id_for_action(provider: str, external_execution_id: str | None) -> str | None:
    """The CodeBuild build id behind a pipeline action (its externalExecutionId), if it has one."""
    if provider != CODEBUILD_PROVIDER or not external_execution_id:
        return None
    return external_execution_id if ":" in external_execution_id else None


def _first_build(
    state: PipelineState | None, definition: PipelineDef | None, status: Status
) -> tuple[str, ActionState, str] | None:
    """The first CodeBuild action in ``status`` as (stage, action, build id), stages in pipeline
    order."""
    if state is None or definition is None:
        return None
    for stage in state.stages:
        stage_def = definition.stage(stage.name)
        for action in stage.actions:
            action_def = stage_def.action(action.name) if stage_def else None
            if action.status != status or action_def is None:
                continue
            build_id = build_id_for_action(action_def.provider, action.external_execution_id)
            if build_id:
                return stage.name, action, build_id
    return None


def failed_build(
    state: PipelineState | None, definition: PipelineDef | None
) -> tuple[str, ActionState, str] | None:
    """Triage: the first failed CodeBuild action of a pipeline's state as (stage, action, build id).

    Stages are searched in pipeline order, so the earliest failure, the one that stopped the
    execution, comes first.
    """
    return _first_build(state, definition, Status.FAILED)


def running_build(
    state: PipelineState | None, definition: PipelineDef | None
) -> tuple[str, ActionState, str] | None:
    """The first CodeBuild action of a pipeline's state that is running now, as (stage, action,
    build id): what `l` on a running row opens (followed live) when nothing has failed."""
    return _first_build(state, definition, Status.IN_PROGRESS)

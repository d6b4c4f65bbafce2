"""Triage in one key (`l` on the pipelines list): the failed build's log of a pipeline, at its first
error; on a running pipeline with nothing failed, the running build's log, followed live."""

from __future__ import annotations

from typing import Any

from textual.app import App

from tui.aws.errors import AwsError
from tui.core.action_build import failed_build, running_build
from tui.core.sanitize import clean
from tui.core.store import PipelineRow
from tui.ui.host import host_of
from tui.ui.screens.logs import open_build_logs


async def open_triage(app: App[Any], row: PipelineRow) -> None:
    """Open the log that explains ``row`` now, or say there is none. Runs in a worker."""
    host, target, name = host_of(app), row.target, row.name
    try:
        # The poller caches definitions lazily; fetch what triage needs rather than wait for it.
        definition = host.store.definition(target, name) or await host.reads.pipeline(target, name)
        state = host.store.state(target, name) or await host.reads.state(target, name)
    except AwsError as error:
        host.report_error(error)
        return
    found = failed_build(state, definition)
    if found is not None:
        stage, action, build_id = found
        open_build_logs(
            app,
            target,
            build_id,
            title=f"{name} › {stage} › {action.name}",
            error_message=action.error_message or action.error_code or "failed",
        )
        return
    running = running_build(state, definition)
    if running is not None:
        stage, action, build_id = running
        open_build_logs(app, target, build_id, title=f"{name} › {stage} › {action.name}")
        return
    app.notify(
        f"{clean(name)} has no failed or running CodeBuild action to show (enter opens the pipeline).",
        severity="information",
        markup=False,
    )

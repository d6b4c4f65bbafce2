"""Unexpected API data: responses generated from botocore's output shapes (random optional
members, unknown enum values, stages the definition does not have, empty pipelines, thousands of
executions) never crash the app; unknown values are shown as they are.

First every conversion and row formatter over many seeds (fast, no app), then the real App and the
real aiobotocore client against a loopback endpoint that serves generated responses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.apps import EAST, service_at
from tests.support.rig import drive, make_rig
from tests.support.shapegen import GeneratedEndpoint, ShapeGen, parse
from tests.support.wait import flat_text
from tui.app.application import CptuiApp
from tui.aws import convert
from tui.core.model import Status
from tui.core.pipeline_rows import trigger_text
from tui.core.store import Store, approvals_from_state
from tui.sim import Simulator
from tui.ui.screens.execution import ExecutionScreen
from tui.ui.screens.execution_view import action_cells
from tui.ui.screens.history import HistoryScreen
from tui.ui.screens.history_view import history_cells
from tui.ui.screens.pipeline import PipelineScreen
from tui.ui.screens.pipelines import PipelinesScreen

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SEEDS = range(120)


def _items(response: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return list(response.get(key) or [])


@pytest.mark.parametrize("seed", SEEDS)
def test_every_conversion_takes_generated_responses(seed: int) -> None:
    gen = ShapeGen(seed)

    def out(service: str, operation: str) -> dict[str, Any]:
        return parse(service, operation, gen.output(service, operation))

    summaries = [
        convert.pipeline_summary(item)
        for item in _items(out("codepipeline", "ListPipelines"), "pipelines")
        if item.get("name")
    ]
    response = out("codepipeline", "GetPipeline")
    definition = convert.pipeline_def(response) if (response.get("pipeline") or {}).get("name") else None
    response = out("codepipeline", "GetPipelineState")
    state = convert.pipeline_state(response) if response.get("pipelineName") else None
    executions = [
        convert.execution_summary("p", item)
        for item in _items(out("codepipeline", "ListPipelineExecutions"), "pipelineExecutionSummaries")
        if item.get("pipelineExecutionId")
    ]
    response = out("codepipeline", "GetPipelineExecution")
    detail = response.get("pipelineExecution") or {}
    if detail.get("pipelineName") and detail.get("pipelineExecutionId"):
        convert.execution(response)
    actions = [
        convert.action_execution(item)
        for item in _items(out("codepipeline", "ListActionExecutions"), "actionExecutionDetails")
        if item.get("pipelineExecutionId") and item.get("actionExecutionId")
    ]
    rules = convert.rule_executions(_items(out("codepipeline", "ListRuleExecutions"), "ruleExecutionDetails"))
    assert all(r.rule_execution_id for r in rules)
    convert.tags(_items(out("codepipeline", "ListTagsForResource"), "tags"))
    response = out("codepipeline", "UpdatePipeline")
    if (response.get("pipeline") or {}).get("name"):
        assert convert.pipeline_declaration(response).document["name"]
    if definition is not None:
        for stage_def in definition.stages:
            for conditions in stage_def.all_conditions:
                conditions.effective_result  # noqa: B018 - unknown results are kept as text
    builds = [convert.build(b) for b in _items(out("codebuild", "BatchGetBuilds"), "builds") if b.get("id")]
    convert.log_page(out("logs", "GetLogEvents"))

    # What the screens make of them: no exception, unknown values kept as their text.
    for summary in executions:
        history_cells(summary, NOW)
        trigger_text(summary)
        assert str(summary.status) == summary.status.value
    for action in actions:
        action_cells(action, NOW)
    if state is not None:
        approvals_from_state(EAST, state, definition, executions[0] if executions else None)
        for stage in state.stages:
            stage.status.glyph  # noqa: B018 - unknown statuses have a glyph too
            stage.blocked_by_condition  # noqa: B018 - unknown condition statuses do not crash
    store = Store([EAST])
    store.set_pipelines(EAST, [s for s in summaries if s.name])
    for s in summaries:
        store.set_latest(EAST, s.name, executions[0] if executions else None)
        if state is not None:
            store.set_state(EAST, s.name, state)
        if definition is not None:
            store.set_definition(EAST, s.name, definition)
    store.rows()
    assert all(b.build_id for b in builds)


def all_rows_loaded(app: CptuiApp, count: int) -> bool:
    rows = app.store.rows()
    return len(rows) == count and all(r.loaded for r in rows)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.slow
async def test_the_app_renders_generated_responses(seed: int, tmp_path: Path, sim: Simulator) -> None:
    """The real App, real aiobotocore: rows, a pipeline, its history (thousands of executions, more
    per page than asked for) and an execution, from generated data, without a crash."""
    served = GeneratedEndpoint(seed=seed, history=2000)
    await served.start()
    try:
        service = service_at(served.url)
        rig = make_rig(sim, tmp_path, services=[service], tps=40, burst=40)
        app = rig.app
        async with app.run_test(size=(120, 36)) as pilot:
            listing = app.screen
            assert isinstance(listing, PipelinesScreen)
            await drive(pilot, rig, lambda: all_rows_loaded(app, len(served.names)), every=0.5)
            await pilot.pause()
            assert listing.table.row_count == len(served.names)
            assert "? FutureSta…" in flat_text(app)  # an unknown status, as it is (cut to its column)

            name = served.names[1]
            listing.table.focus()
            await pilot.press("down")  # moved by the user: a re-sort no longer resets the cursor
            listing.table.move_cursor(row=listing.table.get_row_index(f"{EAST.key}/{name}"))
            await pilot.press("enter")
            await drive(pilot, rig, lambda: isinstance(app.screen, PipelineScreen), every=0.5)
            screen = app.screen
            assert isinstance(screen, PipelineScreen) and screen.pipeline_name == name
            await drive(pilot, rig, lambda: app.store.definition(EAST, name) is not None, every=0.5)
            await pilot.pause()
            definition = app.store.definition(EAST, name)
            assert definition is not None
            if definition.stages:
                assert len(screen.graph.boxes) == len(definition.stages)
            else:
                assert "This pipeline has no stages." in flat_text(app)

            await pilot.press("h")
            await drive(pilot, rig, lambda: isinstance(app.screen, HistoryScreen), every=0.5)
            history = app.screen
            assert isinstance(history, HistoryScreen)
            # (a thousand generated executions a page, read, converted and put in the table: under a
            # full machine that took longer than drive's usual 30 s of real time; the bound is for a
            # hang, not for speed)
            await drive(pilot, rig, lambda: history.table.row_count >= 1000, every=0.5, real_timeout=120)
            await pilot.press("G")  # the cursor near the end loads the next page
            await drive(pilot, rig, lambda: history.table.row_count >= 2000, every=0.5, real_timeout=120)
            await pilot.press("g", "enter")
            await drive(pilot, rig, lambda: isinstance(app.screen, ExecutionScreen), every=0.5)
            execution = app.screen
            assert isinstance(execution, ExecutionScreen)
            await drive(pilot, rig, lambda: execution.execution is not None, every=0.5)
            await pilot.pause()
            assert app.is_running
            text = flat_text(app)
        assert "unexpected response" not in text
        malformed = [e for e in rig.errors if getattr(e, "code", "") == "Malformed"]
        assert not malformed, malformed
        assert not rig.unexpected(), rig.unexpected()
        assert not [m for m, *_ in rig.notices if "unexpected" in m], rig.notices
        assert {"ListPipelines", "GetPipeline", "GetPipelineState", "GetPipelineExecution"} <= set(
            served.calls
        )
    finally:
        await served.stop()
    assert Status("FutureStatus").glyph == "?"

"""V2 on the pipeline screen: a stage held by a condition says so, its rules and the rule executions
of the execution on screen are shown, `O` overrides it through the confirm / audit path; triggers and
variables are listed. Through the real client against the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button

from tests.support.apps import open_pipeline, press_confirm, sim_app, wait_for_screen
from tests.support.notices import told
from tests.support.sim import advance_until, aio_client
from tests.support.wait import wait_for_text, wait_until
from tui.core.actions import Outcome
from tui.core.audit import AuditLog
from tui.sim import Simulator
from tui.ui.screens.manage_dialogs import OverrideDialog

WINDOW = {
    "name": "Night-Window",
    "ruleTypeId": {"category": "Rule", "owner": "AWS", "provider": "DeploymentWindow", "version": "1"},
    "configuration": {"Cron": "0 22-23 ? * MON-FRI *", "TimeZone": "UTC"},
}


async def held_at_deploy(sim: Simulator) -> str:
    """auth-service with a deployment window on Deploy that never opens at 09:xx: an execution
    held before Deploy. Returns its id."""
    async with aio_client(sim, "codepipeline") as cp:
        decl = (await cp.get_pipeline(name="auth-service"))["pipeline"]
        decl["stages"][2]["beforeEntry"] = {"conditions": [{"result": "FAIL", "rules": [WINDOW]}]}
        decl["triggers"] = [
            {
                "providerType": "CodeStarSourceConnection",
                "gitConfiguration": {
                    "sourceActionName": decl["stages"][0]["actions"][0]["name"],
                    "push": [{"branches": {"includes": ["main", "release/*"]}}],
                },
            }
        ]
        decl["variables"] = [{"name": "DEPLOY_ENV", "defaultValue": "staging"}]
        await cp.update_pipeline(pipeline=decl)
        p = sim.engine.world().pipelines["auth-service"]
        p.force("Build", "Build", "Succeeded", 120)
        p.force("Deploy", "Deploy-ECS", "Succeeded", 60)
        eid: str = (await cp.start_pipeline_execution(name="auth-service"))["pipelineExecutionId"]
    advance_until(
        sim, lambda w: w.pipelines["auth-service"].stage_latest.get("Deploy") == eid, step=10, limit=3600
    )
    sim.clock.advance(600)
    return eid


@pytest.mark.slow
async def test_a_held_stage_says_so_and_override_goes_through_confirm_and_audit(
    sim: Simulator, tmp_path: Path
) -> None:
    eid = await held_at_deploy(sim)
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_pipeline(pilot, app, "auth-service", "Deploy")
        await wait_for_text(pilot, "held by entry condition", "Night-Window", "◆ entry → FAIL")
        await wait_for_text(pilot, "Rule executions of", "Deploy › Night-Window (DeploymentWindow)")
        await wait_for_text(pilot, "Triggers", "git push", "branches main, release/*")
        await wait_for_text(pilot, "Variables", "DEPLOY_ENV = staging")
        assert screen.check_action("override", ()) is True
        await pilot.press("O")
        dialog = await wait_for_screen(pilot, app, OverrideDialog)
        assert isinstance(dialog.focused, Button) and not dialog.focused.has_class("dialog-choice")
        await pilot.press("enter")  # the reflex from the opening focus: cancel, nothing sent
        await wait_until(pilot, lambda: app.screen is screen)
        assert sim.calls["OverrideStageCondition"] == 0
        await pilot.press("O")
        dialog = await wait_for_screen(pilot, app, OverrideDialog)
        await wait_for_text(pilot, "Night-Window (DeploymentWindow)")
        assert f"execution {eid}" in dialog.describe()
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED, result.message
    assert sim.calls["OverrideStageCondition"] == 1
    (line,) = AuditLog(tmp_path / "audit.jsonl").read()
    assert line["operation"] == "OverrideStageCondition" and line["params"]["conditionType"] == "BEFORE_ENTRY"
    async with aio_client(sim, "codepipeline") as cp:
        state = await cp.get_pipeline_state(name="auth-service")
    deploy = next(s for s in state["stageStates"] if s["stageName"] == "Deploy")
    assert deploy["beforeEntryConditionState"]["latestExecution"]["status"] == "Overridden"


async def test_override_is_greyed_where_nothing_is_held(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_pipeline(pilot, app, "web-frontend", "Build")
        assert screen.check_action("override", ()) is None
        before = len(told(app))
        await pilot.press("O")
        await wait_until(pilot, lambda: len(told(app)) > before)
        assert "not held by a condition" in told(app)[-1].message
        assert app.screen is screen
    assert sim.calls["OverrideStageCondition"] == 0


async def test_the_execution_screen_lists_its_rule_executions(sim: Simulator, tmp_path: Path) -> None:
    from tests.support.apps import EAST
    from tui.ui.screens.execution import ExecutionScreen

    eid = await held_at_deploy(sim)
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_pipeline(pilot, app, "auth-service")
        await app.push_screen(ExecutionScreen(EAST, "auth-service", eid))
        await wait_for_text(pilot, "Rule executions", "Deploy › Night-Window (DeploymentWindow): Running")
    assert sim.calls["ListRuleExecutions"] >= 1

"""`D` deletes a pipeline (list and pipeline screen), `d` shows its definition: through the real
client against the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Input

from tests.support.apps import (
    EAST,
    open_dialog,
    open_pipeline,
    press_confirm,
    sim_app,
    wait_for_screen,
    wait_loaded,
)
from tests.support.dialogs import audit, body_text, drawn
from tests.support.sim import aio_client
from tests.support.wait import wait_for_text, wait_until
from tui.core.actions import Outcome
from tui.sim import Simulator
from tui.ui.screens.definition import DefinitionScreen
from tui.ui.screens.manage_dialogs import DeleteDialog
from tui.ui.screens.pipelines import PipelinesScreen


async def _names(sim: Simulator) -> list[str]:
    async with aio_client(sim, "codepipeline") as cp:
        return [p["name"] for p in (await cp.list_pipelines())["pipelines"]]


@pytest.mark.slow
async def test_delete_from_the_pipeline_screen_needs_the_name_and_the_row_goes(
    sim: Simulator, tmp_path: Path
) -> None:
    sim.engine.world().pipelines["docs-site"].tags["aws:cloudformation:stack-name"] = "docs-stack"
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "D", DeleteDialog, "docs-site")
        text = body_text(dialog)
        assert "its whole execution history" in text and "S3 artifact store are NOT deleted" in text
        assert "managed by CloudFormation stack docs-stack" in text
        assert "Type docs-site to enable the button (deleting cannot be undone)" in text
        name = dialog.query_one("#dialog-protected-name", Input)
        assert dialog.focused is name  # never the button
        confirm = dialog.query_one("#choice-confirm", Button)
        await pilot.press("enter", "enter")
        assert confirm.disabled and sim.calls["DeletePipeline"] == 0
        await pilot.press(*"docs-sit")  # not quite the name
        assert confirm.disabled
        await pilot.press("e")
        await wait_until(pilot, lambda: not confirm.disabled)
        result = await press_confirm(pilot, app)
        assert result.outcome is Outcome.SUCCEEDED
        await wait_until(pilot, lambda: isinstance(app.screen, PipelinesScreen))  # its screen closed
        await wait_until(pilot, lambda: app.store.row(EAST, "docs-site") is None)
    assert sim.calls["DeletePipeline"] == 1
    assert "docs-site" not in await _names(sim)
    (line,) = audit(tmp_path)
    assert line["operation"] == "DeletePipeline" and line["outcome"] == "succeeded"
    assert line["params"]["cloudFormationStack"] == "docs-stack"


@pytest.mark.slow
async def test_delete_from_the_list(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, PipelinesScreen)
        # Every row loaded first: a row arriving later re-sorts the list under the cursor, and `D`
        # would then open the dialog of the pipeline that moved into its place.
        await wait_loaded(pilot, app)
        key = next(k for k in screen.table.row_keys_in_order() if k.endswith("auth-service"))
        screen.table.move_cursor(row=screen.table.row_keys_in_order().index(key))
        await wait_until(
            pilot, lambda: screen.cursor_row is not None and screen.cursor_row.name == "auth-service"
        )
        await pilot.press("D")
        dialog = await wait_for_screen(pilot, app, DeleteDialog)
        assert dialog.pipeline == "auth-service"
        await pilot.press(*"auth-service")
        result = await press_confirm(pilot, app)
        assert result.ok
        await wait_until(pilot, lambda: not screen.table.has_row(key))
        assert dialog is not app.screen
    assert sim.calls["DeletePipeline"] == 1
    assert "auth-service" not in await _names(sim)


@pytest.mark.slow
async def test_the_definition_screen_shows_searches_saves(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        pipeline = await open_pipeline(pilot, app, "web-frontend")
        await pilot.press("d")
        screen = await wait_for_screen(pilot, app, DefinitionScreen)
        await wait_until(pilot, lambda: screen.declaration is not None, timeout=10)
        await wait_for_text(pilot, '"name": "web-frontend"', "definition")
        assert '"metadata"' not in screen.text
        await pilot.press("slash", *"Deploy-Site", "enter")
        await wait_until(pilot, lambda: bool(screen.matches))
        await wait_for_text(pilot, "match 1 of")
        await pilot.press("s")
        await wait_until(pilot, lambda: screen.saved_to is not None)
        assert screen.saved_to is not None and screen.saved_to.read_text() == screen.text
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is pipeline)
    assert sim.calls["UpdatePipeline"] == 0


async def test_at_80x24_the_delete_dialog_shows_its_name_field_and_buttons(
    sim: Simulator, tmp_path: Path
) -> None:
    sim.engine.world().pipelines["docs-site"].tags["aws:cloudformation:stack-name"] = "docs-stack"
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app, "D", DeleteDialog, "docs-site")
        await pilot.pause()
        for selector in ("#dialog-protected-name", "#choice-confirm", "#dialog-cancel-button"):
            widget = dialog.query_one(selector)
            await wait_until(pilot, lambda widget=widget: drawn(dialog, widget))

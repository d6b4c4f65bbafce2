"""Keys: a [keys] remap that collides on a screen, or names ctrl+c, is a config error (exit 2);
ctrl+r refreshes; j/k move in option lists; Home/End move in tables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from tests.support.apps import (
    open_dialog,
    open_pipeline,
    pipelines_screen,
    sim_app,
    wait_for_screen,
    wait_loaded,
)
from tests.support.wait import wait_until
from tui.app.keymap import check_keymap, screen_bindings
from tui.core.config import DEFAULT_KEYS, parse_config
from tui.core.config_schema import ConfigError
from tui.sim import Simulator
from tui.ui.screens.chooser import ValueChooser
from tui.ui.screens.dialogs import RollbackDialog
from tui.ui.screens.pipelines import PipelinesScreen

REPO = Path(__file__).resolve().parents[2]




def error_for(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("/cfg/config.toml"), check_keymap=check_keymap)
    return caught.value


def test_a_remap_onto_another_binding_of_the_same_screen_names_both() -> None:
    error = error_for('[keys]\nfilter = "slash"\nhistory = "r"\n')
    assert error.line == 3
    assert error.key == "[keys] history"
    assert "'refresh'" in error.message and "pipeline screen" in error.message
    assert str(error).startswith("/cfg/config.toml:3: [keys] history: key 'r' is also 'refresh'")


def test_a_remap_that_moves_both_keys_is_fine() -> None:
    config = parse_config('[keys]\nrefresh = "f5,ctrl+r"\nhistory = "r"\n', check_keymap=check_keymap)
    assert config.keys == {"refresh": "f5,ctrl+r", "history": "r"}
    parse_config(
        '[keys]\nrefresh = "r,f5"\n', check_keymap=check_keymap
    )  # the same key, same binding: no collision


@pytest.mark.parametrize("key", ["ctrl+c", "ctrl+C", "x,ctrl+c"])
def test_ctrl_c_can_never_be_bound(key: str) -> None:
    error = error_for(f'[keys]\nquit = "{key}"\n')
    assert error.key == "[keys] quit" and error.line == 2
    assert "ctrl+c never runs an action" in error.message


def test_no_default_binding_uses_ctrl_c() -> None:
    for screen, bindings in screen_bindings().items():
        assert all("ctrl+c" not in b.key.split(",") for b in bindings), screen
    assert all("ctrl+c" not in keys for keys in DEFAULT_KEYS.values())


def test_a_colliding_keymap_exits_2_naming_both(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nstop = "y"\n')
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--config", str(config), "--region", "us-east-1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"{config}:2: [keys] stop: key 'y' is also 'copy'")
    assert "Traceback" not in result.stderr


# --- keys in the app ---------------------------------------------------------------------------------


async def test_ctrl_r_refreshes(sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PipelinesScreen) and app.store.rows())
        asked: list[Any] = []
        original = app.poller.refresh_now

        def spy(*args: Any) -> None:
            asked.append(args)
            original(*args)

        monkeypatch.setattr(app.poller, "refresh_now", spy)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: bool(asked))
        screen = await open_pipeline(pilot, app, "web-frontend")
        asked.clear()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: bool(asked))
        assert app.screen is screen


async def test_j_and_k_move_in_the_rollback_list_and_the_chooser(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        dialog = await open_dialog(pilot, app, "B", RollbackDialog, "order-service", "Build")
        assert len(dialog.candidates) >= 2
        first = dialog.chosen
        options = dialog.query_one("#rollback-target", OptionList)
        options.focus()
        await pilot.press("j")
        await wait_until(pilot, lambda: dialog.chosen is not first)
        assert options.highlighted == 1
        await pilot.press("k")
        await wait_until(pilot, lambda: dialog.chosen is first)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RollbackDialog))
        await pilot.press("y")
        chooser = await wait_for_screen(pilot, app, ValueChooser)
        listing = chooser.query_one("#chooser-list", OptionList)
        assert listing.highlighted == 0
        await pilot.press("j", "j")
        assert listing.highlighted == 2
        await pilot.press("k")
        assert listing.highlighted == 1
        await pilot.press("escape")


async def test_home_and_end_move_the_cursor_in_tables(sim: Simulator, tmp_path: Path) -> None:
    app = sim_app(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)  # every row in: the end does not move while the list grows
        table = pipelines_screen(app).table
        table.focus()
        await pilot.press("end")
        await wait_until(pilot, lambda: table.cursor_row == table.row_count - 1)
        await pilot.press("home")
        await wait_until(pilot, lambda: table.cursor_row == 0)

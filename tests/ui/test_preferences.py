"""Preferences changed in the app are written back to the config file (and only there)."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.apps import EAST, pipelines_screen, sim_app, wait_loaded
from tests.support.notices import told
from tests.support.wait import wait_for_text, wait_until
from tui.app.application import CptuiApp
from tui.core.config import default_config_path, load_config
from tui.sim import Simulator
from tui.ui.screens.logs import LogScreen

HAND_WRITTEN = """\
[general]
utc = true

[pipelines]
favourites = ["payments-*"]
protected = ["*-prod"]
"""


def says(app: CptuiApp, text: str) -> bool:
    """A notice (toast) says ``text``."""
    return any(text in str(n.message) for n in told(app))


def app_on_file(sim: Simulator, tmp_path: Path) -> tuple[CptuiApp, Path]:
    """The app with a hand-written config file (its polling and state paths kept from the test's)."""
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    app = sim_app(sim, tmp_path)
    app.config = replace(load_config(path), general=app.config.general, polling=app.config.polling)
    return app, path


async def test_star_pins_a_pipeline_and_writes_it_back(sim: Simulator, tmp_path: Path) -> None:
    app, path = app_on_file(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        screen = pipelines_screen(app)
        screen.table.focus()
        await pilot.press("down")  # the user moves: the list stops keeping its cursor on top
        screen.table.move_cursor(row=screen.table.row_count - 1)  # the last row: not a favourite
        row = screen.cursor_row
        assert row is not None and not row.favourite
        name = row.name
        await pilot.press("asterisk")
        await wait_for_text(pilot, f"★ {name}")
        assert app.store.row(EAST, name) is not None and app.store.row(EAST, name).favourite  # type: ignore[union-attr]
        written = tomllib.loads(path.read_text(encoding="utf-8"))
        assert written["pipelines"]["favourites"] == ["payments-*", name]
        assert written["pipelines"]["protected"] == ["*-prod"]  # what the user wrote is kept
        assert written["general"]["utc"] is True
        assert load_config(path).pipelines.is_favourite(name)  # a file cptui reads back
        favourites = [r.name for r in screen.shown_rows() if r.favourite]
        assert name in favourites and screen.shown_rows()[len(favourites) - 1].favourite  # pinned on top

        # Again: unpinned, and the file follows.
        screen.table.move_cursor(row=screen.table.get_row_index(f"{EAST.key}/{name}"))
        await pilot.press("asterisk")
        await wait_until(pilot, lambda: not app.store.row(EAST, name).favourite)  # type: ignore[union-attr]
        assert tomllib.loads(path.read_text(encoding="utf-8"))["pipelines"]["favourites"] == ["payments-*"]


async def test_a_favourite_by_pattern_is_explained_not_changed(sim: Simulator, tmp_path: Path) -> None:
    app, path = app_on_file(sim, tmp_path)
    before = path.read_text(encoding="utf-8")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        app.toggle_favourite("payments-api-prod")
        await wait_until(pilot, lambda: says(app, "by the pattern 'payments-*'"))
    assert path.read_text(encoding="utf-8") == before


async def test_theme_and_log_view_toggles_are_remembered(sim: Simulator, tmp_path: Path) -> None:
    app, path = app_on_file(sim, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        app.theme = "nord"  # what the command palette's theme picker does
        await wait_until(pilot, lambda: "nord" in path.read_text(encoding="utf-8"))
        build = next(iter(sim.engine.world().builds))
        await app.push_screen(LogScreen(EAST, build))
        await pilot.pause()
        await pilot.press("w")  # wrap on
        await pilot.press("T")  # timestamps off
    saved = load_config(path)
    assert saved.general.theme == "nord"
    assert saved.logs.wrap is True and saved.logs.timestamps is False
    assert saved.pipelines.favourites == ("payments-*",)


async def test_without_a_file_location_nothing_is_written(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default config location, moved here: a write that fell back to it would show.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert default_config_path() == tmp_path / "xdg" / "cptui" / "config.toml"
    app = sim_app(sim, tmp_path)  # Config() without a path, as in the demo
    assert app.config.path is None
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        app.toggle_favourite("docs-site")
        await wait_until(pilot, lambda: says(app, "★ docs-site is pinned on top."))
        assert app.store.row(EAST, "docs-site").favourite  # type: ignore[union-attr]  # for the session
    assert not default_config_path().exists()
    assert sorted(p.name for p in tmp_path.rglob("*.toml")) == []


async def test_a_config_broken_meanwhile_is_left_alone_and_said(sim: Simulator, tmp_path: Path) -> None:
    app, path = app_on_file(sim, tmp_path)
    path.write_text("[pipelines\nfavourites = [", encoding="utf-8")  # the user is editing it
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        app.toggle_favourite("docs-site")
        await wait_until(pilot, lambda: says(app, "Preference not saved") and says(app, "config.toml"))
        assert app.store.row(EAST, "docs-site").favourite  # type: ignore[union-attr]  # for this session
    assert path.read_text(encoding="utf-8") == "[pipelines\nfavourites = ["

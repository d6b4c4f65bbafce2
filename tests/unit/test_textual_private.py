"""Textual's private API is used in one module only (tui/ui/widgets/textual_private.py), and each
hook it uses is pinned here: a Textual upgrade that renames or reshapes one fails by name."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

from textual.app import App
from textual.keys import _character_to_key
from textual.widgets import DataTable, Static

import tui
from tui.ui.widgets import textual_private
from tui.ui.widgets.textual_private import (
    CellCachedTable,
    after_each_frame,
    character_to_key,
    write_to_terminal,
)

ROOT = Path(tui.__file__).resolve().parent
ADAPTER = Path(textual_private.__file__).resolve()


def test_no_module_but_the_adapter_imports_a_private_textual_name() -> None:
    found: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.resolve() == ADAPTER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual"):
                private = (node.module or "").split(".")[-1].startswith("_") or any(
                    a.name.startswith("_") for a in node.names
                )
                if private:
                    found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert found == []


def textual_private_names(cls: type) -> set[str]:
    names: set[str] = set()
    for base in cls.__mro__[1:]:
        if base.__module__.startswith("textual"):
            names |= {n for n in vars(base) if n.startswith("_") and not n.startswith("__")}
    return names


def test_no_class_but_the_adapters_overrides_a_private_textual_method() -> None:
    found: list[str] = []
    for info in pkgutil.walk_packages(tui.ui.__path__, "tui.ui."):
        module = importlib.import_module(info.name)
        if module is textual_private:
            continue
        for cls in vars(module).values():
            if inspect.isclass(cls) and cls.__module__ == module.__name__:
                own = {n for n, v in vars(cls).items() if inspect.isfunction(v)}
                for name in sorted(own & textual_private_names(cls)):
                    found.append(f"{module.__name__}.{cls.__name__}.{name}")
    assert found == []


def test_the_datatable_hooks_are_still_there_and_shaped_as_used() -> None:
    render = inspect.signature(DataTable._render_cell)
    assert list(render.parameters) == [
        "self",
        "row_index",
        "column_index",
        "base_style",
        "width",
        "cursor",
        "hover",
    ]
    styles = inspect.signature(DataTable._get_styles_to_render_cell)
    assert len(styles.parameters) == 10  # self + the nine flags CellCachedTable passes
    assert callable(DataTable._clear_caches)
    table = CellCachedTable()
    for attribute in (
        "_row_locations",
        "_column_locations",
        "_data",
        "_show_hover_cursor",
        "_pseudo_class_state",
    ):
        assert hasattr(table, attribute), attribute


def test_the_terminal_writer_reaches_the_driver() -> None:
    app = App[None]()
    assert hasattr(app, "_driver") and app._driver is None  # (set when it runs; None headless)
    write_to_terminal(app, "\x07")  # no driver: nothing, no error
    written: list[str] = []

    class Driver:
        def write(self, data: str) -> None:
            written.append(data)

    app._driver = Driver()  # type: ignore[assignment]
    write_to_terminal(app, "\x1b]9;hi\x07")
    assert written == ["\x1b]9;hi\x07"]


def test_the_key_names_are_textuals() -> None:
    assert character_to_key("?") == _character_to_key("?") == "question_mark"
    assert character_to_key("/") == "slash" and character_to_key("a") == "a" and character_to_key("R") == "R"


async def test_after_each_frame_is_called_when_a_frame_is_written() -> None:
    class Shows(App[None]):
        def compose(self) -> Any:
            yield Static("first", id="shown")

    app = Shows()
    frames: list[int] = []
    async with app.run_test() as pilot:
        after_each_frame(app, lambda: frames.append(1))
        app.query_one("#shown", Static).update("second")
        await pilot.pause()
        await pilot.pause()
    assert frames

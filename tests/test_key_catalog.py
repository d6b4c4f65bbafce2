"""One key catalog (tui/core/keys.py) makes every remappable binding and the ``[keys]`` schema.

Before it, defaults lived in a table and again in about forty literal ``Binding("y", ..., id="copy")``
calls that merely agreed with it."""

from __future__ import annotations

import ast
from pathlib import Path

import tui
from tui.app.keymap import screen_bindings
from tui.core.config import KNOWN_BINDINGS
from tui.core.keys import CATALOG, DEFAULT_KEYS

ROOT = Path(tui.__file__).resolve().parent
FACTORY = ROOT / "ui" / "keys.py"


def test_no_binding_with_an_id_is_written_by_hand() -> None:
    by_hand: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == FACTORY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Binding"
                and any(k.arg == "id" for k in node.keywords)
            ):
                by_hand.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert by_hand == [], "use tui.ui.keys.bind(id, action, description)"


def test_every_screens_remappable_binding_has_the_catalogs_key() -> None:
    for screen, bindings in screen_bindings().items():
        for binding in bindings:
            if binding.id is not None:
                assert binding.id in CATALOG, (screen, binding.id)
                assert binding.key in DEFAULT_KEYS[binding.id].split(","), (screen, binding.id)
                assert binding.key_display == CATALOG[binding.id].display


def test_the_keys_section_accepts_exactly_the_catalog() -> None:
    assert tuple(CATALOG) == KNOWN_BINDINGS
    bound = {b.id for bindings in screen_bindings().values() for b in bindings if b.id}
    assert bound <= set(CATALOG)
    # (every catalog id is offered somewhere: a catalog line without a screen is a stale key)
    assert set(CATALOG) - bound == set()


def test_the_example_config_names_every_id() -> None:
    text = (ROOT.parent / "config.example.toml").read_text(encoding="utf-8")
    section = text[text.index("[keys]") : text.index("[logs]")]
    words = set(section.replace(",", " ").replace("(", " ").replace(")", " ").split())
    assert set(CATALOG) - words == set()

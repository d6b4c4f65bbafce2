"""The ``[keys]`` remaps, checked against every screen: no key does two things, none is ctrl+c.

``parse_config`` calls ``check_keymap`` when the file remaps keys. A remap that gives a key to a
binding while another binding on the same screen (its own, the app's, or its main widget's) still
uses that key is a config error naming both; so is binding anything to ``ctrl+c``, which never
runs an action in cptui (it copies in a text field, and otherwise says how to quit).

The screens are imported here, lazily: only a config that remaps keys pays for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from textual.binding import Binding, BindingType

from tui.app.bindings import APP_BINDINGS
from tui.core.config_schema import ConfigError
from tui.core.toml_lines import TomlLines
from tui.ui.widgets.textual_private import character_to_key

FORBIDDEN = {"ctrl+c": "ctrl+c never runs an action (it copies in a text field, else says how to quit)"}


def normalize(key: str) -> str:
    """One spelling per key: "?" and "question_mark" are the same key; ctrl+R is ctrl+r."""
    key = key.strip()
    if len(key) == 1:
        return character_to_key(key)
    if "+" in key:
        *mods, last = key.split("+")
        return "+".join([*(m.lower() for m in mods), last if len(last) == 1 else last.lower()])
    return key


def keys_of(spec: str) -> list[str]:
    return [normalize(k) for k in spec.split(",") if k.strip()]


def _bindings(classes: Iterable[type]) -> list[Binding]:
    out: list[Binding] = []
    for cls in classes:
        specs: list[BindingType] = list(getattr(cls, "BINDINGS", []))
        out.extend(Binding.make_bindings(specs))
    return out


class _AppKeys:
    """The app's own keys, on every screen."""

    BINDINGS = APP_BINDINGS


def screen_bindings() -> dict[str, list[Binding]]:
    """Screen name -> every binding active on it (its own, its main widgets', the app's)."""
    from tui.ui.screens.approvals import ApprovalsScreen
    from tui.ui.screens.chooser import ValueChooser
    from tui.ui.screens.definition import DefinitionScreen
    from tui.ui.screens.dialogs import ApprovalDialog, ConfirmDialog
    from tui.ui.screens.execution import ExecutionScreen
    from tui.ui.screens.fleet_health import FleetHealthScreen
    from tui.ui.screens.help import HelpScreen
    from tui.ui.screens.history import HistoryScreen
    from tui.ui.screens.insights import InsightsScreen
    from tui.ui.screens.logs import LogScreen
    from tui.ui.screens.pipeline import PipelineScreen
    from tui.ui.screens.pipelines import PipelinesScreen
    from tui.ui.screens.targets import TargetPicker
    from tui.ui.screens.watchlist import WatchListScreen
    from tui.ui.widgets.log_view import LogView
    from tui.ui.widgets.ranked_table import RankedTable
    from tui.ui.widgets.stage_graph import StageGraph

    app = [_AppKeys]
    return {
        "pipeline list": _bindings([PipelinesScreen, RankedTable, *app]),
        "pipeline": _bindings([PipelineScreen, StageGraph, *app]),
        "history": _bindings([HistoryScreen, RankedTable, *app]),
        "execution": _bindings([ExecutionScreen, RankedTable, *app]),
        "insights": _bindings([InsightsScreen, *app]),
        "fleet health": _bindings([FleetHealthScreen, RankedTable, *app]),
        "logs": _bindings([LogScreen, LogView, *app]),
        "definition": _bindings([DefinitionScreen, *app]),
        "approvals": _bindings([ApprovalsScreen, RankedTable, *app]),
        "followed executions": _bindings([WatchListScreen, RankedTable, *app]),
        # Modal screens: the app's bindings do not reach them.
        "confirm dialog": _bindings([ConfirmDialog]),
        "approval dialog": _bindings([ApprovalDialog]),
        "copy/link chooser": _bindings([ValueChooser]),
        "help": _bindings([HelpScreen]),
        "targets": _bindings([TargetPicker]),
    }


def _name(binding: Binding) -> str:
    return binding.id or binding.action


def check_keymap(keys: Mapping[str, str], path: Path | None, lines: TomlLines) -> None:
    """Raise ``ConfigError`` for a remap to ctrl+c, or one that collides on some screen."""
    for binding_id, spec in keys.items():
        for key in keys_of(spec):
            if key.lower() in FORBIDDEN:  # ctrl+C too: the terminal sends the same byte
                forbidden = FORBIDDEN[key.lower()]
                raise ConfigError(path, lines.key("keys", binding_id), f"[keys] {binding_id}", forbidden)
    for screen, bindings in screen_bindings().items():
        owners: dict[str, list[tuple[str, bool]]] = {}
        for binding in bindings:
            remapped = binding.id is not None and binding.id in keys
            spec = keys[binding.id] if remapped and binding.id is not None else binding.key
            for key in keys_of(spec):
                names = owners.setdefault(key, [])
                if all(_name(binding) != name for name, _ in names):
                    names.append((_name(binding), remapped))
        for key, names in owners.items():
            mine = [name for name, remapped in names if remapped]
            if len(names) < 2 or not mine:
                continue
            binding_id = mine[0]
            other = next(name for name, _ in names if name != binding_id)
            raise ConfigError(
                path,
                lines.key("keys", binding_id),
                f"[keys] {binding_id}",
                f"key {key!r} is also {other!r} on the {screen} screen: a key can do only one thing "
                f"there (remap {other} too, or choose another key for {binding_id})",
            )

"""The key catalog: every key cptui lets ``[keys]`` remap, by binding id, with its default.

The one source of the keys: the screens' bindings are made from it (``tui.ui.keys.bind``), the
``[keys]`` section of the config accepts exactly its ids (``KNOWN_BINDINGS``), and help and the
footers show what it says (or the remap). A new key is a line here, then ``bind(id, ...)`` where a
screen offers it. Keys use Textual's names (``question_mark``, ``slash``, ``ctrl+r``); several keys
for one binding are comma separated. One id may be bound on several screens (``copy``, ``refresh``);
the same key may serve different ids on different screens (``w``: follow on the list, wrap in a log),
never two on one screen (``tui.app.keymap`` checks remaps against that).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class KeyDef:
    """A remappable key: its default key(s) and, where Textual's name reads badly, what to show."""

    keys: str
    display: str | None = None


CATALOG: Mapping[str, KeyDef] = {
    # Everywhere (the app's own)
    "quit": KeyDef("q"),
    "help": KeyDef("question_mark", "?"),
    "refresh": KeyDef("r,ctrl+r"),
    "palette": KeyDef("ctrl+p"),
    "approvals": KeyDef("A"),
    "profiles": KeyDef("P"),
    "watchlist": KeyDef("W"),
    # The pipeline list
    "filter": KeyDef("slash", "/"),
    "group": KeyDef("g"),
    "favourite": KeyDef("asterisk", "*"),
    "watch": KeyDef("w"),
    "fleet_health": KeyDef("H"),
    # A pipeline, its history and executions
    "history": KeyDef("h"),
    "insights": KeyDef("i"),
    "logs": KeyDef("l"),
    "approve": KeyDef("a"),
    "retry": KeyDef("R"),
    "rollback": KeyDef("B"),
    "transition": KeyDef("t"),
    "stop": KeyDef("X"),
    "start": KeyDef("S"),
    "copy": KeyDef("y"),
    "link": KeyDef("b"),
    "definition": KeyDef("d"),
    "edit": KeyDef("E"),
    "delete": KeyDef("D"),
    "override": KeyDef("O"),
    "stage_filter": KeyDef("f"),
    # The approvals inbox and the followed executions
    "open_pipeline": KeyDef("g"),
    "dismiss": KeyDef("d"),
    # A build log
    "search_next": KeyDef("n"),
    "search_prev": KeyDef("N"),
    "follow": KeyDef("f"),
    "error_jump": KeyDef("e"),
    "timestamps": KeyDef("T"),
    "wrap": KeyDef("w"),
    "save_log": KeyDef("s"),
    # Dialogs
    "dialog_confirm": KeyDef("y"),
    "dialog_cancel": KeyDef("escape"),
    "dialog_open": KeyDef("o"),
}

# The default key(s) of each binding id; ``[keys]`` overrides them.
DEFAULT_KEYS: Mapping[str, str] = {binding_id: key.keys for binding_id, key in CATALOG.items()}
# Every binding id the app defines; ``[keys]`` may only name these.
KNOWN_BINDINGS: tuple[str, ...] = tuple(CATALOG)

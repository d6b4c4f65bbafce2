"""The help screen (`?`): every key of the screen it was opened from, then the global ones.

Keys are read from the screen's active bindings when help opens, so remapped keys (``[keys]`` in the
config) and keys a screen adds show as they really are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.ui.commands import screen_prefix

_MOVEMENT = ("cursor_", "scroll_", "page_", "focus_")
_GENERIC = frozenset({"copy_text", "maximize", "minimize", "select_cursor"})
# Keys every list and screen understands without a binding of its own.
NAVIGATION = (
    ("↑ ↓ / j k", "move"),
    ("enter", "open"),
    ("esc", "back / close"),
)


@dataclass(frozen=True)
class KeyHelp:
    key: str
    description: str
    scope: str  # the screen's name, or "global"


def _worth_listing(active: ActiveBinding) -> bool:
    """cptui's own keys: bindings with an id, or declared by cptui's screens and widgets, minus
    the generic movement every list has (summed up under "navigation")."""
    binding = active.binding
    if binding.system or not binding.description:
        return False
    if binding.id is not None:
        return True
    action = binding.action.rsplit(".", 1)[-1]
    if action.startswith(_MOVEMENT) or action in _GENERIC:
        return False
    return type(active.node).__module__.startswith("tui.")


def collect_keys(screen: Screen[Any]) -> list[KeyHelp]:
    """The screen's keys first (focused widget's included), then the app's; one line per action."""
    app = screen.app
    prefix = screen_prefix(screen)
    merged: dict[tuple[str, str], list[str]] = {}
    for key, active in screen.active_bindings.items():
        if not _worth_listing(active):
            continue
        scope = "global" if active.node is app else prefix
        display = app.get_key_display(active.binding) or key
        keys = merged.setdefault((scope, active.binding.description), [])
        if display not in keys:
            keys.append(display)
    entries = [KeyHelp(", ".join(keys), what, scope) for (scope, what), keys in merged.items()]
    return [e for e in entries if e.scope != "global"] + [e for e in entries if e.scope == "global"]


def keys_text(keys: list[KeyHelp], width: int = 14) -> Text:
    text = Text()
    scope = None
    for entry in keys:
        if entry.scope != scope:
            scope = entry.scope
            if text:
                text.append("\n")
            heading = "everywhere" if scope == "global" else f"on this screen ({scope})"
            text.append(f"{heading}\n", style="bold")
        text.append(f"  {entry.key:<{width}}", style="bold cyan")
        text.append(f"{entry.description}\n")
    text.append("\nnavigation\n", style="bold")
    for key, what in NAVIGATION:
        text.append(f"  {key:<{width}}", style="bold cyan")
        text.append(f"{what}\n")
    return text


class HelpScreen(ModalScreen[None]):
    """A modal list of keys; esc, q or ? closes it."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def __init__(self, keys: list[KeyHelp]) -> None:
        super().__init__()
        self.keys = keys

    @classmethod
    def for_screen(cls, screen: Screen[Any]) -> HelpScreen:
        """Help for ``screen``, read from its bindings now."""
        return cls(collect_keys(screen))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("Keys", style="bold"), id="help-title")
            yield Static(keys_text(self.keys), id="help-keys")

    def action_close(self) -> None:
        self.dismiss(None)

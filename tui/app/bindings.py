"""The app-wide keys (quit, help, refresh, approvals, targets, followed executions, palette): on
every screen, and checked with each screen's own keys when ``[keys]`` remaps them (``keymap.py``)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from tui.core.config import DEFAULT_KEYS

APP_BINDINGS: list[BindingType] = [
    Binding(DEFAULT_KEYS["quit"], "quit", "Quit", id="quit"),
    Binding(DEFAULT_KEYS["help"], "help", "Help", id="help", key_display="?"),
    Binding(DEFAULT_KEYS["refresh"], "refresh", "Refresh", id="refresh"),
    Binding(DEFAULT_KEYS["approvals"], "approvals", "Approvals", id="approvals"),
    # Fleet and watch list: in help and the palette; the footers keep to each screen's own keys.
    Binding(DEFAULT_KEYS["profiles"], "profiles", "Switch or add target", id="profiles", show=False),
    Binding(DEFAULT_KEYS["watchlist"], "watchlist", "Followed executions", id="watchlist", show=False),
    Binding(
        DEFAULT_KEYS["palette"],
        "command_palette",
        "Commands",
        id="palette",
        show=False,
        priority=True,
    ),
]

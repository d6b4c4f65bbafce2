"""The app-wide keys (quit, help, refresh, approvals, targets, followed executions, palette): on
every screen, and checked with each screen's own keys when ``[keys]`` remaps them (``keymap.py``)."""

from __future__ import annotations

from textual.binding import BindingType

from tui.ui.keys import bind

APP_BINDINGS: list[BindingType] = [
    bind("quit", "quit", "Quit"),
    bind("help", "help", "Help"),
    bind("refresh", "refresh", "Refresh"),
    bind("approvals", "approvals", "Approvals"),
    # Fleet and watch list: in help and the palette; the footers keep to each screen's own keys.
    bind("profiles", "profiles", "Switch or add target", show=False),
    bind("watchlist", "watchlist", "Followed executions", show=False),
    bind("palette", "command_palette", "Commands", show=False, priority=True),
]

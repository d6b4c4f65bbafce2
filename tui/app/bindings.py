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
    # Targets and watch list: in help and the palette; the footers keep to each screen's own keys.
    # (The id stays ``profiles``: it is what ``[keys]`` remaps; the action says what it opens.)
    bind("profiles", "targets", "Switch or add target", show=False),
    bind("watchlist", "watchlist", "Followed executions", show=False),
    bind("palette", "command_palette", "Commands", show=False, priority=True),
]

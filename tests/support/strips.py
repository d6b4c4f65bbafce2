"""What the terminal is about to show: the current screen's strips, every layer (toasts, modals)
included, with their styles, and whether the screen is settled enough to read. The one place the
tests read Textual's compositor and its pending-refresh flags, so a Textual upgrade that moves them
breaks here only."""

from __future__ import annotations

from typing import Any

from textual.app import App, ScreenStackError
from textual.strip import Strip
from textual.widget import Widget


def screen_strips(app: App[Any]) -> list[Strip]:
    """The current screen's rows as Textual renders them: one ``Strip`` (segments with styles) a row."""
    return list(app.screen._compositor.render_strips())


def settled(app: App[Any]) -> bool:
    """No layout, scroll, repaint or recompose is pending on the screen or any widget on it.

    Read while one is pending, the screen composes widgets' new content into the old layout (a
    squeezed column, a line that the layout is about to hide): a frame no user would be left with.
    """
    if not app.is_running:
        return True  # not started, or exited: no frame is coming
    try:
        screen = app.screen
    except ScreenStackError:
        return True  # no screen yet: nothing to draw
    if (
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
        or screen._dirty_widgets
    ):
        return False
    return not any(
        w._layout_required or w._repaint_required or w._recompose_required
        for w in screen.walk_children(Widget)
    )

"""What the terminal is about to show: the current screen's strips, every layer (toasts, modals)
included, with their styles. The one place the tests read Textual's compositor, so a Textual
upgrade that moves it breaks here only."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.strip import Strip


def screen_strips(app: App[Any]) -> list[Strip]:
    """The current screen's rows as Textual renders them: one ``Strip`` (segments with styles) a row."""
    return list(app.screen._compositor.render_strips())

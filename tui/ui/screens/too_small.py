"""What the app shows instead of a broken layout when the terminal is too small.

The App pushes ``TooSmallScreen`` when the terminal shrinks below ``MIN_WIDTH`` x ``MIN_HEIGHT`` and
pops it when it grows back (``fit_terminal``); polling carries on underneath, so the data is current
the moment the layout returns. ``q`` still quits.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.ui.keys import bind

MIN_WIDTH = 60
MIN_HEIGHT = 16


def fits(size: Size) -> bool:
    """True when every screen's layout has room at this terminal size."""
    return size.width >= MIN_WIDTH and size.height >= MIN_HEIGHT


def too_small_text(size: Size) -> str:
    return f"terminal too small: {size.width}×{size.height}, need at least {MIN_WIDTH}×{MIN_HEIGHT}"


class TooSmallScreen(ModalScreen[None]):
    """A centred one-line message naming the size needed; covers the screens below it."""

    # A modal screen hides the App's bindings: quitting must still work from here.
    BINDINGS = [bind("quit", "app.quit", "Quit")]

    DEFAULT_CSS = """
    TooSmallScreen {
        align: center middle;
        background: $background;
    }
    TooSmallScreen > #too-small {
        width: auto;
        max-width: 100%;
        height: auto;
        text-align: center;
        color: $warning;
    }
    """

    def __init__(self, size: Size) -> None:
        super().__init__()
        self._size = size

    def compose(self) -> ComposeResult:
        yield Static(too_small_text(self._size), id="too-small", markup=False)

    def show_size(self, size: Size) -> None:
        self._size = size
        self.query_one("#too-small", Static).update(too_small_text(size))

    def on_screen_resume(self) -> None:
        # A dialog may have opened above this screen while the terminal grew back.
        if fits(self.app.size) and self.app.screen is self:
            self.dismiss()


def fit_terminal(app: App[Any], size: Size) -> None:
    """Show ``TooSmallScreen`` below the minimum size, and remove it once the terminal fits."""
    shown = next((s for s in app.screen_stack if isinstance(s, TooSmallScreen)), None)
    if fits(size):
        if shown is not None and app.screen is shown:
            shown.dismiss()
    elif shown is None:
        app.push_screen(TooSmallScreen(size))
    else:
        shown.show_size(size)


def too_small(app: App[Any]) -> bool:
    """True while the too-small message is what the user sees."""
    return isinstance(app.screen, TooSmallScreen)

"""Headless frames are not drawn: the one private Textual hook the test run itself uses.

Textual composes every frame of a headless app (``run_test``) in full, then ``App._display`` throws
the frame away because the app is headless. That discarded drawing was over a third of the suite's
CPU: in a profile of tests/ui/test_ui_dialog_rule.py, 174 of 467 s went to
``Compositor.render_update`` called from ``Screen._compositor_refresh``, for frames nobody saw.

``skip_headless_frames()`` replaces ``Screen._compositor_refresh`` with one that, for the top screen
of a headless app, does the refresh's bookkeeping (dirty regions and widgets cleared, the mouse-over
updated) without composing the frame. Everything else (layout, messages, timers, widgets'
state) runs as before, and a test still sees the real drawing: ``tests.support.wait.screen_lines``
composes the screen when it reads it, and the snapshot tests export theirs. Frames are still drawn,
and passed to ``App._display``, for an app that wraps ``_display`` itself (the bench hook counts
frames), one that runs inline, and in a test marked ``draws_frames`` (it counts what is drawn).
``tests/unit/test_headless_frames.py`` pins the Textual method this mirrors, so an upgrade that
changes it fails there by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from textual.screen import Screen

_TEXTUAL_REFRESH = Screen._compositor_refresh


def _refresh_without_drawing(self: Screen[Any]) -> None:
    app = self.app
    if self is not app.screen or not app.is_headless or app.is_inline or "_display" in vars(app):
        _TEXTUAL_REFRESH(self)
        return
    # What Screen._compositor_refresh leaves behind for the top screen, minus the frame itself.
    self._compositor._dirty_regions.clear()
    self._dirty_widgets.clear()
    app._update_mouse_over(self)


def skip_headless_frames() -> None:
    """From now on, in this process, headless apps' frames are not composed (see the module doc)."""
    Screen._compositor_refresh = _refresh_without_drawing  # type: ignore[method-assign]


@contextmanager
def drawing_frames() -> Iterator[None]:
    """Within: frames are composed as Textual does (a test marked ``draws_frames`` counts them)."""
    skipping = Screen._compositor_refresh
    Screen._compositor_refresh = _TEXTUAL_REFRESH  # type: ignore[method-assign]
    try:
        yield
    finally:
        Screen._compositor_refresh = skipping  # type: ignore[method-assign]


def textual_refresh() -> Any:
    """Textual's own ``Screen._compositor_refresh`` (for the test that pins it)."""
    return _TEXTUAL_REFRESH

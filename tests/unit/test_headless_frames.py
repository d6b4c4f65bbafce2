"""The test run's one private Textual hook (tests/support/frames.py): headless frames are not
composed, the screen the tests read is still the real one, and frames are drawn where counted."""

from __future__ import annotations

import hashlib
import inspect
from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from tests.support.frames import textual_refresh
from tests.support.wait import screen_text, wait_for_text

# Textual 8.2's Screen._compositor_refresh, which tests/support/frames.py mirrors minus the drawing.
TEXTUAL_REFRESH_SHA256 = "7a40efe563816a06"


class _Shows(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("first", id="shown")


def test_the_mirrored_textual_method_is_unchanged() -> None:
    source = inspect.getsource(textual_refresh())
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    assert digest == TEXTUAL_REFRESH_SHA256, (
        "Textual's Screen._compositor_refresh changed: check that tests/support/frames.py still does "
        "its bookkeeping, then pin the new digest"
    )


def test_the_hook_is_in_place_for_the_run() -> None:
    assert Screen._compositor_refresh is not textual_refresh()


async def test_frames_are_not_drawn_yet_the_screen_read_is_current() -> None:
    app = _Shows()
    drawn: list[object] = []
    original = App._display

    def counting(self: App[Any], screen: Screen[Any], renderable: Any) -> None:
        drawn.append(renderable)
        original(self, screen, renderable)

    App._display = counting  # type: ignore[method-assign]
    try:
        async with app.run_test() as pilot:
            app.query_one("#shown", Static).update("second")
            text = await wait_for_text(pilot, "second")
            assert "first" not in text
            assert drawn == []
    finally:
        App._display = original  # type: ignore[method-assign]


async def test_an_app_that_wraps_display_still_gets_its_frames() -> None:
    app = _Shows()
    drawn: list[object] = []
    async with app.run_test() as pilot:
        original = app._display

        def counting(screen: Screen[Any], renderable: Any) -> None:
            drawn.append(renderable)
            original(screen, renderable)

        app._display = counting  # type: ignore[method-assign]
        app.query_one("#shown", Static).update("second")
        await wait_for_text(pilot, "second")
        await pilot.pause()
        assert any(r is not None for r in drawn)
        assert "second" in screen_text(app)

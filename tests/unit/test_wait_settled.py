"""The one wait helper returns on a settled screen: whatever its condition read (the store, a flag),
the test's next look at the screen sees the frame a user would be left with.

The case it guards: a widget is given new text and shown in one call (a notice); the condition
already holds, but the row the layout will give the notice is not there yet. A screen read then
shows the old layout without the notice.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.support.strips import settled
from tests.support.wait import screen_text, wait_settled, wait_until


class _Notice(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.told = False

    def compose(self) -> ComposeResult:
        yield Static("graph", id="graph")
        notice = Static("", id="notice")
        notice.display = False
        yield notice

    def tell(self, text: str) -> None:
        notice = self.query_one("#notice", Static)
        notice.update(text)
        notice.display = True
        self.told = True


async def test_a_condition_met_before_the_layout_returns_only_once_the_screen_is_settled() -> None:
    app = _Notice()
    async with app.run_test(size=(60, 6)) as pilot:
        await wait_settled(pilot)
        app.tell("access denied: missing codepipeline:GetPipeline")
        # The state is there at once; the screen is not laid out for it yet.
        assert app.told and not settled(app)
        await wait_until(pilot, lambda: app.told)
        assert settled(app)
        assert "access denied: missing codepipeline:GetPipeline" in screen_text(app)


async def test_a_wait_on_an_app_that_has_exited_does_not_wait_for_a_frame() -> None:
    app = _Notice()
    async with app.run_test(size=(40, 6)) as pilot:
        app.exit()
        await wait_until(pilot, lambda: not app.is_running, timeout=5)
        assert settled(app)

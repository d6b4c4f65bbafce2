"""A bare App that hosts one ``LogView`` (focused, filling the screen), for the widget's own tests,
and numbered lines to feed it. No AWS and no CptuiApp is involved."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.ui.widgets.log_view import LogView

SIZE = (80, 12)
T0 = 1_764_147_600_000  # 2025-11-26 09:00:00 UTC, in ms


class LogViewHost(App[None]):
    """Hosts one ``LogView`` built with ``options``; counts its state-change messages."""

    def __init__(self, **options: object) -> None:
        super().__init__()
        self.view = LogView(id="log", **options)  # type: ignore[arg-type]
        self.changes = 0

    def compose(self) -> ComposeResult:
        yield self.view

    def on_mount(self) -> None:
        self.view.focus()

    def on_log_view_state_changed(self) -> None:
        self.changes += 1


def numbered(start: int, stop: int, fmt: str = "line {}") -> tuple[list[str], list[int]]:
    """Lines ``start`` to ``stop - 1`` (``fmt`` with the number) and their timestamps, 1 ms apart."""
    return [fmt.format(i) for i in range(start, stop)], [T0 + i for i in range(start, stop)]

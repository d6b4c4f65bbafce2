"""A small chooser for `y` (copy what?) and `b` (which console link?).

Lists (label, value) pairs; Enter picks the highlighted one, ``y`` copies it, ``o`` opens it (links),
escape closes. The screen only reports the choice; ``tui.ui.operations`` copies or opens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.core.sanitize import clean, safe_text
from tui.ui.keys import bind
from tui.ui.widgets.option_list import KeyedOptionList

Verb = Literal["copy", "open"]


@dataclass(frozen=True)
class Picked:
    """What the operator chose, and what to do with it."""

    label: str
    value: str
    verb: Verb


class ValueChooser(ModalScreen[Picked | None]):
    """Choose one of a few values (ARN, execution id, console URL) to copy or open."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        bind("dialog_cancel", "cancel", "Close"),
        bind("copy", "pick('copy')", "Copy"),
        bind("dialog_open", "pick('open')", "Open in browser"),
    ]

    def __init__(self, title: str, items: Sequence[tuple[str, str]], *, default: Verb = "copy") -> None:
        super().__init__(classes="action-dialog value-chooser")
        self.chooser_title = title
        self.items = tuple(items)
        self.default: Verb = default

    def compose(self) -> ComposeResult:
        from tui.ui.screens.link import over_ssh

        if self.default == "copy":
            hint = "enter copies · o opens in the browser"
        else:  # over SSH there is no browser here: enter shows the link to click or copy
            hint = "enter shows the link · y copies" if over_ssh() else "enter opens · y copies"
        with Vertical(id="dialog"):
            yield Static(safe_text(self.chooser_title), id="dialog-title", markup=False)
            yield KeyedOptionList(
                *(
                    Option(Text.assemble((clean(label), "bold"), "\n", clean(value)), id=str(i))
                    for i, (label, value) in enumerate(self.items)
                ),
                id="chooser-list",
            )
            yield Static(Text(hint + " · esc closes", style="dim"), markup=False)

    def on_mount(self) -> None:
        self.query_one("#chooser-list", OptionList).focus()

    def _highlighted(self) -> tuple[str, str] | None:
        index = self.query_one("#chooser-list", OptionList).highlighted
        return self.items[index] if index is not None and 0 <= index < len(self.items) else None

    def action_pick(self, verb: Verb) -> None:
        chosen = self._highlighted()
        if chosen is not None:
            if verb == "open" and not chosen[1].startswith("https://"):
                self.app.bell()
                return
            self.dismiss(Picked(chosen[0], chosen[1], verb))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick(self.default)

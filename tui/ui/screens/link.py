"""A console link shown rather than opened: over SSH there is no browser on this machine to open it.

When ``SSH_CONNECTION`` is set, `b` then enter (and `b` in the log view) shows the link here instead
of calling the browser: the URL is an OSC 8 hyperlink (most terminals open it on click, often with
ctrl or cmd held) and ``y`` copies it through the terminal (OSC 52), which reaches the clipboard of
the machine the operator sits at. The URL is drawn on lines of its own, with no border or gutter
glyph beside it, so a terminal selection of it copies the URL and nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.core.fmt import STATUS_COLORS
from tui.core.sanitize import clean
from tui.ui import clipboard
from tui.ui.keys import bind


def over_ssh(environ: Mapping[str, str] | None = None) -> bool:
    """Whether cptui runs in an SSH session (where a browser would open on the remote machine)."""
    return bool((os.environ if environ is None else environ).get("SSH_CONNECTION"))


def safe_url(url: str) -> str:
    """The URL as drawn and linked: one line, no control characters or spaces (it is data)."""
    return "".join(clean(url, max_len=4000).split())


class LinkScreen(ModalScreen[None]):
    """One link, shown whole: click it (OSC 8) or press ``y`` to copy it (OSC 52); esc closes."""

    BINDINGS = [
        bind("copy", "copy", "Copy link"),
        bind("dialog_open", "open", "Open in browser"),
        bind("dialog_cancel", "close", "Close"),
    ]
    DEFAULT_CSS = """
    LinkScreen {
        align: center middle;
    }
    LinkScreen #link-box {
        width: 100%;
        height: auto;
        background: $surface;
        padding: 1 0;
    }
    LinkScreen #link-title {
        background: $primary 30%;
        padding: 0 1;
        margin-bottom: 1;
    }
    LinkScreen #link-url {
        /* No border, no padding: a terminal selection of these lines is the URL and nothing else. */
        width: 100%;
        padding: 0;
    }
    LinkScreen #link-hint {
        margin-top: 1;
        padding: 0 1;
    }
    """

    def __init__(self, label: str, url: str) -> None:
        super().__init__(classes="link-screen")
        self.label = clean(label, max_len=120)
        self.url = safe_url(url)
        self.copied = False

    def compose(self) -> ComposeResult:
        with Vertical(id="link-box"):
            yield Static(Text(self.label or "Link", style="bold"), id="link-title", markup=False)
            yield Static(self.url_text(), id="link-url", markup=False)
            if over_ssh():
                hint = "Over SSH, no browser here: click the link (OSC 8) or press y to copy it (OSC 52)."
            else:
                hint = "o opens it in the browser · y copies it · esc closes"
            yield Static(Text(hint, style=STATUS_COLORS["muted"]), id="link-hint", markup=False)

    def url_text(self) -> Text:
        """The URL, underlined and carrying its OSC 8 link; folded at any character, never at a '-'."""
        text = Text(self.url, style=Style(link=self.url, underline=True), overflow="fold")
        return text

    def action_copy(self) -> None:
        if over_ssh():
            # The system clipboard (if any) is the remote machine's: use the terminal's (OSC 52).
            self.app.copy_to_clipboard(self.url)
            via: str = clipboard.TERMINAL
        else:
            via = clipboard.copy(self.app, self.url)
        self.copied = True
        self.app.notify(f"Copied the link to the {via}.", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Over SSH a browser would open (or fail to) on the remote machine: not offered.
        return not (action == "open" and over_ssh())

    def action_open(self) -> None:
        self.app.open_url(self.url)
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)

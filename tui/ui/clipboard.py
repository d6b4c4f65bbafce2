"""Copying to the clipboard: the system clipboard when there is one, else the terminal (OSC 52).

Over SSH or in a container pyperclip finds no clipboard program (``PyperclipException``); the
terminal's own clipboard escape still works in most terminals, so we fall back to Textual's
``App.copy_to_clipboard`` and say which was used, because OSC 52 can be silently ignored (macOS
Terminal, some tmux setups) and the operator should know where to paste from.
"""

from __future__ import annotations

from typing import Any, Literal

import pyperclip
from textual.app import App

Via = Literal["system clipboard", "terminal clipboard (OSC 52)"]

SYSTEM: Via = "system clipboard"
TERMINAL: Via = "terminal clipboard (OSC 52)"


def copy(app: App[Any], text: str) -> Via:
    """Put ``text`` on a clipboard; return which one, for the notice."""
    try:
        pyperclip.copy(text)
    except (pyperclip.PyperclipException, OSError):
        app.copy_to_clipboard(text)
        return TERMINAL
    return SYSTEM

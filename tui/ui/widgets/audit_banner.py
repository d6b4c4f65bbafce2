"""The banner shown while the audit log cannot be written: actions are refused until it can.

Mounted on the pipeline list at start when ``AuditLog.problem()`` finds the log not writable; it
names the file, the reason and the fix. ``ActionRunner`` refuses every mutation meanwhile.
"""

from __future__ import annotations

from textual.widgets import Static

from tui.core.sanitize import safe_text


def banner_text(path: object, reason: str, fix: str) -> str:
    return f"⚠ Actions are off: the audit log {path} is not writable ({reason}). Fix: {fix}."


class AuditBanner(Static):
    """One warning line (wrapped if needed) at the bottom of the list, above the footer (not docked:
    docked widgets on one edge overlap, and the footer must stay visible)."""

    DEFAULT_CSS = """
    AuditBanner {
        height: auto;
        padding: 0 1;
        background: $error 30%;
        color: $text;
        text-style: bold;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__(safe_text(text, single_line=False), id="audit-banner", markup=False)

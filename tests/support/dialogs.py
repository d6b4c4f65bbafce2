"""What the dialog tests look at and do: the audit log's lines, whether a widget is really drawn, a
screen's text; answering the approval dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from tui.core.audit import AuditLog
from tui.ui.screens.dialogs import ApprovalDialog


def audit(tmp_path: Path) -> list[dict[str, Any]]:
    """The audit log the test app writes under ``tmp_path`` (``apps.sim_app``'s default place)."""
    return AuditLog(tmp_path / "audit.jsonl").read()


def drawn(dialog: Any, widget: Any) -> bool:
    """What is drawn at the widget's place is the widget (not clipped under the dialog's edge)."""
    region = widget.region
    if region.height <= 0 or region.y < 0 or region.bottom > dialog.size.height:
        return False
    at, _ = dialog.get_widget_at(region.x + 1, region.y + region.height // 2)
    return bool(at is widget or widget in at.ancestors)


def body_text(screen: Any) -> str:
    """Every Static's text on ``screen``, one per line."""
    return "\n".join(str(w.render()) for w in screen.query(Static))


async def answer_approval(pilot: Pilot[Any], summary: str, choice: str = "approve") -> None:
    """On the approval dialog on top: type ``summary`` and click ``choice`` ("approve" or "reject")."""
    dialog = pilot.app.screen
    assert isinstance(dialog, ApprovalDialog)
    dialog.query_one("#approval-summary", Input).value = summary
    await pilot.pause()
    await pilot.click(f"#choice-{choice}")

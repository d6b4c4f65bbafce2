"""An approval's time left reads the same on every screen: one formatter (``tui.core.fmt.time_left``)
for the stage box, the list's standing, the approval dialog and the inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui.core.fmt import standing_text, time_left
from tui.core.model import ApprovalRequest, Standing, StandingKind, Status, Target
from tui.ui.screens.dialogs import time_left as dialog_time_left

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def approval(expires_at: datetime | None) -> ApprovalRequest:
    return ApprovalRequest(
        target=Target(region="us-east-1"),
        pipeline_name="deploy",
        stage_name="Approve",
        action_name="Gate",
        token="t",
        expires_at=expires_at,
    )


def test_the_words_of_time_left() -> None:
    soon = NOW + timedelta(hours=1, minutes=20)
    assert time_left(soon, NOW) == "1h 20m left"
    assert time_left(soon, NOW, bare=True) == "1h 20m"
    assert time_left(NOW, NOW) == time_left(NOW - timedelta(seconds=5), NOW, bare=True) == "expired"
    assert time_left(None, NOW) == "time left unknown"
    assert time_left(None, NOW, bare=True) == "unknown"


def test_the_dialog_and_the_standing_say_what_the_formatter_says() -> None:
    for expires in (NOW + timedelta(minutes=7), NOW - timedelta(minutes=1), None):
        assert dialog_time_left(approval(expires), NOW).plain == time_left(expires, NOW, bare=True)
    expires = NOW + timedelta(hours=2, minutes=5)
    standing = Standing(StandingKind.APPROVAL, Status.IN_PROGRESS, "Approve", expires)
    assert standing_text(standing, NOW).plain.endswith(f" · {time_left(expires, NOW)}")

"""Every view of a source revision unwraps a GitHub/CodeStar summary the same way.

CodePipeline sends a GitHub (CodeStar connection) revision summary as JSON; the list and the history
showed its ``CommitMessage`` while the approval dialog, the inbox and the rollback/stop dialogs
showed the raw JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tui.core.model import ApprovalRequest, ExecutionSummary, SourceRevision, Status, Target
from tui.core.revisions import revision_message
from tui.ui.screens import action_dialogs, approvals
from tui.ui.screens.dialogs import approval_details

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
COMMIT = "3f2a9c1d" + "0" * 32
GITHUB = json.dumps(
    {"ProviderType": "GitHub", "CommitMessage": "Fix the login bug\n\nLong body", "CommitUrl": "https://x"}
)
REVISION = SourceRevision("Source", COMMIT, GITHUB)


def rendered(renderable: Table | Text) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def assert_unwrapped(text: str) -> None:
    assert "Fix the login bug" in text
    assert "ProviderType" not in text and "{" not in text and "Long body" not in text


def test_the_message_is_the_first_line_of_the_commit_message() -> None:
    assert revision_message(GITHUB) == "Fix the login bug"
    assert revision_message('{"commitMessage": "lower case key"}') == "lower case key"
    assert revision_message("plain summary\nsecond line") == "plain summary"
    assert revision_message("{not json") == "{not json"
    assert revision_message(None) == ""


def test_the_approval_dialog_shows_the_commit_message() -> None:
    approval = ApprovalRequest(
        Target("eu-west-1"), "web", "Approve", "Gate", "tok", source_revisions=(REVISION,)
    )
    assert_unwrapped(rendered(approval_details(approval, now=NOW)))


def test_the_inbox_and_the_rollback_and_stop_dialogs_show_the_commit_message() -> None:
    # The inbox's revision cell and the rollback/stop dialogs' execution lines use this one function.
    assert approvals.revisions_text is action_dialogs.revisions_text
    assert_unwrapped(rendered(approvals.revisions_text((REVISION,), max_len=28, with_action=False)))
    summary = ExecutionSummary("web", "exec-1", Status.IN_PROGRESS, NOW, source_revisions=(REVISION,))
    dialog = action_dialogs.StopDialog(Target("eu-west-1"), "web", [summary], identity=None, now=lambda: NOW)
    assert_unwrapped(rendered(dialog._describe_execution(summary, NOW)))

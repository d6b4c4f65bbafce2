"""How a source revision reads, everywhere it is shown: list, history, execution, dialogs, inbox.

One formatter, so no view can show a GitHub or CodeStar summary as the raw JSON it arrives as
(``{"ProviderType": "GitHub", "CommitMessage": …}``) while another unwraps it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from rich.text import Text

from tui.core.model import PipelineDef, SourceRevision
from tui.core.sanitize import clean

_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def revision_message(summary: str | None, *, max_len: int | None = None) -> str:
    """The human part of a revision summary, first line only, cleaned; GitHub/CodeStar sources send
    JSON with ``CommitMessage``."""
    text = (summary or "").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            message = data.get("CommitMessage") or data.get("commitMessage")
            if isinstance(message, str):
                text = message
    # First line only: commit bodies do not fit a dashboard row.
    return clean(text.splitlines()[0] if text else "", max_len=max_len)


def source_provider(definition: PipelineDef | None, *, artifact: str = "", action: str = "") -> str:
    """The provider of the source action that produced ``artifact`` (or is named ``action``), if known."""
    if definition is None:
        return ""
    for stage in definition.stages:
        for action_def in stage.actions:
            if action_def.name == action or (artifact and artifact in action_def.output_artifacts):
                return action_def.provider
    return ""


def revision_label(revision_id: str | None, change_id: str | None = None, provider: str = "") -> str:
    """``commit 3f2a9c1d`` for a git commit, ``S3 version … ETag …`` for an S3 object, else the id."""
    rid = clean(revision_id)
    if not rid:
        return "(no revision)"
    if _COMMIT.match(rid):
        return f"commit {rid[:8]}"
    if provider == "S3" or change_id:
        label = f"S3 version {rid[:12]}{'…' if len(rid) > 12 else ''}"
        return label + (f" ETag {clean(change_id)}" if change_id else "")
    return rid[:24]


def revisions_text(
    revisions: Sequence[SourceRevision], *, max_len: int = 60, with_action: bool = True, sep: str = "; "
) -> Text:
    """'Source abc12345 Fix the login bug; Infra 9f8e…' — commit and first line of each revision."""
    out = Text()
    for i, revision in enumerate(revisions):
        if i:
            out.append(sep)
        out.append_text(revision_text(revision, max_len=max_len, with_action=with_action))
    return out


def revision_text(
    revision: SourceRevision, *, max_len: int = 60, with_action: bool = True, gap: str = " "
) -> Text:
    """'Source abc12345 Fix the login bug' for one revision (``gap`` before the message)."""
    out = Text()
    if with_action:
        out.append(clean(revision.action_name) + " ", style="dim")
    out.append(clean(revision.short_id) or "?", style="bold")
    message = revision_message(revision.revision_summary, max_len=max_len)
    if message:
        out.append(gap + message)
    return out

"""The current execution of a pipeline: id, status, trigger, source revisions and variables.

It shows what ``ListPipelineExecutions`` already told us (the summary) at once, and the full
``GetPipelineExecution`` (artifact revisions with S3 version/ETag, variables) once the screen fetched it.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime
from typing import TypeVar

from textual.content import Content
from textual.widget import Widget

from tui.core.fmt import ago, running_duration, status_text
from tui.core.model import (
    ArtifactRevision,
    Execution,
    ExecutionSummary,
    PipelineDef,
    SourceRevision,
    Standing,
    Status,
)
from tui.core.revisions import revision_label, revision_message, source_provider
from tui.core.sanitize import clean

_THEME = {
    "warning": "warning",
    "muted": "text-muted",
    "error": "error",
    "success": "success",
    "accent": "accent",
}

T = TypeVar("T")

_MUTED = "$text-muted"
_LABEL_WIDTH = 11


class ExecutionPanel(Widget):
    """A compact block describing one pipeline execution."""

    DEFAULT_CSS = """
    ExecutionPanel {
        height: auto;
        padding: 0 1;
        border-top: solid $foreground 30%;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(
        self,
        summary: ExecutionSummary | None = None,
        execution: Execution | None = None,
        *,
        definition: PipelineDef | None = None,
        now: datetime | None = None,
        note: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.summary = summary
        self.execution = execution
        self.definition = definition
        self.now = now or datetime.now(UTC)
        self.note = note
        # Where the pipeline stands (``Standing``), set by the pipeline screen: the head of the
        # latest execution says it in the list's words (Held, Approval) rather than "Running".
        self.standing: Standing | None = None
        self.refresh_count = 0
        self._key: Hashable = self._render_key()

    def update(
        self,
        summary: ExecutionSummary | None,
        execution: Execution | None,
        *,
        definition: PipelineDef | None = None,
        now: datetime | None = None,
        note: str | None = None,
    ) -> bool:
        """Show new data; refresh (and return True) only if the displayed text changed.

        ``note`` is a one-line notice (loading, or an error's text) shown under the execution.
        """
        self.summary, self.execution, self.note = summary, execution, note
        if definition is not None:
            self.definition = definition
        if now is not None:
            self.now = now
        key = self._render_key()
        if key == self._key:
            return False
        self._key = key
        self.refresh_count += 1
        self.refresh(layout=True)
        return True

    def _render_key(self) -> Hashable:
        started = self.summary.start_time if self.summary else None
        return (
            self.summary,
            self.execution,
            self.definition,
            self.note,
            ago(started, self.now),
            self.standing,
        )

    # --- rendering ------------------------------------------------------------------------------

    def render(self) -> Content:
        return Content("\n").join(self.lines())

    def lines(self) -> list[Content]:
        """The panel's lines (public so tests and other screens can reuse the layout)."""
        summary, execution = self.summary, self.execution
        if summary is None and execution is None:
            return [_row("Execution", Content.styled(self.note or "No execution yet.", _MUTED))]
        exec_id = execution.execution_id if execution else summary.execution_id if summary else ""
        status = execution.status if execution else summary.status if summary else Status.IDLE
        standing = self.standing
        if standing is not None and standing.status == status and standing.overrides_status:
            shown = Content.styled(
                f"{standing.glyph} {standing.word}", f"${_THEME.get(standing.style, 'warning')}"
            )
        else:
            shown = Content.from_rich_text(status_text(status))
        head = shown + "  " + Content(clean(exec_id))
        facts = []
        if summary is not None:
            facts.append(f"started {ago(summary.start_time, self.now)}")
            facts.append(running_duration(summary.start_time, summary.last_update_time, status, self.now))
        mode = _pick(execution and execution.execution_mode, summary and summary.execution_mode)
        if mode is not None:
            facts.append(clean(mode))
        exec_type = execution.execution_type if execution else summary.execution_type if summary else None
        if exec_type is not None and exec_type.value != "STANDARD":
            facts.append(clean(exec_type))
        lines = [_row("Execution", head + Content.styled("  " + " · ".join(f for f in facts if f), _MUTED))]
        trigger = (execution.trigger if execution else None) or (summary.trigger if summary else None)
        if trigger is not None:
            detail = clean(trigger.detail)
            kind = clean(trigger.trigger_type)
            lines.append(_row("Trigger", Content(kind + (f" — {detail}" if detail else ""))))
        lines.extend(self._source_lines())
        if execution is not None:
            lines.append(_row("Variables", _variables(execution)))
        reason = _pick(execution and execution.status_summary, summary and summary.status_summary)
        if reason:
            lines.append(_row("Summary", Content(clean(reason))))
        if self.note:
            lines.append(_row("", Content.styled(self.note, _MUTED)))
        return lines

    def _source_lines(self) -> list[Content]:
        rows: list[Content] = []
        if self.execution is not None and self.execution.artifact_revisions:
            for revision in self.execution.artifact_revisions:
                rows.append(self._artifact_row(revision))
        elif self.summary is not None:
            rows = [self._source_row(revision) for revision in self.summary.source_revisions]
        if not rows:
            return []
        return [_row("Sources" if i == 0 else "", row) for i, row in enumerate(rows)]

    def _artifact_row(self, revision: ArtifactRevision) -> Content:
        provider = source_provider(self.definition, artifact=revision.name)
        label = revision_label(revision.revision_id, revision.revision_change_identifier, provider)
        return _revision_row(revision.name, label, revision.revision_summary)

    def _source_row(self, revision: SourceRevision) -> Content:
        provider = source_provider(self.definition, action=revision.action_name)
        label = revision_label(revision.revision_id, None, provider)
        return _revision_row(revision.action_name, label, revision.revision_summary)


def _pick(first: T | None, second: T | None) -> T | None:
    """The full execution's value when it has one, else the summary's."""
    return first or second


def _revision_row(name: str, label: str, summary: str | None) -> Content:
    """An artifact's or a source action's revision: its name, the revision, the commit message."""
    return Content.assemble((clean(name), "bold"), "  ", label, "  ", (revision_message(summary), _MUTED))


def _row(label: str, body: Content) -> Content:
    return Content.styled(label.ljust(_LABEL_WIDTH), _MUTED) + body


def _variables(execution: Execution) -> Content:
    if not execution.variables:
        return Content.styled("none", _MUTED)
    parts = [f"{clean(k)}={clean(v)}" for k, v in sorted(execution.variables.items())]
    return Content("  ".join(parts))

"""What the execution screen draws from its data: the actions table's rows and their order, the
failure callout, the selected action's detail and the comparison with the last success.

Plain functions of the model (no reads, no widgets): ``ExecutionScreen`` (execution.py) fetches and
puts them on screen. AWS text goes through ``clean`` here.
"""

from __future__ import annotations

import textwrap
from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime

from rich.text import Text
from textual.content import Content

from tui.core.execution_diff import ChangeKind, ExecutionDiff
from tui.core.fmt import ago, running_duration, short_id, status_text
from tui.core.model import ActionExecution, Execution, Status
from tui.core.revisions import revision_label, revision_message
from tui.core.sanitize import clean

# The provider, full error and link are in the detail below the table: the row stays one screen wide.
COLUMNS = ("Status", "Stage", "Action", "Started", "Duration", "Artifacts", "External", "Error")


def is_codebuild(action: ActionExecution) -> bool:
    return action.provider == "CodeBuild"


def action_rank(action: ActionExecution, stage_order: Sequence[str]) -> Hashable:
    """Failed actions first, then by stage order (definition), run order and start."""
    stage_index = (
        stage_order.index(action.stage_name) if action.stage_name in stage_order else len(stage_order)
    )
    started = action.start_time.timestamp() if action.start_time else float("inf")
    return (
        0 if action.status == Status.FAILED else 1,
        stage_index,
        action.run_order or 0,
        started,
        action.action_name,
        action.action_execution_id,
    )


def latest_attempts(
    actions: Iterable[ActionExecution],
) -> tuple[list[ActionExecution], dict[tuple[str, str], list[ActionExecution]]]:
    """Each action's latest attempt, and its earlier (retried) attempts, newest first.

    A retried stage runs its actions again in the same pipeline execution: ListActionExecutions
    lists every attempt. The latest (by start; AWS lists newest first, which breaks ties) is what
    the action's outcome is; the earlier ones were retried and are history, not the failure.
    """
    groups: dict[tuple[str, str], list[tuple[float, int, ActionExecution]]] = {}
    for index, action in enumerate(actions):
        started = action.start_time.timestamp() if action.start_time else float("-inf")
        groups.setdefault((action.stage_name, action.action_name), []).append((started, -index, action))
    latest: list[ActionExecution] = []
    earlier: dict[tuple[str, str], list[ActionExecution]] = {}
    for key, attempts in groups.items():
        ordered = [a for _, _, a in sorted(attempts, key=lambda t: (t[0], t[1]), reverse=True)]
        latest.append(ordered[0])
        if len(ordered) > 1:
            earlier[key] = ordered[1:]
    return latest, earlier


def action_cells(action: ActionExecution, now: datetime, retried: int = 0) -> tuple[Text | str, ...]:
    """One row: the action's latest attempt; ``retried`` earlier attempts are marked on it."""
    failed = action.status == Status.FAILED
    emphasis = "bold red" if failed else ""
    artifacts = ", ".join(clean(a) for a in action.input_artifacts) or "—"
    if action.output_artifacts:
        artifacts += " → " + ", ".join(clean(a) for a in action.output_artifacts)
    artifacts = clean(artifacts, max_len=22)
    # The code only: the message is in the failure callout and the detail below the table.
    error = clean(action.error_code or ("error" if action.error_message else ""), max_len=24)
    return (
        status_text(action.status),
        Text(clean(action.stage_name), style=emphasis),
        Text.assemble(
            (clean(action.action_name), emphasis or "bold"),
            (f"  retried ×{retried}" if retried > 1 else "  retried" if retried else "", "dim"),
        ),
        ago(action.start_time, now),
        running_duration(action.start_time, action.last_update_time, action.status, now),
        artifacts,
        clean(action.external_execution_id, max_len=18),
        Text(error, style="red") if error else "",
    )


def failure_content(failed: Sequence[ActionExecution], screen_width: int) -> Content:
    """The callout above the table: each failed action with its code, and its message wrapped."""
    lines = []
    for action in failed:
        head = Content.assemble(
            ("✖ ", "$error"),
            (f"{clean(action.stage_name)} › {clean(action.action_name)}", "bold"),
            "  failed",
            (f"  {clean(action.error_code)}" if action.error_code else "", "bold $error"),
        )
        lines.append(head)
        if action.error_message:
            # Wrapped here (not by the widget) so continuation lines keep the indent.
            width = max(20, screen_width - 10)
            for part in textwrap.wrap(clean(action.error_message), width, max_lines=4, placeholder=" …"):
                lines.append(Content("  " + part))
    return Content("\n").join(lines)


def action_detail(
    action: ActionExecution, earlier: Sequence[ActionExecution], now: datetime, width: int
) -> Content:
    """The detail below the table for the selected action; ``earlier``: its retried attempts."""
    rows: list[tuple[str, str]] = [
        ("Provider", f"{clean(action.provider)} ({clean(action.category or '')})".replace(" ()", "")),
        (
            "Started",
            f"{ago(action.start_time, now)} · "
            f"{running_duration(action.start_time, action.last_update_time, action.status, now)}",
        ),
        (
            "Artifacts",
            (", ".join(clean(a) for a in action.input_artifacts) or "—")
            + " → "
            + (", ".join(clean(a) for a in action.output_artifacts) or "—"),
        ),
    ]
    if action.external_execution_id:
        rows.append(("External", clean(action.external_execution_id)))
    if action.external_execution_url:
        rows.append(("Link", clean(action.external_execution_url)))
    if action.summary:
        rows.append(("Summary", clean(action.summary)))
    if action.error_code or action.error_message:
        rows.append(("Error", ": ".join(clean(p) for p in (action.error_code, action.error_message) if p)))
    if action.output_variables:
        rows.append(
            ("Variables", "  ".join(f"{clean(k)}={clean(v)}" for k, v in action.output_variables.items()))
        )
    if action.updated_by:
        rows.append(("By", clean(action.updated_by)))
    # Earlier attempts (the stage was retried) right under this one's times: an old failure is
    # history, named as such, never the headline.
    for offset, attempt in enumerate(earlier):
        error = ": ".join(clean(p) for p in (attempt.error_code, attempt.error_message) if p)
        when = f"{attempt.status.value} {ago(attempt.start_time, now)}"
        rows.insert(2 + offset, ("Retried", when + (f" · {error}" if error else "")))
    head = Content.assemble(
        Content.from_rich_text(status_text(action.status)),
        "  ",
        (f"{clean(action.stage_name)} › {clean(action.action_name)}", "bold"),
    )
    if is_codebuild(action):
        head += Content.styled("   l: build logs", "$text-muted")
    body = [head]
    for label, value in rows:
        parts = textwrap.wrap(value, width) or [""]
        style = "$error" if label == "Error" else ""
        for index, part in enumerate(parts):
            body.append(
                Content.styled((label if index == 0 else "").ljust(11), "$text-muted")
                + Content.styled(part, style)
            )
    return Content("\n").join(body)


def diff_content(diff: ExecutionDiff, baseline: Execution, execution: Execution) -> Content:
    """What changed since the last success: source revisions, then variables."""
    head = Content.assemble(("Since the last success ", "bold"), (short_id(diff.baseline_id), "$text-muted"))
    if diff.empty:
        return head + Content.styled("  — same sources and variables", "$text-muted")
    lines = [head]
    old_revisions = {r.name: r for r in baseline.artifact_revisions}
    new_revisions = {r.name: r for r in execution.artifact_revisions}
    marks = {
        ChangeKind.CHANGED: ("~", "$warning"),
        ChangeKind.ADDED: ("+", "$success"),
        ChangeKind.REMOVED: ("−", "$error"),
    }
    for change in diff.revisions:
        mark, style = marks[change.kind]
        lines.append(Content.assemble((f"  {mark} ", style), (clean(change.key), "bold")))
        old, new = old_revisions.get(change.key), new_revisions.get(change.key)
        for arrow, revision in (("   ", old), (" → ", new) if old is not None else ("   ", new)):
            if revision is None:
                continue
            lines.append(
                Content.assemble(
                    f"  {arrow}",
                    revision_label(revision.revision_id, revision.revision_change_identifier),
                    (f"  {revision_message(revision.revision_summary)}", "$text-muted"),
                )
            )
    for change in diff.variables:
        mark, style = marks[change.kind]
        if change.kind == ChangeKind.CHANGED:
            value = f"{clean(change.old)} → {clean(change.new)}"
        else:
            value = clean(change.new if change.kind == ChangeKind.ADDED else change.old)
        lines.append(Content.assemble((f"  {mark} ", style), (f"${clean(change.key)}", "bold"), f"  {value}"))
    return Content("\n").join(lines)

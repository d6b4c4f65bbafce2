"""One dialog per stage or pipeline action: retry, roll back, stop, start, transition.

Each keeps its values in attributes (``on_field``) so ``draft`` can build the exact request at any
time, and the frame (``dialog_base.ActionDialog``) shows its text, gates and confirms it once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from tui.core import actions, fmt
from tui.core.actions import ActionRequest
from tui.core.model import (
    ActionCategory,
    ExecutionSummary,
    Identity,
    PipelineDef,
    PipelineType,
    RetryMode,
    SourceRevision,
    Target,
    TransitionState,
)
from tui.core.revisions import revisions_text
from tui.core.sanitize import clean
from tui.ui.screens.dialog_base import ActionDialog, Choice
from tui.ui.widgets.option_list import KeyedOptionList

STOP_REASON_MAX = 200  # StopPipelineExecutionReason
DISABLE_REASON_MAX = 300  # DisabledReason
VARIABLE_VALUE_MAX = 1000  # PipelineVariableValue
# AWS's pattern for DisabledReason: anything else is rejected with a ValidationException.
_DISABLE_REASON = re.compile(r"[a-zA-Z0-9!@ ().*?\-]+")
# Source providers whose override is a commit id or an image digest (what the service sends).
OVERRIDABLE_SOURCES = frozenset(
    {"CodeCommit", "CodeStarSourceConnection", "GitHub", "ECR", "Bitbucket", "GitLab"}
)


def note(text: str | Text, *, id: str | None = None) -> Static:
    """A paragraph of a dialog's body (never parsed as markup)."""
    return Static(text if isinstance(text, Text) else Text(text), id=id, classes="dialog-note", markup=False)


def first_of(dialog: Widget, *selectors: str) -> Widget | None:
    """The first widget of ``dialog`` matching the first of ``selectors`` that matches any (what the
    dialog focuses when it opens), or None."""
    for selector in selectors:
        found = list(dialog.query(selector))
        if found:
            return found[0]
    return None


def _execution(summaries: Sequence[ExecutionSummary], execution_id: str | None) -> ExecutionSummary | None:
    """The execution of ``summaries`` with that id (a highlighted option's), or None."""
    return next((s for s in summaries if s.execution_id == execution_id), None)


def _revision_label(revisions: Sequence[SourceRevision]) -> str:
    return ", ".join(f"{r.action_name} {r.short_id}" for r in revisions if r.revision_id)


class RetryDialog(ActionDialog):
    """Retry a failed stage: only its failed actions, or all of them."""

    def __init__(
        self,
        target: Target,
        pipeline: str,
        stage: str,
        execution_id: str,
        *,
        failed_actions: Sequence[str] = (),
        identity: Identity | None,
        protected: bool = False,
    ) -> None:
        super().__init__(
            title=f"Retry stage {clean(stage)}", pipeline=pipeline, identity=identity, protected=protected
        )
        self.target = target
        self.stage = stage
        self.execution_id = execution_id
        self.failed_actions = tuple(failed_actions)
        self.mode = RetryMode.FAILED_ACTIONS

    def compose_body(self) -> ComposeResult:
        failed = ", ".join(clean(a) for a in self.failed_actions) or "unknown"
        yield note(
            f"Stage {clean(self.stage)} failed in execution {clean(self.execution_id)}. "
            f"Failed actions: {failed}."
        )
        yield KeyedOptionList(
            Option(Text(f"Failed actions only ({failed})"), id=RetryMode.FAILED_ACTIONS.value),
            Option(Text("All actions of the stage"), id=RetryMode.ALL_ACTIONS.value),
            id="retry-mode",
        )

    def initial_focus(self) -> Widget | None:
        return self.query_one("#retry-mode", OptionList)

    def on_field(self, event: Message) -> None:
        if isinstance(event, OptionList.OptionHighlighted) and event.option_id:
            self.mode = RetryMode(event.option_id)

    def draft(self, choice: str) -> ActionRequest | None:
        return actions.retry_stage(self.target, self.pipeline, self.stage, self.execution_id, self.mode)


class RollbackDialog(ActionDialog):
    """Roll a stage back to an earlier execution in which it succeeded (V2 pipelines only)."""

    def __init__(
        self,
        target: Target,
        pipeline: str,
        stage: str,
        candidates: Sequence[ExecutionSummary],
        *,
        pipeline_type: PipelineType,
        identity: Identity | None,
        now: Callable[[], datetime],
        protected: bool = False,
    ) -> None:
        super().__init__(
            title=f"Roll back stage {clean(stage)}",
            pipeline=pipeline,
            identity=identity,
            protected=protected,
        )
        self.target = target
        self.stage = stage
        self.candidates = tuple(candidates)
        self.pipeline_type = pipeline_type
        self.now = now
        self.chosen: ExecutionSummary | None = self.candidates[0] if self.candidates else None

    @property
    def possible(self) -> bool:
        return self.pipeline_type == PipelineType.V2 and self.chosen is not None

    def choices(self) -> tuple[Choice, ...]:
        return (Choice("confirm", "Roll back", "error"),) if self.possible else ()

    def compose_body(self) -> ComposeResult:
        if self.pipeline_type != PipelineType.V2:
            yield note(
                f"Rollback is available only for V2 pipelines; {clean(self.pipeline)} is "
                f"{clean(self.pipeline_type.value)}. To go back, start an execution with an earlier "
                "source revision (S) instead.",
                id="rollback-unavailable",
            )
            return
        if not self.candidates:
            yield note(
                f"No earlier successful execution of {clean(self.pipeline)} was found to roll stage "
                f"{clean(self.stage)} back to.",
                id="rollback-unavailable",
            )
            return
        yield note(
            f"Re-run stage {clean(self.stage)} with the revisions of an earlier execution that "
            "succeeded. Choose the execution (newest first):"
        )
        now = self.now()
        options = []
        for summary in self.candidates:
            prompt = Text.assemble(
                fmt.status_text(summary.status, label=False),
                " ",
                (fmt.short_id(summary.execution_id), "bold"),
                "  ",
                (fmt.ago(summary.start_time, now).ljust(8), "dim"),
                "  ",
                revisions_text(summary.source_revisions),
            )
            options.append(Option(prompt, id=summary.execution_id))
        yield KeyedOptionList(*options, id="rollback-target")

    def initial_focus(self) -> Widget | None:
        return first_of(self, "#rollback-target")

    def on_field(self, event: Message) -> None:
        if isinstance(event, OptionList.OptionHighlighted):
            self.chosen = _execution(self.candidates, event.option_id)

    def draft(self, choice: str) -> ActionRequest | None:
        if not self.possible or self.chosen is None:
            return None
        return actions.rollback_stage(
            self.target,
            self.pipeline,
            self.stage,
            self.chosen.execution_id,
            revision=_revision_label(self.chosen.source_revisions),
        )


class StopDialog(ActionDialog):
    """Stop a running execution: let running actions finish, or abandon them; with a reason."""

    def __init__(
        self,
        target: Target,
        pipeline: str,
        running: Sequence[ExecutionSummary],
        *,
        identity: Identity | None,
        now: Callable[[], datetime],
        protected: bool = False,
    ) -> None:
        super().__init__(
            title=f"Stop an execution of {clean(pipeline)}",
            pipeline=pipeline,
            identity=identity,
            protected=protected,
        )
        self.target = target
        self.running = tuple(running)
        self.now = now
        self.chosen: ExecutionSummary | None = self.running[0] if self.running else None
        self.abandon = False
        self.reason = ""

    def choices(self) -> tuple[Choice, ...]:
        if self.chosen is None:
            return ()
        return (Choice("confirm", "Abandon execution" if self.abandon else "Stop execution", "error"),)

    def _describe_execution(self, summary: ExecutionSummary, now: datetime) -> Text:
        return Text.assemble(
            fmt.status_text(summary.status),
            "  ",
            (clean(summary.execution_id), "bold"),
            "  ",
            (f"started {fmt.ago(summary.start_time, now)}", "dim"),
            "  ",
            revisions_text(summary.source_revisions, max_len=40),
        )

    def compose_body(self) -> ComposeResult:
        if not self.running:
            yield note(f"No execution of {clean(self.pipeline)} is running.", id="stop-nothing")
            return
        now = self.now()
        if len(self.running) > 1:
            yield note(f"{len(self.running)} executions are running. Which one to stop?")
            yield KeyedOptionList(
                *(Option(self._describe_execution(s, now), id=s.execution_id) for s in self.running),
                id="stop-execution",
            )
        else:
            yield note(self._describe_execution(self.running[0], now), id="stop-execution-line")
        with RadioSet(id="stop-mode"):
            yield RadioButton("Stop and wait: running actions finish first", value=True, id="stop-wait")
            yield RadioButton("Stop and abandon: running actions are abandoned", id="stop-abandon")
        yield Input(
            placeholder="Reason (optional, shown in the execution history)",
            max_length=STOP_REASON_MAX,
            id="stop-reason",
        )

    def initial_focus(self) -> Widget | None:
        return first_of(self, "#stop-execution", "#stop-mode")

    def on_field(self, event: Message) -> None:
        if isinstance(event, OptionList.OptionHighlighted):
            self.chosen = _execution(self.running, event.option_id) or self.chosen
        elif isinstance(event, RadioSet.Changed):
            self.abandon = event.pressed.id == "stop-abandon"
        elif isinstance(event, Input.Changed) and event.input.id == "stop-reason":
            self.reason = event.value

    def draft(self, choice: str) -> ActionRequest | None:
        if self.chosen is None:
            return None
        return actions.stop_execution(
            self.target,
            self.pipeline,
            self.chosen.execution_id,
            abandon=self.abandon,
            reason=self.reason.strip(),
        )


class StartDialog(ActionDialog):
    """Start a new execution (release change): V2 variables prefilled, optional revision overrides."""

    def __init__(
        self,
        target: Target,
        pipeline: str,
        definition: PipelineDef | None,
        *,
        identity: Identity | None,
        protected: bool = False,
    ) -> None:
        super().__init__(
            title=f"Release change: {clean(pipeline)}",
            pipeline=pipeline,
            identity=identity,
            protected=protected,
        )
        self.target = target
        self.definition = definition
        v2 = definition is not None and definition.pipeline_type == PipelineType.V2
        self.variables = definition.variables if definition is not None and v2 else ()
        self.values: dict[str, str] = {v.name: v.default or "" for v in self.variables}
        first = definition.stages[0] if definition is not None and definition.stages else None
        self.sources = tuple(
            a
            for a in (first.actions if first else ())
            if a.category == ActionCategory.SOURCE and a.provider in OVERRIDABLE_SOURCES
        )
        self.overrides: dict[str, str] = {}

    def compose_body(self) -> ComposeResult:
        yield note(f"Start {clean(self.pipeline)} with the latest source revisions, or override them.")
        for index, variable in enumerate(self.variables):
            label = Text.assemble(("Variable ", "dim"), (clean(variable.name), "bold"))
            if variable.description:
                label.append("  " + clean(variable.description, max_len=80), style="dim")
            yield note(label)
            yield Input(
                value=variable.default or "",
                placeholder="required" if variable.default is None else "",
                max_length=VARIABLE_VALUE_MAX,
                id=f"start-var-{index}",
                classes="start-variable",
            )
        for index, action in enumerate(self.sources):
            yield note(
                Text.assemble(
                    ("Revision of ", "dim"),
                    (clean(action.name), "bold"),
                    (f" ({clean(action.provider)})", "dim"),
                )
            )
            yield Input(
                placeholder="blank = latest; or a commit id / image digest",
                id=f"start-rev-{index}",
                classes="start-revision",
            )

    def initial_focus(self) -> Widget | None:
        return first_of(self, ".start-variable, .start-revision")

    def on_field(self, event: Message) -> None:
        if not isinstance(event, Input.Changed) or not event.input.id:
            return
        kind, _, index = event.input.id.removeprefix("start-").partition("-")
        if kind == "var":
            self.values[self.variables[int(index)].name] = event.value
        elif kind == "rev":
            self.overrides[self.sources[int(index)].name] = event.value.strip()

    def problem(self) -> str | None:
        for variable in self.variables:
            if variable.default is None and not self.values.get(variable.name, "").strip():
                return f"variable {clean(variable.name)} has no default: give it a value"
        return None

    def draft(self, choice: str) -> ActionRequest | None:
        defaults = {v.name: v.default for v in self.variables}
        # Only what differs from the defaults is sent: AWS applies the defaults itself, and the
        # confirmation then lists exactly the values the operator chose.
        chosen = {k: v for k, v in self.values.items() if v and v != defaults.get(k)}
        revisions = tuple(
            SourceRevision(action_name=name, revision_id=rev) for name, rev in self.overrides.items() if rev
        )
        return actions.start_execution(
            self.target, self.pipeline, variables=chosen, source_revisions=revisions
        )


class TransitionDialog(ActionDialog):
    """Enable a stage's inbound transition, or disable it with a reason."""

    def __init__(
        self,
        target: Target,
        pipeline: str,
        stage: str,
        transition: TransitionState,
        *,
        identity: Identity | None,
        now: Callable[[], datetime],
        protected: bool = False,
    ) -> None:
        verb = "Enable" if not transition.enabled else "Disable"
        super().__init__(
            title=f"{verb} the transition into {clean(stage)}",
            pipeline=pipeline,
            identity=identity,
            protected=protected,
        )
        self.target = target
        self.stage = stage
        self.transition = transition
        self.now = now
        self.reason = ""

    @property
    def enabling(self) -> bool:
        return not self.transition.enabled

    def compose_body(self) -> ComposeResult:
        if self.enabling:
            t = self.transition
            who = f" by {clean(t.last_changed_by)}" if t.last_changed_by else ""
            when = f" {fmt.ago(t.last_changed_at, self.now())}" if t.last_changed_at else ""
            yield note(f"Disabled{when}{who}. Reason: {clean(t.disabled_reason) or '(none given)'}")
            yield note("Enabling lets the executions waiting before the stage go in.")
            return
        yield note(
            f"Executions will wait before stage {clean(self.stage)} until the transition is enabled again."
        )
        yield Input(
            placeholder="Reason (required, up to 300: letters, digits, spaces, ! @ ( ) . * ? -)",
            max_length=DISABLE_REASON_MAX,
            id="transition-reason",
        )

    def initial_focus(self) -> Widget | None:
        return first_of(self, "#transition-reason")

    def on_field(self, event: Message) -> None:
        if isinstance(event, Input.Changed) and event.input.id == "transition-reason":
            self.reason = event.value

    def problem(self) -> str | None:
        if self.enabling:
            return None
        reason = self.reason.strip()
        if not reason:
            return "a reason is required to disable a transition"
        if not _DISABLE_REASON.fullmatch(reason):
            return "AWS accepts only letters, digits, spaces and ! @ ( ) . * ? - in the reason"
        return None

    def draft(self, choice: str) -> ActionRequest | None:
        return actions.set_transition(
            self.target, self.pipeline, self.stage, enabled=self.enabling, reason=self.reason.strip()
        )

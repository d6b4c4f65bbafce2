"""Dialogs of managing a pipeline (issue 13): apply an edit, delete, override a condition; and the
screen that says what is wrong with an edit and offers to edit it again.

The three mutating dialogs are ``ActionDialog`` s: the same confirm rule as every other mutation
(opening focus never a confirm button, Enter never sends, one call per confirmation). Each one asks
for the pipeline's typed name when it is protected and, beyond that, whenever the change is one to
think twice about: an update of a pipeline CloudFormation manages (or whose tags could not be
read) or with executions in progress, and every delete.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.core import actions, definition_diff
from tui.core import definition as defn
from tui.core.actions import ActionRequest, ActionResult
from tui.core.model import ConditionKind, Identity, PipelineDeclaration, Target
from tui.core.sanitize import clean, safe_text
from tui.ui.screens.action_dialogs import note
from tui.ui.screens.dialog_base import ActionDialog


def diff_text(lines: Sequence[str], *, limit: int = 400) -> Text:
    """A unified diff, coloured (+ green, - red, @@ cyan); AWS text cleaned line by line."""
    out = Text()
    for line in lines[:limit]:
        shown = clean(line, max_len=300)
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        else:
            style = "dim"
        out.append(shown + "\n", style=style)
    if len(lines) > limit:
        out.append(f"… {len(lines) - limit} more lines\n", style="dim")
    return out


def _warning(text: str) -> Static:
    return Static(Text.assemble(("⚠ ", "bold"), text), classes="dialog-note manage-warning", markup=False)


def _stack_warning(
    stack: str | None, tags_problem: str | None, effect: str, unknown: str = ""
) -> Static | None:
    """What a CloudFormation stack managing the pipeline does to this change (``effect``, with
    ``{stack}``), or that nobody knows whether one does (its tags could not be read), then ``unknown``."""
    if stack:
        return _warning(effect.format(stack=clean(stack)))
    if tags_problem:
        return _warning(
            "Whether CloudFormation manages this pipeline is not known: its tags could not be read "
            f"({clean(tags_problem, max_len=200)}).{unknown}"
        )
    return None


def _listing(title: str, items: Sequence[str], empty: str) -> Text:
    """A bold title over one indented line per item (``empty`` when there is none)."""
    text = Text(f"{title}\n", style="bold")
    for item in items or [empty]:
        text.append("  " + clean(item, max_len=200) + "\n", style="")
    return text


class TypedNameDialog(ActionDialog):
    """An ``ActionDialog`` whose typed name is asked for a reason of its own (not only protection)."""

    NAME_REASON = "protected pipeline"
    # The name field stays in view below the (long) body, so the body opens at its top: the
    # warnings and the changes are what the operator reads first.
    PROTECTED_NAME_IN_BODY = False

    def compose_pinned(self) -> ComposeResult:
        if self.protected and self.choices():
            # One line down to 80 columns: the buttons must stay on an 80x24 screen.
            yield Static(
                Text.assemble(
                    f"Type {clean(self.pipeline)} to enable the button ",
                    (f"({self.NAME_REASON})", "bold"),
                ),
                id="dialog-protected-label",
                markup=False,
            )
            yield Input(placeholder=clean(self.pipeline), id="dialog-protected-name")

    def blocker(self) -> str | None:
        problem = self.problem()
        if problem:
            return problem
        if not self.name_typed():
            return "the name is not typed yet (exactly, in the field above)"
        return None

    def on_mount(self) -> None:
        self.add_class("manage-dialog")
        super().on_mount()
        self.call_after_refresh(self.fit_body)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_body)

    def show_failure(self, text: str) -> None:
        super().show_failure(text)  # (a line or more above the buttons: the body gives it room)
        self.call_after_refresh(self.fit_body)

    def refresh_state(self) -> None:
        super().refresh_state()
        if self.is_mounted:
            self.call_after_refresh(self.fit_body)

    def fit_body(self) -> None:
        """Give the scrolling body what the screen leaves once everything else of the dialog is
        drawn, so the name field and the buttons below it always show (down to 80x24)."""
        frame = self.query_one("#dialog")
        body = self.query_one("#dialog-body")
        others = sum(
            w.outer_size.height + w.styles.margin.top + w.styles.margin.bottom
            for w in frame.children
            if w is not body and w.display
        )
        chrome = frame.styles.gutter.height + body.styles.margin.top + body.styles.margin.bottom
        # The frame may take 95% of the screen (dialogs.tcss), rounded down, less a line for luck.
        room = int(self.size.height * 0.95) - 1 - others - chrome
        height = max(3, room)
        if body.styles.max_height is None or body.styles.max_height.value != height:
            body.styles.max_height = height


class UpdateDialog(TypedNameDialog):
    """Apply an edited declaration: what changes (structurally and as a diff), the warnings, and
    the typed name when CloudFormation manages the pipeline or executions are running."""

    def __init__(
        self,
        target: Target,
        base: PipelineDeclaration,
        edited: dict[str, object],
        *,
        identity: Identity | None,
        protected: bool,
        stack: str | None,
        tags_problem: str | None,
        running: Sequence[str],
        path: str,
    ) -> None:
        self.stack = stack
        self.tags_problem = tags_problem
        self.running = tuple(running)
        reasons = []
        if protected:
            reasons.append("protected pipeline")
        if stack:
            reasons.append("managed by CloudFormation")
        elif tags_problem:
            reasons.append("CloudFormation not known")
        if running:
            reasons.append("executions in progress")
        self.NAME_REASON = " · ".join(reasons) or "protected pipeline"
        super().__init__(
            title=f"Apply your edit to {base.name}",
            pipeline=base.name,
            identity=identity,
            protected=bool(reasons),
        )
        self.target = target
        self.base = base
        self.edited = edited
        self.path = path
        self.changes = [str(c) for c in definition_diff.changes(base.document, edited)]
        self.diff = definition_diff.unified_diff(base.document, edited, name=base.name)
        self.digest = definition_diff.digest(base.document, edited)

    def compose_body(self) -> ComposeResult:
        unknown = " If a stack manages it, its next deploy reverts this edit."
        if warning := _stack_warning(self.stack, self.tags_problem, defn.CLOUDFORMATION_EFFECT, unknown):
            yield warning
        if self.running:
            ids = ", ".join(clean(r[:8]) for r in self.running[:5])
            yield _warning(f"{len(self.running)} execution(s) in progress ({ids}). {defn.IN_PROGRESS_EFFECT}")
        summary = _listing("Changes:", self.changes, "(no structural change)")
        yield Static(summary, id="update-changes", markup=False)
        yield Static(diff_text(self.diff), id="update-diff", markup=False)
        yield Static(
            Text(f"Your text is kept in {self.path} until it is applied or discarded.", style="dim"),
            markup=False,
        )

    def draft(self, choice: str) -> ActionRequest | None:
        return actions.update_pipeline(
            self.target,
            self.base.name,
            self.edited,
            base_version=self.base.version,
            digest=self.digest,
            changes=self.changes,
        )


class DeleteDialog(TypedNameDialog):
    """Delete a pipeline: always the typed name; what is lost; the CloudFormation warning."""

    NAME_REASON = "deleting cannot be undone"

    def __init__(
        self,
        target: Target,
        pipeline: str,
        *,
        version: int | None,
        identity: Identity | None,
        stack: str | None,
        tags_problem: str | None,
        running: int,
    ) -> None:
        super().__init__(title=f"Delete {pipeline}", pipeline=pipeline, identity=identity, protected=True)
        self.target = target
        self.version = version
        self.stack = stack
        self.tags_problem = tags_problem
        self.running = running

    def compose_body(self) -> ComposeResult:
        yield note(defn.DELETE_EFFECT)
        if warning := _stack_warning(self.stack, self.tags_problem, defn.CLOUDFORMATION_DELETE_EFFECT):
            yield warning
        if self.running:
            yield _warning(
                f"An execution is in progress: it ends with the pipeline ({self.running} running)."
            )

    def draft(self, choice: str) -> ActionRequest | None:
        return actions.delete_pipeline(self.target, self.pipeline, version=self.version, stack=self.stack)


class OverrideDialog(TypedNameDialog):
    """Override the condition holding a stage (entry or on success) for one execution."""

    def __init__(
        self,
        target: Target,
        pipeline: str,
        stage: str,
        execution_id: str,
        kind: ConditionKind,
        *,
        rules: Sequence[str],
        identity: Identity | None,
        protected: bool,
    ) -> None:
        super().__init__(
            title=f"Override the {kind.label} condition of {stage}",
            pipeline=pipeline,
            identity=identity,
            protected=protected,
        )
        self.target = target
        self.stage = stage
        self.execution_id = execution_id
        self.kind = kind
        self.rules = tuple(rules)

    def compose_body(self) -> ComposeResult:
        yield note(_listing("Rules not waited for any more:", self.rules, "(none listed)"))

    def draft(self, choice: str) -> ActionRequest | None:
        return actions.override_condition(
            self.target, self.pipeline, self.stage, self.execution_id, self.kind
        )


class EditProblems(ModalScreen[str]):
    """What is wrong with an edit (local checks, AWS's refusal, a version conflict), where the
    text is kept, and what next: ``e`` edit again, ``k`` keep the file and close, ``x`` discard it.

    Not a mutation: nothing is sent from here. Dismisses with "edit", "keep" or "discard".
    """

    DEFAULT_CSS = """
    EditProblems { align: center middle; }
    EditProblems #problems { width: 100; max-width: 95%; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 0 1; }
    EditProblems #problems-title { text-style: bold; background: $warning 30%; padding: 0 1; }
    EditProblems #problems-body { height: auto; max-height: 70vh; }
    EditProblems #problems-buttons { height: auto; align-horizontal: right; }
    EditProblems #problems-buttons Button { margin-left: 2; }
    EditProblems #problems-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("e", "choose('edit')", "Edit again"),
        Binding("k", "choose('keep')", "Keep the file"),
        Binding("x", "choose('discard')", "Discard"),
        Binding("escape", "choose('keep')", "Close"),
    ]

    def __init__(self, title: str, lines: Sequence[str], path: str) -> None:
        super().__init__()
        self.title_text = title
        self.lines = tuple(lines)
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(id="problems"):
            yield Static(safe_text(self.title_text), id="problems-title", markup=False)
            with VerticalScroll(id="problems-body"):
                body = Text()
                for line in self.lines:
                    body.append(clean(line, max_len=600) + "\n")
                yield Static(body, id="problems-text", markup=False)
            yield Static(
                Text(f"Your text is kept in {self.path}", style="bold"), id="problems-path", markup=False
            )
            with Horizontal(id="problems-buttons"):
                yield Button("Edit again (e)", id="problems-edit", variant="primary")
                yield Button("Keep the file (k)", id="problems-keep")
                yield Button("Discard (x)", id="problems-discard", variant="error")
            yield Static(
                Text("e edit again · k keep the file and close · x discard the edit · esc keep", style="dim"),
                id="problems-keys",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#problems-edit", Button).focus()

    def action_choose(self, what: str) -> None:
        self.dismiss(what)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss((event.button.id or "problems-keep").removeprefix("problems-"))


def refusal_lines(result: ActionResult) -> list[str]:
    """What AWS (or the version check) said, for ``EditProblems``."""
    error = result.error
    if isinstance(error, actions.VersionChanged):
        return [result.message]
    lines = [result.message]
    if error is not None and error.code:
        lines.append(f"({clean(error.code)})")
    return lines


__all__ = [
    "DeleteDialog",
    "EditProblems",
    "OverrideDialog",
    "UpdateDialog",
    "diff_text",
    "refusal_lines",
]

"""The frame every operator dialog shares: what will happen, where, and a confirm that fires once.

A dialog collects the parameters of one mutation (the subclass's body), shows the exact text of the
request it would send (``ActionRequest.with_where``: what, to what, in which account and region), and
dismisses with that request when the operator confirms, or with None on cancel. It never calls AWS:
``tui.operator`` runs the request through ``tui.actions.ActionRunner``.

Safety lives here rather than in each dialog:
- the confirm buttons disable themselves on the first press and the dialog dismisses at once, so a
  second Enter or click cannot produce a second request (the runner would refuse it anyway);
- a protected pipeline (``[pipelines] protected`` globs) keeps them disabled until its name is typed;
- a subclass's ``problem()`` (a missing reason, an invalid value) keeps them disabled and says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, RadioSet, Static

from tui.actions import ActionRequest
from tui.model import Identity
from tui.sanitize import clean, safe_text


@dataclass(frozen=True)
class Choice:
    """One way to confirm: a button that dismisses with ``draft(choice.id)``."""

    id: str
    label: str
    variant: str = "primary"  # Button variant: primary | success | error | warning


class ActionDialog(ModalScreen[ActionRequest | None]):
    """Base of the operator dialogs. Subclasses fill in ``compose_body``, ``draft`` and ``problem``."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog_cancel"),
    ]
    # A single-choice dialog treats Enter in a text field as "confirm"; with two choices (approve /
    # reject) Enter must not pick one for the operator.
    ENTER_CONFIRMS = True
    # Whether Enter on an option list (retry mode, rollback target) confirms or just moves on.
    OPTION_ENTER_CONFIRMS = True

    def __init__(
        self,
        *,
        title: str,
        pipeline: str,
        identity: Identity | None,
        protected: bool = False,
    ) -> None:
        super().__init__(classes="action-dialog")
        self.dialog_title = title
        self.pipeline = pipeline
        self.identity = identity
        self.protected = protected
        self.confirmed = False  # set on the first confirm; nothing can confirm again after it

    # --- for subclasses ----------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        """The dialog's own fields (nothing by default)."""
        yield from ()

    def choices(self) -> tuple[Choice, ...]:
        """The confirm buttons; one by default, labelled after the request."""
        request = self.draft("confirm")
        label = request.title if request else "Confirm"
        destructive = request.destructive if request else False
        return (Choice("confirm", label, "error" if destructive else "primary"),)

    def draft(self, choice: str) -> ActionRequest | None:
        """The request the operator would send with this choice, or None when nothing can be sent."""
        raise NotImplementedError

    def problem(self) -> str | None:
        """Why confirming is not possible yet (shown under the text), or None."""
        return None

    def describe(self) -> str:
        """What will happen, for the operator to read before confirming."""
        choices = self.choices()
        request = self.draft(choices[0].id) if choices else None
        return request.with_where(self.identity) if request else ""

    def on_field(self, event: Message) -> None:
        """A field changed (Input.Changed, OptionList.OptionHighlighted, RadioSet.Changed).

        Subclasses keep their values in attributes here, so ``draft`` works before and after mount.
        """

    def initial_focus(self) -> Widget | None:
        """The widget focused when the dialog opens (the first field by default)."""
        return None

    # --- frame -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(safe_text(self.dialog_title), id="dialog-title", markup=False)
            with VerticalScroll(id="dialog-body"):
                yield from self.compose_body()
            yield Static("", id="dialog-what", markup=False)
            if self.protected and self.choices():
                yield Static(
                    Text.assemble(
                        ("Protected pipeline. ", "bold"),
                        f"Type its name ({clean(self.pipeline)}) to enable the button.",
                    ),
                    id="dialog-protected-label",
                    markup=False,
                )
                yield Input(placeholder=clean(self.pipeline), id="dialog-protected-name")
            yield Static("", id="dialog-problem", markup=False)
            with Horizontal(id="dialog-buttons"):
                for choice in self.choices():
                    yield Button(
                        choice.label,
                        id=f"choice-{choice.id}",
                        variant=choice.variant,  # type: ignore[arg-type]
                        classes="dialog-choice",
                    )
                label = "Cancel" if self.choices() else "Close"
                yield Button(label, id="dialog-cancel-button", variant="default")

    def on_mount(self) -> None:
        self.refresh_state()
        target = self.initial_focus()
        if target is None:
            target = next(iter(self.query("#dialog-protected-name").results(Input)), None)
        if target is None:
            target = self.query_one("#dialog-cancel-button", Button)
        if target is not None:
            target.focus()

    def name_typed(self) -> bool:
        """True when the pipeline is not protected, or its exact name has been typed."""
        if not self.protected:
            return True
        fields = self.query("#dialog-protected-name").results(Input)
        return any(field.value == self.pipeline for field in fields)

    def blocker(self) -> str | None:
        """The first reason the confirm buttons are disabled, or None."""
        problem = self.problem()
        if problem:
            return problem
        if not self.name_typed():
            return f"type {clean(self.pipeline)} exactly to confirm"
        return None

    def refresh_state(self) -> None:
        """Re-evaluate the text, the problem line and which buttons are enabled."""
        if not self.query("#dialog-what"):
            return  # not composed yet
        what = self.describe()
        what_widget = self.query_one("#dialog-what", Static)
        what_widget.update(safe_text(what, single_line=False))
        what_widget.display = bool(what)
        blocker = self.blocker()
        self.query_one("#dialog-problem", Static).update(safe_text(blocker or ""))
        labels = {f"choice-{c.id}": c.label for c in self.choices()}
        for button in self.choice_buttons():
            button.disabled = self.confirmed or blocker is not None
            button.label = labels.get(button.id or "", button.label)

    def choice_buttons(self) -> Iterable[Button]:
        return self.query(".dialog-choice").results(Button)

    def confirm(self, choice: str) -> None:
        """Dismiss with the request for ``choice``: once, and only when nothing blocks it."""
        if self.confirmed:
            return
        blocker = self.blocker()
        request = self.draft(choice) if blocker is None else None
        if request is None:
            self.app.bell()
            self.query_one("#dialog-problem", Static).update(safe_text(blocker or "nothing to send"))
            return
        self.confirmed = True
        for button in self.choice_buttons():
            button.disabled = True
        self.dismiss(request)

    # --- events --------------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if not self.confirmed:
            self.dismiss(None)

    @on(Button.Pressed, ".dialog-choice")
    def _choice_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice = (event.button.id or "").removeprefix("choice-")
        self.confirm(choice)

    @on(Button.Pressed, "#dialog-cancel-button")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    @on(Input.Changed)
    @on(RadioSet.Changed)
    def _field_changed(self, event: Message) -> None:
        self.on_field(event)
        self.refresh_state()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.ENTER_CONFIRMS and len(self.choices()) == 1:
            self.confirm(self.choices()[0].id)
        else:
            self.enter_in_field(event.input)

    def enter_in_field(self, field: Input) -> None:
        """Enter in a text field of a dialog where Enter does not confirm: move on."""
        self.focus_next()

    @on(OptionList.OptionHighlighted)
    def _option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.on_field(event)
        self.refresh_state()

    @on(OptionList.OptionSelected)
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        choices = self.choices()
        if self.OPTION_ENTER_CONFIRMS and len(choices) == 1 and self.blocker() is None:
            self.confirm(choices[0].id)
        else:
            # Something else is still needed (a reason, the protected name): go there.
            self.focus_next()

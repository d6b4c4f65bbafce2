"""The frame every operator dialog shares: what will happen, where, and a confirm that fires once.

A dialog collects the parameters of one mutation (the subclass's body), shows the exact text of the
request it would send (``ActionRequest.with_where``: what, to what, in which account and region), and
sends it when the operator confirms. It never calls AWS itself: ``tui.ui.operations`` gives it a
``sender`` that runs the request through ``tui.core.actions.ActionRunner``. Without a sender (a dialog on
its own) it dismisses with the request instead.

One rule for every mutating dialog, enforced here rather than in each dialog ("nothing mutates on a
reflex"):
- the confirm buttons are never focused when the dialog opens (a subclass asking for it gets the
  first field, else Cancel);
- Enter in a text field or an option list never confirms: it moves on to the next field, and on the
  last one it says how to confirm;
- confirming takes a press of a confirm button (click, or Tab to it and Enter/space), or the
  dialog's own confirm key shown on the button (``ConfirmDialog``: ``y``);
- the buttons disable themselves on the first press, so a second Enter or click cannot produce a
  second request (the runner would refuse it anyway);
- a protected pipeline keeps them disabled until its name is typed, and a subclass's ``problem()``
  (a missing reason, an invalid value) keeps them disabled and says why;
- on a definite failure (access denied, a validation error, a stale approval, a refusal) the dialog
  stays open with the failure shown and everything typed kept; only success or "outcome unknown"
  (the next poll shows the truth) closes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, RadioSet, Static

from tui.core.actions import ActionRequest, ActionResult, Outcome
from tui.core.model import Identity
from tui.core.sanitize import clean, safe_text
from tui.ui.keys import bind

# Runs a confirmed request (``tui.ui.operations``): sends it once, notifies, refreshes; never raises.
Sender = Callable[[ActionRequest], Awaitable[ActionResult]]
# Outcomes that close the dialog: done, or sent with no answer (the next poll shows the truth).
CLOSING_OUTCOMES = frozenset({Outcome.SUCCEEDED, Outcome.UNKNOWN})
# The widgets a dialog's Enter moves between (never onto a button).
FIELD_TYPES: tuple[type[Widget], ...] = (Input, OptionList, RadioSet)


@dataclass(frozen=True)
class Choice:
    """One way to confirm: a button that sends ``draft(choice.id)``."""

    id: str
    label: str
    variant: str = "primary"  # Button variant: primary | success | error | warning


class ActionDialog(ModalScreen[ActionRequest | None]):
    """Base of the operator dialogs. Subclasses fill in ``compose_body``, ``draft`` and ``problem``."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        bind("dialog_cancel", "cancel", "Cancel"),
    ]
    # The dialog's own confirm key (``ConfirmDialog``: "y"), shown on its button; None: buttons only.
    CONFIRM_KEY: str | None = None

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
        self.confirmed = False  # set on a confirm; cleared again only by a definite failure
        self.sender: Sender | None = None  # set by tui.ui.operations; None: dismiss with the request
        self.explain: Callable[[ActionResult], str] = lambda result: result.message
        self.result: ActionResult | None = None  # the last result of sending (with a sender)
        self.failure: str | None = None  # the last definite failure, shown until the next try
        self.sending_failed = False  # the sender broke: nothing can be sent again, Esc closes

    # --- for subclasses ----------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        """The dialog's own fields (nothing by default)."""
        yield from ()

    # False: the subclass places the protected-name field itself (in ``compose_pinned``).
    PROTECTED_NAME_IN_BODY = True

    def compose_pinned(self) -> ComposeResult:
        """Fields kept below the scrolling body, always in view (the one the opening focus is in,
        when the body is long: a focused field nobody can see would take keys unseen)."""
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
        """The field focused when the dialog opens (None: the protected name, else Cancel).

        Never a confirm button: the frame replaces one with the default.
        """
        return None

    # --- frame -------------------------------------------------------------------------------

    def button_label(self, choice: Choice) -> str:
        """The label of a confirm button, with the dialog's confirm key when it has one."""
        return f"{choice.label} ({self.CONFIRM_KEY})" if self.CONFIRM_KEY else choice.label

    def keys_hint(self) -> Text:
        """The dialog's own keys, shown at its foot (the screen below has other keys)."""
        parts: list[str] = []
        if self.choices():
            if self.CONFIRM_KEY:
                parts.append(f"{self.CONFIRM_KEY} confirm")
            parts.append("tab to a button, enter presses it")
            parts.append("enter: next field")
        parts.append("esc cancel" if self.choices() else "esc close")
        return Text(" · ".join(parts), style="dim")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(safe_text(self.dialog_title), id="dialog-title", markup=False)
            # Everything but the outcome lines, the buttons and the keys scrolls, so the buttons
            # stay on screen down to 80x24 (a focused field scrolls itself into view).
            with VerticalScroll(id="dialog-body"):
                yield from self.compose_body()
                yield Static("", id="dialog-what", markup=False)
                if self.protected and self.choices() and self.PROTECTED_NAME_IN_BODY:
                    yield Static(
                        Text.assemble(
                            ("Protected pipeline. ", "bold"),
                            f"Type its name ({clean(self.pipeline)}) to enable the button.",
                        ),
                        id="dialog-protected-label",
                        markup=False,
                    )
                    yield Input(placeholder=clean(self.pipeline), id="dialog-protected-name")
            yield from self.compose_pinned()
            yield Static("", id="dialog-failure", markup=False)
            yield Static("", id="dialog-problem", markup=False)
            with Horizontal(id="dialog-buttons"):
                for choice in self.choices():
                    yield Button(
                        self.button_label(choice),
                        id=f"choice-{choice.id}",
                        variant=choice.variant,  # type: ignore[arg-type]
                        classes="dialog-choice",
                    )
                label = "Cancel" if self.choices() else "Close"
                yield Button(label, id="dialog-cancel-button", variant="default")
            yield Static(self.keys_hint(), id="dialog-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#dialog-failure", Static).display = False
        self.refresh_state()
        self.opening_focus().focus()

    def opening_focus(self) -> Widget:
        """Where the focus starts: the subclass's field, else the protected name, else Cancel."""
        target = self.initial_focus()
        if target is not None and not self._is_field(target):
            target = None  # never a confirm button (nor anything else a key could press)
        if target is None:
            target = next(iter(self.query("#dialog-protected-name").results(Input)), None)
        if target is None:
            target = self.query_one("#dialog-cancel-button", Button)
        return target

    @staticmethod
    def _is_field(widget: Widget) -> bool:
        return isinstance(widget, FIELD_TYPES)

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
            return f"protected pipeline: type {clean(self.pipeline)} exactly in its field to confirm"
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
        labels = {f"choice-{c.id}": self.button_label(c) for c in self.choices()}
        for button in self.choice_buttons():
            button.disabled = self.confirmed or blocker is not None
            button.label = labels.get(button.id or "", button.label)

    def choice_buttons(self) -> Iterable[Button]:
        return self.query(".dialog-choice").results(Button)

    def confirm(self, choice: str) -> None:
        """Send the request for ``choice``: once, and only when nothing blocks it."""
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
        if self.sender is None:
            self.dismiss(request)
            return
        self.query_one("#dialog-problem", Static).update(
            Text(f"Sending {request.title}… waiting for the answer")
        )
        self.run_worker(self._send(request, self.sender), group="dialog-send", exit_on_error=False)

    async def _send(self, request: ActionRequest, sender: Sender) -> None:
        try:
            result = await sender(request)
        except Exception as error:  # not an AWS answer (those are results): say so, allow Esc only
            self.show_failure(f"outcome unknown ({clean(str(error), max_len=200)}); Esc closes")
            self.sending_failed = True
            return
        self.result = result
        if result.outcome in CLOSING_OUTCOMES:
            self.dismiss(request)
            return
        # A definite failure: nothing changed at AWS. Stay, say why, keep what was typed.
        self.show_failure(self.explain(result))
        self.confirmed = False
        self.refresh_state()

    def show_failure(self, text: str) -> None:
        failure = self.query_one("#dialog-failure", Static)
        self.failure = text
        failure.update(Text.assemble(("Not done: ", "bold"), text))
        failure.display = True

    # --- events --------------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self.confirmed and not self.sending_failed:
            self.app.bell()  # the request is on its way: its answer closes or reopens the dialog
            return
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
        self.enter_in_field(event.input)

    @on(OptionList.OptionHighlighted)
    def _option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.on_field(event)
        self.refresh_state()

    @on(OptionList.OptionSelected)
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.enter_in_field(event.option_list)

    def fields(self) -> list[Widget]:
        """The dialog's fields in focus order (no buttons)."""
        return [w for w in self.focus_chain if self._is_field(w)]

    def enter_in_field(self, field: Widget) -> None:
        """Enter in a field never confirms: on to the next field; on the last, say how to confirm."""
        fields = self.fields()
        if field in fields and fields.index(field) + 1 < len(fields):
            fields[fields.index(field) + 1].focus()
            return
        self.app.bell()
        choices = self.choices()
        if not choices:
            return
        names = " or ".join(c.label for c in choices)
        key = f", or press {self.CONFIRM_KEY}" if self.CONFIRM_KEY else ""
        how = f"to send: Tab to {names} and press Enter, or click it{key}"
        self.query_one("#dialog-problem", Static).update(Text(self.blocker() or how))

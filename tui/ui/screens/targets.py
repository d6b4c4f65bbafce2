"""The target picker (`P`): show every target or one, or add a profile in a region, without a restart.

Lists "All targets", each target (coloured per account, with its account id, alias and whether its
data is stale) and the profiles found in the AWS config files. Choosing a target changes the view;
choosing a profile asks for a region (its configured region prefilled) and adds the target: a new
service, polled from then on under its own rate budget. The picker acts through ``app.targets_view``.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.fmt import STATUS_COLORS
from tui.core.sanitize import clean
from tui.core.targets import PickerEntry, PickKind
from tui.ui.host import Host, host_of
from tui.ui.widgets.header import freshness_text
from tui.ui.widgets.option_list import KeyedOptionList


def entry_text(app: Host, entry: PickerEntry) -> Text:
    """One line of the picker: marker, label (in the account's colour), then where it is (region,
    account and alias, profile), who you are there (the caller ARN) and how fresh its data is."""
    text = Text("▶ " if entry.current else "  ", style="bold")
    if entry.kind is not PickKind.TARGET or entry.target is None:
        text.append(entry.label, style="bold" if entry.kind is PickKind.ALL else "")
        return text
    target = entry.target
    text.append(entry.label, style=f"bold {target.color}" if target.color else "bold")
    identity = app.store.identity(target)
    details = [clean(target.region)]
    if identity is not None:
        alias = app.targets_view.alias(target)
        details.append(clean(identity.account) + (f" ({clean(alias)})" if alias else ""))
    else:
        details.append("account not known yet")
    if target.profile:
        details.append(f"profile {clean(target.profile)}")
    text.append("  " + " · ".join(details), style=STATUS_COLORS["muted"])
    # Second line: how fresh its data is (or why it is stale), then who you are there.
    text.append("\n    ")
    text.append_text(freshness_text(app.store.freshness(target), app.now()))
    if identity is not None:
        text.append(f"  {clean(identity.arn)}", style=STATUS_COLORS["muted"])
    return text


class TargetPicker(ModalScreen[None]):
    """Switch the view to all targets or one, or add a profile x region as a new target."""

    CSS_PATH = "targets.tcss"
    BINDINGS = [Binding("escape", "cancel", "Close")]

    def __init__(self, *, add_profile: str | None = None) -> None:
        super().__init__(classes="target-picker")
        self._entries: list[PickerEntry] = []
        self._adding: str | None = None  # the profile whose region is being asked
        self._add_first = add_profile

    @property
    def host(self) -> Host:
        return host_of(self.app)

    @property
    def options(self) -> OptionList:
        return self.query_one("#picker-list", OptionList)

    @property
    def region_input(self) -> Input:
        return self.query_one("#picker-region", Input)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(Text("Targets", style="bold"), id="picker-title")
            yield KeyedOptionList(id="picker-list")
            yield Static("", id="picker-prompt", markup=False)
            yield Input(placeholder="region, e.g. us-east-1", id="picker-region")
            yield Static("", id="picker-problem", markup=False)
            yield Static(
                Text("enter shows or adds · esc closes", style=STATUS_COLORS["muted"]),
                id="picker-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self._fill()
        self.region_input.display = False
        self.query_one("#picker-problem", Static).display = False
        self.query_one("#picker-prompt", Static).display = False
        if self._add_first is not None:
            self.ask_region(self._add_first)
        else:
            self.options.focus()

    def _fill(self) -> None:
        self._entries = self.host.targets_view.entries()
        options = self.options
        options.clear_options()
        options.add_options(Option(entry_text(self.host, e), id=str(i)) for i, e in enumerate(self._entries))
        current = next((i for i, e in enumerate(self._entries) if e.current), 0)
        options.highlighted = current

    @property
    def entries(self) -> list[PickerEntry]:
        return list(self._entries)

    # --- choosing ------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self._entries):
            self.choose(self._entries[event.option_index])

    def choose(self, entry: PickerEntry) -> None:
        """Act on an entry: show all, show one target, or ask the region for a profile."""
        targets_view = self.host.targets_view
        if entry.kind is PickKind.ALL:
            targets_view.set_view(None)
            self.dismiss(None)
        elif entry.kind is PickKind.TARGET and entry.target is not None:
            targets_view.set_view(entry.target)
            self.dismiss(None)
        else:
            self.ask_region(entry.profile)

    def ask_region(self, profile: str | None) -> None:
        """Show the region prompt for adding ``profile`` (its configured region prefilled)."""
        self._adding = profile
        prompt = self.query_one("#picker-prompt", Static)
        prompt.update(Text(f"Add profile {clean(profile or 'default')} in region:"))
        prompt.display = True
        box = self.region_input
        box.value = self.host.targets_view.default_region(profile)
        box.display = True
        box.focus()

    @on(Input.Submitted, "#picker-region")
    def _region_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.add(event.value)

    def add(self, region: str) -> bool:
        """Add the profile being asked about in ``region``; False (and why, on screen) if it cannot be."""
        problem = self.query_one("#picker-problem", Static)
        try:
            target = self.host.targets_view.add_target(self._adding, region)
        except ValueError as exc:
            problem.update(Text(clean(str(exc)), style=STATUS_COLORS["warning"]))
            problem.display = True
            return False
        self.dismiss(None)
        key = self.host.config.first_key("profiles")
        self.app.notify(f"Added {clean(target.label)}; showing it now ({key} shows all).", markup=False)
        return True

    def action_cancel(self) -> None:
        if self.region_input.display and self._add_first is None:
            # Back from the region prompt to the list.
            self._adding = None
            self.region_input.display = False
            self.query_one("#picker-prompt", Static).display = False
            self.query_one("#picker-problem", Static).display = False
            self.options.focus()
            return
        self.dismiss(None)

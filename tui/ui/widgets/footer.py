"""The footer: the keys of what is on screen that fit the width, most useful first, then `? Help`.

Textual's own footer lays every binding out in a row and lets the terminal cut the row (`X Sto▏` at
120 columns; at 80 only the first key or two). ``KeyFooter`` instead picks the keys in the screen's
priority order (``FOOTER_PRIORITY`` on the screen, else ``SCREEN_PRIORITY`` here by class name; keys
not listed follow in their binding order), keeps each one whole that fits, and always ends with the
help key: `? Help` when every key is shown, `? more` when some did not fit (help lists them all).

A modal screen (a dialog, the picker, help) gets its own ``KeyFooter`` (``install`` mounts it when
the screen becomes active), so a dialog shows its own keys over the screen's below; a modal's
active bindings are its own (Textual stops the binding chain at the modal).

``footer_items`` is a pure function of the active bindings and a width, testable without a screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import ActiveBinding
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

HELP_ACTION = "help"
PALETTE_ACTION = "command_palette"
# Most useful first, per screen class. Keys not listed come after, in their binding order; the
# palette (`^p`) comes last of all. Listed by action name (the binding's action).
SCREEN_PRIORITY: dict[str, tuple[str, ...]] = {
    "PipelinesScreen": ("logs", "filter", "approvals", "group", "refresh", "quit"),
    "PipelineScreen": (
        "approve",
        "retry",
        "logs",
        "history",
        "back",
        "stop",
        "start",
        "rollback",
        "transition",
        "copy",
        "link",
        "refresh",
        "approvals",
        "quit",
    ),
    "HistoryScreen": ("open", "back", "copy", "link", "refresh", "approvals", "quit"),
    "ExecutionScreen": ("logs", "back", "copy", "link", "refresh", "approvals", "quit"),
    "LogScreen": (
        "jump_error",
        "search",
        "follow",
        "back",
        "copy",
        "link",
        "next_match",
        "previous_match",
        "toggle_timestamps",
        "toggle_wrap",
        "save",
        "quit",
    ),
    "ApprovalsScreen": ("approve", "back", "refresh", "quit"),
    "WatchListScreen": ("open", "dismiss_row", "dismiss_finished", "back", "quit"),
}
GAP = 1  # cells between two keys


@dataclass(frozen=True)
class FooterItem:
    key: str  # the key to simulate on a click
    key_display: str
    description: str
    enabled: bool = True

    @property
    def width(self) -> int:
        return Text(f" {self.key_display} {self.description} ").cell_len


def _action_name(action: str) -> str:
    """'app.quit' -> 'quit'; "pick('copy')" -> 'pick'."""
    return action.rsplit(".", 1)[-1].split("(", 1)[0]


def candidate_items(
    app: App[Any], active: Mapping[str, ActiveBinding], priority: Sequence[str], *, modal: bool = False
) -> tuple[list[FooterItem], FooterItem | None]:
    """The keys to offer, most useful first (one per action), and the help key (None in a modal)."""
    by_action: dict[str, FooterItem] = {}  # by the binding's whole action ("pick('copy')")
    help_item: FooterItem | None = None
    palette: FooterItem | None = None
    for active_binding in active.values():
        binding = active_binding.binding
        action = _action_name(binding.action)
        item = FooterItem(
            binding.key, app.get_key_display(binding), binding.description, active_binding.enabled
        )
        if action == HELP_ACTION:
            help_item = help_item or item
        elif action == PALETTE_ACTION:
            palette = palette or item
        elif binding.show and binding.description and binding.action not in by_action:
            by_action[binding.action] = item
    rank = {name: index for index, name in enumerate(priority)}
    found = list(by_action)
    order = sorted(found, key=lambda a: (rank.get(_action_name(a), len(rank)), found.index(a)))
    items = [by_action[a] for a in order]
    if palette is not None and not modal:
        items.append(FooterItem(palette.key, palette.key_display, "Commands", palette.enabled))
    return items, None if modal else help_item


def footer_items(items: Iterable[FooterItem], help_item: FooterItem | None, width: int) -> list[FooterItem]:
    """What the footer shows within ``width`` cells: each key in order that still fits whole, then
    the help key, `Help` when nothing was left out, `more` when something was."""
    items = list(items)
    room = width
    if help_item is not None:
        room -= FooterItem(help_item.key, help_item.key_display, "Help").width + GAP  # 'more': as wide
    shown: list[FooterItem] = []
    used = 0
    for item in items:
        need = item.width + (GAP if shown else 0)
        if used + need <= room:
            shown.append(item)
            used += need
    if help_item is not None:
        left_out = len(shown) < len(items)
        shown.append(FooterItem(help_item.key, help_item.key_display, "more" if left_out else "Help"))
    return shown


class KeyFooter(Widget, can_focus=False):
    """One line of keys for the screen it is on; redraws when the screen's bindings change."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description", "footer-key--disabled"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $footer-background;
        color: $footer-foreground;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer-key--disabled {
            text-style: dim;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: list[FooterItem] = []
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each key on the line

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.refresh()

    @property
    def shown(self) -> list[FooterItem]:
        """The keys drawn at the last render."""
        return list(self._shown)

    def items(self, width: int) -> list[FooterItem]:
        screen = self.screen
        priority = getattr(screen, "FOOTER_PRIORITY", None) or SCREEN_PRIORITY.get(type(screen).__name__, ())
        candidates, help_item = candidate_items(
            self.app, screen.active_bindings, priority, modal=isinstance(screen, ModalScreen)
        )
        return footer_items(candidates, help_item, width)

    def render(self) -> Text:
        width = self.size.width
        shown = self.items(width)
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        dim = self.get_component_rich_style("footer-key--disabled")
        text = Text(no_wrap=True, overflow="crop")
        spans: list[tuple[int, int, str]] = []
        for index, item in enumerate(shown):
            if index:
                text.append(" " * GAP)
            start = text.cell_len
            extra = dim if not item.enabled else None
            text.append(f" {item.key_display} ", style=key_style + extra if extra else key_style)
            text.append(
                f"{item.description} ", style=description_style + extra if extra else description_style
            )
            spans.append((start, text.cell_len, item.key))
        self._shown, self._spans = shown, spans
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return


# Modal screens that are a message rather than a place with keys.
_NO_FOOTER = frozenset({"TooSmallScreen"})


def install(app: App[Any]) -> None:
    """Give every modal screen its own footer when it becomes active (dialogs, picker, help)."""

    def on_screen(screen: Screen[Any]) -> None:
        if not isinstance(screen, ModalScreen) or type(screen).__name__ in _NO_FOOTER:
            return

        def mount() -> None:
            if screen.is_attached and not screen.query(KeyFooter):
                screen.mount(KeyFooter())

        screen.call_after_refresh(mount)

    app.screen_change_signal.subscribe(app, on_screen)

"""The command palette (ctrl+p): "go to pipeline …" for every pipeline, "target: …" to switch or add
an account and region, and the current screen's actions.

Screen actions come from the screen's active bindings, titled ``"<screen>: <what it does>"`` (e.g.
``"pipeline: retry failed stage"``), so every key on a screen is also reachable by name.

Names are data: a pipeline called ``prod [EU]`` or ``[/]`` is shown as typed. Textual's palette parses
a ``str`` prompt and its help as markup, so prompts are handed over as ``Content`` (never parsed)
with the fuzzy match highlighted here, and help text is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from tui.core.sanitize import clean, escape_markup
from tui.ui.host import host_of

if TYPE_CHECKING:
    from textual.screen import Screen


def safe_content(value: object, *, max_len: int | None = None, single_line: bool = True) -> Content:
    """Data as Textual ``Content``: cleaned, never parsed as markup."""
    return Content(clean(value, max_len=max_len, single_line=single_line))


# Actions the palette itself or the App's chrome already offer.
_SKIP_ACTIONS = frozenset({"command_palette", "app.command_palette", "quit", "app.quit", "help_quit"})


def screen_prefix(screen: Screen[Any]) -> str:
    """``PipelineScreen`` -> ``pipeline``: how the palette names a screen's commands."""
    name = type(screen).__name__
    return (name.removesuffix("Screen") or name).lower()


def screen_commands(screen: Screen[Any]) -> Iterator[tuple[str, Callable[[], Any], str]]:
    """(title, callback, help) for each enabled binding of ``screen`` that has a description."""
    app = screen.app
    prefix = screen_prefix(screen)
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or binding.system or not binding.description:
            continue
        if binding.action in _SKIP_ACTIONS:
            continue
        where = "global" if active.node is app else prefix
        title = f"{where}: {binding.description.lower()}"
        if title in seen:
            continue
        seen.add(title)
        help_text = f"key: {app.get_key_display(binding) or key}"
        yield title, partial(app.run_action, binding.action, active.node), help_text


def target_commands(app: App[Any]) -> list[tuple[str, Callable[[], Any], str]]:
    """Palette entries to show all targets or one, and to add each known profile in a region."""
    from tui.core.targets import PickKind

    targets_view = host_of(app).targets_view
    commands: list[tuple[str, Callable[[], Any], str]] = []
    for entry in targets_view.entries():
        if entry.kind is PickKind.ALL:
            show_all = partial(targets_view.set_view, None)
            commands.append(("target: show all targets", show_all, "every account and region"))
        elif entry.kind is PickKind.TARGET and entry.target is not None:
            show_one = partial(targets_view.set_view, entry.target)
            title = f"target: switch to {clean(entry.label)}"
            commands.append((title, show_one, "only this account and region"))
        else:
            title = f"target: add profile {clean(entry.profile or 'default')} …"
            commands.append(
                (title, partial(_add_profile, app, entry.profile), "in a region, without a restart")
            )
    return commands


def _add_profile(app: App[Any], profile: str | None) -> None:
    from tui.ui.screens.targets import TargetPicker

    app.push_screen(TargetPicker(add_profile=profile))


class CptuiCommands(Provider):
    """Pipelines to jump to and the current screen's actions."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        host = host_of(self.app)
        commands = list(screen_commands(self.screen))
        several = len(host.targets) > 1
        commands += target_commands(self.app)
        for row in host.store.rows():
            where = f" ({clean(row.target.label)})" if several else ""
            title = f"go to pipeline {clean(row.name)}{where}"
            commands.append((title, partial(host.open_pipeline, row.target, row.name), "open its stages"))
        return commands

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(safe_content(title), callback, text=title, help=escape_markup(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                shown = highlight(matcher, title)
                yield Hit(score, shown, callback, text=title, help=escape_markup(help_text))


def highlight(matcher: Matcher, title: str) -> Content:
    """``title`` with the matched letters styled, like ``Matcher.highlight`` but never parsed as
    markup (Textual's own parses the candidate, and a ``[/]`` in a name crashed the palette)."""
    content = safe_content(title)
    if content.plain != title:
        return content  # (titles are cleaned already; a mismatch would shift the offsets)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content

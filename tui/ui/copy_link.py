"""`y` (copy what?) and `b` (which console link?) on the pipeline, history and execution screens:
what is offered, and what a pick does (copy to the clipboard, open in the browser, or over SSH show
the link to click or copy)."""

from __future__ import annotations

from typing import Any

from textual.app import App

from tui.core import console_links
from tui.core.model import Target
from tui.core.sanitize import clean
from tui.ui import clipboard
from tui.ui.host import Host
from tui.ui.screens.chooser import Picked, ValueChooser
from tui.ui.screens.link import LinkScreen, over_ssh
from tui.ui.send import tell


def copy_items(
    host: Host,
    target: Target,
    pipeline: str,
    execution_id: str | None = None,
    extra: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """What `y` offers for a pipeline (and an execution): ARN, ids, console links."""
    identity = host.store.identity(target)
    definition = host.store.definition(target, pipeline)
    arn = (definition.arn if definition else "") or console_links.pipeline_arn(
        target.region, identity.account if identity else None, pipeline
    )
    items: list[tuple[str, str]] = [("Pipeline name", pipeline)]
    if arn:
        items.append(("Pipeline ARN", arn))
    if execution_id:
        items.append(("Execution id", execution_id))
        items.append(
            ("Execution console URL", console_links.execution_url(target.region, pipeline, execution_id))
        )
    items.append(("Pipeline console URL", console_links.pipeline_url(target.region, pipeline)))
    items.extend((extra or {}).items())
    return items


def link_items(target: Target, pipeline: str, execution_id: str | None = None) -> list[tuple[str, str]]:
    """What `b` shows: the console pages of the pipeline and of the execution."""
    items = [("Pipeline", console_links.pipeline_url(target.region, pipeline))]
    if execution_id:
        items.insert(
            0, ("Execution timeline", console_links.execution_url(target.region, pipeline, execution_id))
        )
    return items


def _use(app: App[Any], picked: Picked | None) -> None:
    if picked is None:
        return
    if picked.verb == "open":
        if over_ssh():
            # No browser on this machine: show the link to click (OSC 8) or copy (OSC 52).
            app.push_screen(LinkScreen(picked.label, picked.value))
            return
        app.open_url(picked.value)
        # No URL in the toast: its gutter glyph would end up inside a copied URL; `b` then `y` copies it.
        tell(app, f"Opening the {clean(picked.label, max_len=80).lower()} link in your browser.")
        return
    via = clipboard.copy(app, picked.value)
    tell(app, f"Copied {picked.label.lower()} to the {via}: {clean(picked.value, max_len=120)}")


def open_copy(app: App[Any], items: list[tuple[str, str]]) -> None:
    """`y`: choose what to copy (a single item is copied at once)."""
    if len(items) == 1:
        label, value = items[0]
        _use(app, Picked(label, value, "copy"))
        return
    app.push_screen(ValueChooser("Copy", items), lambda picked: _use(app, picked))


def open_link(app: App[Any], items: list[tuple[str, str]]) -> None:
    """`b`: show the console deep links; enter opens one, ``y`` copies it."""
    app.push_screen(
        ValueChooser("AWS console links", items, default="open"), lambda picked: _use(app, picked)
    )

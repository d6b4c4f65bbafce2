"""Preferences the operator changes in the app, written back to the config file.

A favourite toggled on the list (``*``), the theme chosen in the command palette, and the log view's
wrap and timestamps toggles become the config's ``favourites``, ``theme``, ``wrap`` and
``timestamps`` (``tui.core.config.save_preferences``: the file on disk is the base, rewritten with
tomli_w). The running app takes the change at once. A config without a file location (tests, the
demo, which must not touch the user's file) keeps the change for the session only. A file cptui
cannot read, or cannot write, is left alone and the notice says why: the app keeps running.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from tui.app.context import Telling
from tui.app.keymap import check_keymap
from tui.core.config import Config, ConfigError, save_preferences
from tui.core.sanitize import clean


class PrefsHost(Telling, Protocol):
    """What saving preferences needs: the config (replaced when a preference changes) and the rows
    to derive again (a favourite moves a row)."""

    config: Config

    def refresh_rows(self) -> None: ...


def save(app: PrefsHost, **changes: Any) -> bool:
    """Write ``changes`` to the config file; True when written. (The in-memory config is the
    caller's to update: the file may hold more than this run was started with.)"""
    path = app.config.path
    if path is None:
        return False
    try:
        save_preferences(app.config, path, check_keymap=check_keymap, **changes)
    except (ConfigError, OSError) as exc:
        app.notify(f"Preference not saved: {clean(str(exc))}", severity="warning", markup=False)
        return False
    return True


def toggle_favourite(app: PrefsHost, name: str) -> None:
    """Pin a pipeline on top of the list (in every target), or unpin it."""
    pipelines = app.config.pipelines
    shown = clean(name)
    pattern = pipelines.favourite_pattern(name)
    if name in pipelines.favourites:
        favourites = tuple(p for p in pipelines.favourites if p != name)
    elif pattern is not None:
        app.notify(
            f"{shown} is a favourite by the pattern {clean(pattern)!r} in the config: edit it there.",
            markup=False,
        )
        return
    else:
        favourites = (*pipelines.favourites, name)
    app.config = replace(app.config, pipelines=replace(pipelines, favourites=favourites))
    app.refresh_rows()
    saved = save(app, favourites=list(favourites))
    where = f" (saved to {app.config.path})" if saved else ""
    if name in favourites:
        app.notify(f"★ {shown} is pinned on top{where}.", markup=False)
    else:
        app.notify(f"{shown} is no longer a favourite{where}.", markup=False)


def theme_changed(app: PrefsHost, theme: str) -> None:
    """The command palette's theme picker: remember the choice."""
    if theme == app.config.general.theme:
        return
    app.config = replace(app.config, general=replace(app.config.general, theme=theme))
    save(app, theme=theme)


def log_view_changed(app: PrefsHost, *, wrap: bool, timestamps: bool) -> None:
    """The log view's ``wrap`` / ``timestamps`` toggles: the next log opens the same way."""
    logs = app.config.logs
    if (logs.wrap, logs.timestamps) == (wrap, timestamps):
        return
    app.config = replace(app.config, logs=replace(logs, wrap=wrap, timestamps=timestamps))
    save(app, wrap=wrap, timestamps=timestamps)

"""Preferences the operator changes in the app, written back to the config file.

A favourite toggled on the list (``*``), the theme chosen in the command palette, and the log view's
wrap and timestamps toggles become the config's ``favourites``, ``theme``, ``wrap`` and
``timestamps`` (``tui.core.config_save.save_preferences``: the file on disk is the base, rewritten with
tomli_w). The running app takes the change at once (the session's config is replaced). A config
without a file location (tests, the demo, which must not touch the user's file) keeps the change for
the session only. A file cptui
cannot read, or cannot write, is left alone and the notice says why: the app keeps running.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tui.app.context import Telling
from tui.app.keymap import check_keymap
from tui.core.config import ConfigError
from tui.core.config_save import save_preferences
from tui.core.sanitize import clean
from tui.core.session import Session


class Preferences:
    """Created by ``CptuiApp``: the session (its config is replaced when a preference changes), the
    notices, and ``rederive`` (the rows derived again: a favourite moves a row)."""

    def __init__(self, session: Session, notices: Telling, rederive: Callable[[], None]) -> None:
        self.session = session
        self.notices = notices
        self.rederive = rederive

    def save(self, **changes: Any) -> bool:
        """Write ``changes`` to the config file; True when written. (The in-memory config is the
        caller's to update: the file may hold more than this run was started with.)"""
        config = self.session.config
        if config.path is None:
            return False
        try:
            save_preferences(config, config.path, check_keymap=check_keymap, **changes)
        except (ConfigError, OSError) as exc:
            self.notices.notify(f"Preference not saved: {clean(str(exc))}", severity="warning", markup=False)
            return False
        return True

    def toggle_favourite(self, name: str) -> None:
        """Pin a pipeline on top of the list (in every target), or unpin it."""
        session = self.session
        pipelines = session.config.pipelines
        shown = clean(name)
        pattern = pipelines.favourite_pattern(name)
        if name in pipelines.favourites:
            favourites = tuple(p for p in pipelines.favourites if p != name)
        elif pattern is not None:
            self.notices.notify(
                f"{shown} is a favourite by the pattern {clean(pattern)!r} in the config: edit it there.",
                markup=False,
            )
            return
        else:
            favourites = (*pipelines.favourites, name)
        session.config = replace(session.config, pipelines=replace(pipelines, favourites=favourites))
        self.rederive()
        saved = self.save(favourites=list(favourites))
        where = f" (saved to {session.config.path})" if saved else ""
        if name in favourites:
            self.notices.notify(f"★ {shown} is pinned on top{where}.", markup=False)
        else:
            self.notices.notify(f"{shown} is no longer a favourite{where}.", markup=False)

    def theme_changed(self, theme: str) -> None:
        """The command palette's theme picker: remember the choice."""
        config = self.session.config
        if theme == config.general.theme:
            return
        self.session.config = replace(config, general=replace(config.general, theme=theme))
        self.save(theme=theme)

    def log_view_changed(self, *, wrap: bool, timestamps: bool) -> None:
        """The log view's ``wrap`` / ``timestamps`` toggles: the next log opens the same way."""
        config = self.session.config
        logs = config.logs
        if (logs.wrap, logs.timestamps) == (wrap, timestamps):
            return
        self.session.config = replace(config, logs=replace(logs, wrap=wrap, timestamps=timestamps))
        self.save(wrap=wrap, timestamps=timestamps)

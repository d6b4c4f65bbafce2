"""Bindings made from the key catalog (``tui.core.keys``): a screen says which binding id, action
and words; the key and how it is shown come from the catalog, so a default changes in one place and
``[keys]`` can remap every binding that has an id."""

from __future__ import annotations

from textual.binding import Binding

from tui.core.keys import CATALOG


def bind(
    binding_id: str, action: str, description: str, *, show: bool = True, priority: bool = False
) -> Binding:
    """The ``Binding`` of catalog entry ``binding_id`` for ``action`` (KeyError: not in the catalog)."""
    key = CATALOG[binding_id]
    return Binding(
        key.keys,
        action,
        description,
        show=show,
        key_display=key.display,
        priority=priority,
        id=binding_id,
    )

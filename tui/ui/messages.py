"""Messages between the app's parts.

``StoreChange`` is what ``app.store_changed`` publishes; it lives in ``tui.core.store`` (plain Python, so
the store never imports Textual) and is re-exported here, where screens look for messages.
"""

from __future__ import annotations

from textual.message import Message

from tui.core.model import Target
from tui.core.store import Freshness, StoreChange

__all__ = ["Freshness", "OpenPipeline", "StoreChange"]


class OpenPipeline(Message):
    """Someone (a row, the command palette) asked to open a pipeline's screen."""

    def __init__(self, target: Target, name: str) -> None:
        super().__init__()
        self.target = target
        self.name = name

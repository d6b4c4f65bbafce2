"""QuietScrollView: a ScrollView that draws its vertical scrollbar only when the thumb moves.

A log that is tailed grows by a batch every frame. Setting ``virtual_size`` on a ScrollView costs a layout
pass (a full-screen compositor update) and every scroll repaints the scrollbar, although the thumb of a
long log, followed at the bottom, stays where it is. This base class skips both while the vertical
scrollbar is always shown (``overflow-y: scroll``) and the thumb, worked out in eighths of a cell as
Textual draws it, would be drawn where it already is. ``LogView`` is built on it.
"""

from __future__ import annotations

from math import ceil

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.timer import Timer

BAR_REDRAW_DELAY = 0.25  # while paused, the scrollbar catches up with lines arriving below this often


class QuietScrollView(ScrollView):
    """A ScrollView whose content size changes and scrolls repaint the scrollbar only when its thumb moves."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._bar_thumb: tuple[int, ...] = ()  # the vertical scrollbar's thumb as last drawn
        self._bar_redraw: Timer | None = None
        self._auto_scroll = False  # set while *we* scroll (not the user)

    def _set_virtual_size(self, size: Size, *, following: bool) -> None:
        """Set the content's size; ``following``: the view is kept at the bottom as content grows."""
        old = self.virtual_size
        if size == old:
            return
        room = self.scrollable_content_region.width
        if not (
            self.show_vertical_scrollbar
            and self.styles.overflow_y == "scroll"
            and (size.width > room) == (old.width > room)
        ):
            self.virtual_size = size  # a scrollbar appears or goes: a layout pass
            return
        # The vertical scrollbar is always shown and the horizontal one stays as it is: skip the layout
        # pass that setting `virtual_size` would trigger. While a log is tailed, that pass (a full-screen
        # compositor update) happened on every flushed batch; the toggles (timestamps, wrap) paid it too.
        # The caller repaints the rows that changed (appending while paused changes none on screen).
        self.set_reactive(QuietScrollView.virtual_size, size)
        bar = self.vertical_scrollbar
        if size.width != old.width or size.height < old.height:
            self._scroll_update(size)  # the scroll offsets may have to come back within range
        elif following:
            if self._thumb_moves(size.height, self.max_scroll_y):
                self._scroll_update(size)
            else:  # a long log grew, the thumb stays at the bottom: no frame just to draw it again
                bar.set_reactive(ScrollBar.window_virtual_size, size.height)
        else:
            bar.set_reactive(ScrollBar.window_virtual_size, size.height)
            if self._thumb_moves(size.height, bar.position) and self._bar_redraw is None:
                # Paused: the thumb creeps up (by eighths of a cell) as lines arrive below the
                # screen; a few redraws a second show it, a frame for every batch would not.
                self._bar_redraw = self.set_timer(BAR_REDRAW_DELAY, self._redraw_bar)

    def _scroll_programmatic(self, *, x: float | None = None, y: float | None = None) -> None:
        self._auto_scroll = True
        try:
            # force: before the first layout the scrollbars are not "shown", which would veto the scroll.
            self.scroll_to(x=x, y=y, animate=False, immediate=True, force=True)
        finally:
            self._auto_scroll = False

    def _forget_thumb(self) -> None:
        """The widget was resized: the thumb is drawn anew."""
        self._bar_thumb = ()

    def _thumb_moves(self, virtual: float, position: float) -> bool:
        """Whether the vertical scrollbar's thumb at this state is drawn elsewhere than it was last
        drawn (worked out in eighths of a cell, as Textual's ``ScrollBarRender`` draws it)."""
        bar = self.vertical_scrollbar
        size, window, virtual = bar.size.height, bar.window_size, ceil(virtual)
        window = window if window < virtual else 0
        thumb: tuple[int, ...] = (size,)
        if window and size and virtual and size != virtual:
            length = max(1, window / (virtual / size))
            start = int((size - length) * (bar.validate_position(position) / (virtual - window)) * 8)
            thumb = (size, start, start + ceil(length * 8))
        moves = thumb != self._bar_thumb
        self._bar_thumb = thumb
        return moves

    def _redraw_bar(self) -> None:
        self._bar_redraw = None
        self._scroll_update(self.virtual_size)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        bar = self.vertical_scrollbar if self.show_vertical_scrollbar else None
        if bar is not None and not self._thumb_moves(bar.window_virtual_size, new_value):
            # ScrollView.watch_scroll_y without the scrollbar's repaint: following a long log moves
            # the position with every batch, and the thumb (already at the bottom) does not move.
            bar.set_reactive(ScrollBar.position, bar.validate_position(new_value))
            if round(old_value) != round(new_value):
                self.refresh(self.size.region)
        else:
            super().watch_scroll_y(old_value, new_value)

"""What the log view repaints while a log is tailed: only what changed on screen.

Each frame while tailing 2,000 lines a second competes with the keys a person presses, so the view
repaints rows only when they change: nothing for lines arriving below a paused screen, two lines for a
cursor move, no scrollbar redraw while its thumb stays where it is, no measuring of every line held when
wrapping is switched on and no line is too wide. (The figures are in bench/logs_bench.py.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from itertools import product

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip

from tests.support.log_view_host import SIZE, T0, LogViewHost, numbered
from tests.support.wait import wait_until
from tui.core import logbuffer
from tui.core.logbuffer import LineRing
from tui.ui.widgets import quiet_scroll
from tui.ui.widgets.log_view import LogView

# These tests count what each frame draws while tailing.
pytestmark = pytest.mark.draws_frames


@asynccontextmanager
async def drawn_view(lines: int, **options: object) -> AsyncIterator[tuple[Pilot[None], LogView]]:
    """A view holding ``lines`` numbered lines, on screen, with nothing left to repaint."""
    app = LogViewHost(**options)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.append(*numbered(0, lines))
        await pilot.pause()
        await view.wait_for_refresh()
        yield pilot, view


def count_calls(target: object, name: str) -> list[tuple[object, ...]]:
    """Record the arguments of every call of ``target.name`` (an instance's method)."""
    calls: list[tuple[object, ...]] = []
    original: Callable[..., object] = getattr(target, name)

    def spy(*args: object) -> object:
        calls.append(args)
        return original(*args)

    setattr(target, name, spy)
    return calls


def cells(strip: Strip) -> list[tuple[str, object]]:
    """A strip as (character, style) per cell: equal when it looks the same, however it is split."""
    return [(ch, segment.style) for segment in strip for ch in segment.text]


def test_a_line_of_wide_characters_counts_its_cells_not_its_characters() -> None:
    ring = LineRing(10)
    ring.append(["x" * 10], [T0])
    ring.append(["日本語" * 3], [T0])  # 9 characters, 18 cells
    assert ring.max_len == 18


async def test_every_line_is_drawn_in_the_view_style_and_the_cursor_shows_on_it() -> None:
    async with drawn_view(0, follow=False) as (_, view):
        lines = ["plain build output 42", "caf\u00e9 \u2713 done\tnow", "\x1b[31mred\x1b[0m and plain"]
        view.append(lines, [T0, T0 + 1, T0 + 2])
        base, cursor_style = view._paint.style(""), view._paint.style("log-view--cursor")
        for n, cursor, timestamps in product(range(3), (False, True), (False, True)):
            row = cells(view._paint.row(n, 60, cursor, timestamps))
            assert len(row) == 60
            want = cursor_style.bgcolor if cursor else base.bgcolor
            # (the timestamp gutter included: the cursor's background runs across the whole row)
            assert all(style is not None and style.bgcolor == want for _, style in row), (
                n,
                cursor,
                timestamps,
            )


async def test_plain_lines_render_as_the_styled_path_renders_them() -> None:
    async with drawn_view(0) as (_, view):
        view.append(["plain build output 42", "x"], [T0, T0 + 1])
        for timestamps in (False, True):
            view.show_timestamps = timestamps
            for cursor in (False, True):
                fast = view._paint.row(0, 60, cursor, view.show_timestamps)
                view._search.pattern = logbuffer.compile_search("no such text")  # forces the Text path
                view._search.generation += 1
                styled = view._paint.row(0, 60, cursor, view.show_timestamps)
                view._search.pattern = None
                view._search.generation += 1
                assert cells(fast) == cells(styled)
                assert fast.cell_length == 60


async def test_lines_arriving_below_a_paused_screen_repaint_nothing() -> None:
    async with drawn_view(200, follow=False) as (_, view):
        drawn = count_calls(view, "render_line")
        for start in range(200, 400, 50):
            view.append(*numbered(start, start + 50))
            await view.wait_for_refresh()
        assert drawn == []
        assert view.total_lines == 400


async def test_lines_arriving_within_a_paused_screen_are_drawn() -> None:
    async with drawn_view(3, follow=False) as (pilot, view):
        view.append(*numbered(3, 6))
        await wait_until(pilot, lambda: "line 5" in view.render_line(5).text)
        assert [view.render_line(y).text.rstrip() for y in range(6)] == [f"line {i}" for i in range(6)]


async def test_moving_the_cursor_repaints_only_its_two_lines() -> None:
    async with drawn_view(200, follow=False) as (pilot, view):
        view.go_to_line(3, center=False)
        await view.wait_for_refresh()
        drawn = count_calls(view, "render_line")
        await pilot.press("down")
        await wait_until(pilot, lambda: bool(drawn))
        await view.wait_for_refresh()
        assert view.cursor == 4
        assert sorted({args[0] for args in drawn}) == [3, 4]


async def test_following_a_long_log_does_not_redraw_an_unmoving_scrollbar() -> None:
    async with drawn_view(20_000) as (_, view):  # the thumb is at its smallest, at the bottom
        bar = view.vertical_scrollbar
        bar_drawn = count_calls(bar, "render_line")
        view_drawn = count_calls(view, "render_line")
        for start in range(20_000, 20_500, 100):
            view.append(*numbered(start, start + 100))
            await view.wait_for_refresh()
        assert view_drawn  # the log moved on screen
        assert bar_drawn == []
        # The scrollbar still knows where the view is (dragging it starts from there).
        assert bar.window_virtual_size == view.virtual_size.height
        assert bar.position == view.scroll_y == view.max_scroll_y


async def test_a_paused_scrollbar_catches_up_with_lines_arriving_below(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(quiet_scroll, "BAR_REDRAW_DELAY", 0.05)
    async with drawn_view(30, follow=False) as (pilot, view):
        bar = view.vertical_scrollbar
        drawn = count_calls(bar, "render_line")
        view.append(*numbered(30, 60))  # the thumb halves
        await wait_until(pilot, lambda: bool(drawn))
        assert bar.window_virtual_size == view.virtual_size.height == 60
        assert bar.position == view.scroll_y == 0


async def test_wrapping_measures_no_line_until_one_is_too_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[str] = []
    measure = logbuffer.display_width

    def counting(line: str) -> int:
        measured.append(line)
        return measure(line)

    async with drawn_view(5_000) as (pilot, view):
        monkeypatch.setattr(logbuffer, "display_width", counting)
        view.wrap = True
        await view.wait_for_refresh()
        assert measured == []
        wide = "W" * 100 + "END"
        view.append([wide], [T0])
        await wait_until(pilot, lambda: any("END" in view.render_line(y).text for y in range(SIZE[1])))
        rows = [view.render_line(y).text.rstrip() for y in range(SIZE[1])]
        assert rows[-2].startswith("W") and rows[-1].endswith("END")  # one line, two rows
        assert rows[-3] == "line 4999"


async def test_timestamps_toggle_without_a_layout_pass() -> None:
    async with drawn_view(500) as (pilot, view):
        layouts: list[bool] = []
        refresh = view.refresh

        def spy(*regions: Region, **options: bool) -> LogView:
            layouts.append(options.get("layout", False))
            return refresh(*regions, **options)

        view.refresh = spy  # type: ignore[method-assign]
        view.show_timestamps = True
        await wait_until(pilot, lambda: view.render_line(0).text.startswith("09:"))
        await view.wait_for_refresh()
        assert layouts and not any(layouts)
        assert view.render_line(SIZE[1] - 1).text.rstrip().endswith("line 499")


async def test_the_thumb_it_skips_redrawing_is_the_thumb_textual_draws() -> None:
    # The view decides a scrollbar redraw is not needed by working out the thumb as Textual's
    # ScrollBarRender draws it; if a Textual upgrade draws it otherwise, this fails by name.
    async with drawn_view(100) as (_, view):
        bar = view.vertical_scrollbar
        size, window = bar.size.height, bar.window_size

        def drawn(virtual: int, position: float) -> list[str]:
            segments = ScrollBarRender.render_bar(
                size=size,
                virtual_size=virtual,
                window_size=window if window < virtual else 0,
                position=bar.validate_position(position),
                thickness=bar.thickness,
                vertical=True,
            )
            return [f"{s.text}{s.style and s.style.reverse}" for s in segments.segments]

        states = [(v, p) for v in (100, 101, 140, 5_000, 5_067, 20_000) for p in (0.0, 3.3, 64.0, v - window)]
        for (v1, p1), (v2, p2) in product(states, states):
            if p1 > v1 - window or p2 > v2 - window:
                continue
            view._thumb_moves(v1, p1)
            assert view._thumb_moves(v2, p2) == (drawn(v1, p1) != drawn(v2, p2)), (v1, p1, v2, p2)

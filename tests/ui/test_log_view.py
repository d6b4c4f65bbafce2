"""LogView and its line ring: batches, the bounded ring, lazy rendering, search, errors, toggles,
hostile lines and follow/pause. A small harness App hosts the widget; no AWS is involved."""

from __future__ import annotations

from typing import cast

import pytest
from textual.app import App
from textual.strip import Strip

from tests.support.log_view_host import SIZE, T0, LogViewHost, numbered
from tests.support.wait import screen_lines, wait_until
from tui.core.logbuffer import LineRing, RowIndex, compile_error_patterns, compile_search, scan


def view_rows(app: LogViewHost) -> list[str]:
    """The log view's rows as text (the view fills the harness screen)."""
    return [line[: SIZE[0] - 2].rstrip() for line in screen_lines(cast("App[object]", app))]


# --- the ring (plain Python) --------------------------------------------------------------------


def test_ring_keeps_newest_lines_and_counts_dropped() -> None:
    ring = LineRing(5)
    assert ring.append(*numbered(0, 3)) == 0
    assert ring.append(*numbered(3, 8)) == 3
    assert (ring.first, ring.end, len(ring), ring.dropped) == (3, 8, 5, 3)
    assert ring.lines() == [f"line {i}" for i in range(3, 8)]
    assert ring.line(7) == "line 7" and ring.timestamp(4) == T0 + 4
    with pytest.raises(IndexError):
        ring.line(2)
    # A batch bigger than the ring keeps only its newest lines.
    assert ring.append(*numbered(8, 20)) == 12
    assert ring.lines() == [f"line {i}" for i in range(15, 20)]
    assert ring.lines(17, 19) == ["line 17", "line 18"]


def test_search_and_error_patterns_read_the_text_on_screen() -> None:
    lines = ["ok", "\x1b[31mERR\x1b[0mOR here", "plain error", "errors: 0", "x[31y"]
    assert scan(lines, compile_search("error"), 10) == [11, 12, 13]
    assert scan(lines, compile_search("31m"), 0) == []  # colour codes are not text
    assert scan(lines, compile_search("x[31"), 0) == [4]  # invalid regex -> plain text
    pattern = compile_error_patterns([r"(?i)\berror\b", r"\bFAILED\b", r"exit status [1-9]"])
    assert pattern is not None
    found = scan(["all good", "ERROR: x", "1 FAILED", "exit status 0", "exit status 2", "errors"], pattern)
    assert found == [1, 2, 4]


def test_row_index_maps_rows_to_wrapped_lines() -> None:
    ring = LineRing(100)
    ring.append(["a" * 25, "b", "c" * 10], [T0] * 3)
    rows = RowIndex(10)
    rows.rebuild(ring)
    assert rows.total_rows(0) == 3 + 1 + 1
    assert [rows.locate(0, r) for r in range(5)] == [(0, 0), (0, 1), (0, 2), (1, 0), (2, 0)]
    assert rows.line_start(2) == 4 and rows.line_rows(0) == 3


# --- the widget ---------------------------------------------------------------------------------


async def test_batches_append_and_the_ring_shows_what_it_dropped() -> None:
    app = LogViewHost(max_lines=100)
    async with app.run_test(size=SIZE) as pilot:
        for start in range(0, 250, 50):
            app.view.append(*numbered(start, start + 50))
        await pilot.pause()
        view = app.view
        assert (view.line_count, view.total_lines, view.dropped, view.first_line) == (100, 250, 150, 150)
        assert view.raw_line(150) == "line 150"
        await pilot.press("home")
        rows = view_rows(app)
        assert rows[0].startswith("… 150 earlier lines dropped")
        assert rows[1] == "line 150"


async def test_only_visible_lines_are_rendered() -> None:
    app = LogViewHost()
    async with app.run_test(size=SIZE) as pilot:
        rendered: set[int] = set()
        original = app.view._paint.row

        def spy(n: int, width: int, cursor: bool, timestamps: bool) -> Strip:
            rendered.add(n)
            return original(n, width, cursor, timestamps)

        app.view._paint.row = spy  # type: ignore[method-assign]
        app.view.append(*numbered(0, 50_000))
        await pilot.pause()
        assert rendered  # something was drawn
        assert rendered <= set(range(50_000 - SIZE[1], 50_000))
        assert view_rows(app)[-1] == "line 49999"


async def test_search_highlights_and_moves_with_n_and_N() -> None:
    lines = [f"needle {i}" if i % 100 == 7 else f"hay {i}" for i in range(1000)]
    app = LogViewHost(follow=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.append(lines, [T0] * len(lines))
        view.search("NEEDLE")  # case-insensitive
        await wait_until(pilot, lambda: not view.searching)
        assert view.match_status == (1, 10)
        assert view.cursor == 7
        view.next_match()
        view.next_match()
        assert view.cursor == 207 and view.match_status == (3, 10)
        view.next_match(forward=False)
        assert view.cursor == 107
        view.next_match(forward=False)
        view.next_match(forward=False)  # wraps to the last match
        assert view.cursor == 907 and view.match_status == (10, 10)
        await pilot.pause()
        # The match is on screen and "needle" carries the match style (a background).
        row = next(i for i, text in enumerate(view_rows(app)) if text.startswith("needle 907"))
        strip = view.render_line(row)
        match_bg = view.get_component_rich_style("log-view--match").bgcolor
        styled = [seg.text for seg in strip if seg.style and seg.style.bgcolor == match_bg]
        assert styled == ["needle"]
        # Regex queries work, searching forward from the top of the screen; new lines are searched too.
        view.search(r"nee+dle [89]07$")
        await wait_until(pilot, lambda: not view.searching)
        assert view.match_status == (2, 2) and view.cursor == 907
        view.append(["one more needle 807"], [T0])
        assert view.match_status == (2, 3)
        view.search("")
        assert view.match_status is None


async def test_jump_to_first_error() -> None:
    lines = [f"step {i}" for i in range(3000)]
    lines[1234] = "npm ERR! code ELIFECYCLE"
    lines[1500] = "ERROR: failed to solve"
    lines[2000] = "Command did not exit successfully npm test exit status 1"
    app = LogViewHost()
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.append(lines, [T0] * len(lines))
        assert await view.jump_to_error() == 1500  # "npm ERR!" is not the word "error"
        assert not view.follow
        await pilot.pause()
        assert any(text.startswith("ERROR: failed to solve") for text in view_rows(app))
        assert await view.jump_to_error(next_after_cursor=True) == 2000
        assert await view.jump_to_error(next_after_cursor=True) == 1500  # wraps
        clean = LogViewHost()
    async with clean.run_test(size=SIZE):
        clean.view.append(["all good"], [T0])
        assert await clean.view.jump_to_error() is None


async def test_timestamps_and_wrap_toggle() -> None:
    app = LogViewHost(follow=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        long_line = "".join(str(i % 10) for i in range(200))
        view.append(["first", long_line, "last"], [T0 + 1_234, T0 + 61_000, T0 + 3_600_000])
        await pilot.pause()
        assert view_rows(app)[:3] == ["first", long_line[:78], "last"]  # 2 columns of scrollbar gutter
        view.show_timestamps = True
        await pilot.pause()
        assert view_rows(app)[0] == "09:00:01.234 first"
        assert view_rows(app)[2] == "10:00:00.000 last"
        view.wrap = True
        await pilot.pause()
        rows = view_rows(app)
        width = 78 - 13
        assert rows[1] == "09:01:01.000 " + long_line[:width]
        assert rows[2] == " " * 13 + long_line[width : 2 * width]
        assert rows[4] == " " * 13 + long_line[3 * width :]
        assert rows[5].endswith("last")
        assert view.virtual_size.height == 1 + 4 + 1
        view.show_timestamps = False
        view.wrap = False
        await pilot.pause()
        assert view_rows(app)[:3] == ["first", long_line[:78], "last"]


async def test_a_12_hour_clock_widens_the_gutter_and_says_am_or_pm() -> None:
    """``[general] clock_24h = false``: the timestamps read 09:00:01.234 AM / 02:05:00.000 PM, and
    wrapped lines keep their text under a gutter as wide as those labels."""
    app = LogViewHost(follow=False, show_timestamps=True, wrap=True, clock_24h=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        long_line = "".join(str(i % 10) for i in range(100))
        view.append(["first", long_line], [T0 + 1_234, T0 + 5 * 3_600_000 + 300_000])
        width = 78 - 16
        await wait_until(pilot, lambda: view_rows(app)[0] == "09:00:01.234 AM first")
        rows = view_rows(app)
        assert rows[1] == "02:05:00.000 PM " + long_line[:width]
        assert rows[2] == " " * 16 + long_line[width : 2 * width]


async def test_wrapped_follow_keeps_the_last_line_on_screen() -> None:
    app = LogViewHost(wrap=True)
    async with app.run_test(size=SIZE) as pilot:
        for i in range(30):
            app.view.append([f"{i:03d} " + "x" * 150], [T0])
        await pilot.pause()
        rows = view_rows(app)
        assert rows[-2].startswith("029 ") and rows[-1] == "x" * (154 - 78)


HOSTILE = [
    "[bold]x[/]",
    "[link=http://evil]click[/link]",
    "copy\x1b]52;c;ZWNobyBwd25lZA==\x07me",
    "clear\x1b[2Jscreen",
    "title\x1b]0;x\x07set",
    "\x1b[31mred\x1b[0m plain",
]


async def test_hostile_lines_render_literally_and_colours_survive() -> None:
    app = LogViewHost(follow=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.append(HOSTILE, [T0] * len(HOSTILE))
        await pilot.pause()
        rows = view_rows(app)
        assert rows[:6] == [
            "[bold]x[/]",
            "[link=http://evil]click[/link]",
            "copyme",
            "clearscreen",
            "titleset",
            "red plain",
        ]
        strips = [view.render_line(y) for y in range(6)]
        for strip in strips:
            for segment in strip:
                assert "\x1b" not in segment.text and "\x07" not in segment.text
                assert segment.style is None or not segment.style.link
                assert segment.style is None or not segment.style.bold
        red = [seg for seg in strips[5] if seg.text == "red"]
        assert red and red[0].style is not None and red[0].style.color is not None
        assert red[0].style.color.number == 1  # ANSI red, as the build wrote it
        assert view.selected_text() == "red plain"


async def test_follow_pauses_on_scroll_up_and_resumes_with_end() -> None:
    app = LogViewHost()
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.append(*numbered(0, 500))
        await pilot.pause()
        assert view.follow and view.scroll_y == view.max_scroll_y
        changes = app.changes
        await pilot.press("up")
        assert not view.follow and view.cursor == 498
        await pilot.pause()
        assert app.changes > changes
        top = view.scroll_y
        view.append(*numbered(500, 600))
        await pilot.pause()
        assert view.scroll_y == top and view.cursor == 498  # paused: nothing moves
        await pilot.press("end")
        assert view.follow and view.cursor is None
        view.append(*numbered(600, 700))
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y
        assert view_rows(app)[-1] == "line 699"
        # A wheel/scrollbar scroll up pauses too; scrolling caused by growth does not.
        view.scroll_up(animate=False)
        await pilot.pause()
        assert not view.follow
        view.follow = True
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y


async def test_paused_view_keeps_its_lines_while_the_ring_drops() -> None:
    app = LogViewHost(max_lines=200)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.append(*numbered(0, 200))
        await pilot.pause()
        view.go_to_line(150)
        await pilot.pause()
        before = view_rows(app)
        view.append(*numbered(200, 230))
        await pilot.pause()
        assert view.dropped == 30
        assert view_rows(app) == before
        assert view.cursor == 150


async def test_retracted_lines_are_replaced_not_duplicated() -> None:
    """A live tail's provisional lines, corrected by the authoritative read, leave no trace."""
    app = LogViewHost()
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.append(*numbered(0, 10))
        view.search("line 9")
        await wait_until(pilot, lambda: not view.searching)
        assert view.match_status == (1, 1)
        view.follow = True
        view.retract(3)
        assert (view.line_count, view.total_lines) == (7, 7)
        assert view.match_status is not None and view.match_status[1] == 0
        view.append(["line 7", "line 8 (late)", "line 9"], [T0] * 3)
        await pilot.pause()
        assert [view.raw_line(n) for n in range(10)][-3:] == ["line 7", "line 8 (late)", "line 9"]
        assert view.match_status is not None and view.match_status[1] == 1
        assert view_rows(app)[6:10] == ["line 6", "line 7", "line 8 (late)", "line 9"]

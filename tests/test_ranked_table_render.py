"""RankedTable renders one-line Text cells itself (fast path): segment for segment what DataTable makes."""

from __future__ import annotations

from itertools import product
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tui.ui.widgets.ranked_table import RankedTable

WIDTHS = (1, 2, 3, 4, 7, 12, 30)


def corpus() -> list[Text]:
    styled = Text("● Running", style="bold green", end="")
    spans = Text.assemble(("deploy", "red"), " ", ("prod", Style(underline=True)), end="")
    return [
        Text("", end=""),
        Text("plain", end=""),
        styled,
        spans,
        Text("a long pipeline name that will not fit", no_wrap=True, overflow="ellipsis", end=""),
        Text("a long pipeline name that will not fit", no_wrap=True, end=""),
        Text("宽字符的管道名称很长", no_wrap=True, overflow="ellipsis", end=""),
        Text("emoji 🚀 rocket", end=""),
        Text("[bold]not markup[/bold]", end=""),
        Text("trailing   ", style="on blue", end=""),
    ]


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield RankedTable(id="fast")


async def test_fast_cell_rendering_matches_datatable() -> None:
    app = Host()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(RankedTable)
        for index, width in enumerate(WIDTHS):
            table.add_column(f"c{index}", width=width, key=f"c{index}")
        cells = corpus()
        table.upsert([(f"r{i}", tuple(cell for _ in WIDTHS), i) for i, cell in enumerate(cells)])
        await pilot.pause()
        compared = fast_used = 0
        bases = (Style(), Style(bgcolor="grey11"), Style(color="white", italic=True))
        flags = (False, True)
        for row, (column, width), cursor, hover, base in product(
            range(len(cells)), enumerate(WIDTHS), flags, flags, bases
        ):
            rendered = table._render_cell(row, column, base, width + 2, cursor, hover)
            table._stable_cells.clear()
            table._cell_render_cache.clear()
            reference = DataTable._render_cell(table, row, column, base, width + 2, cursor, hover)
            table._cell_render_cache.clear()
            assert rendered == reference, (row, column, width, cursor, hover, base)
            compared += 1
            row_key = table._row_locations.get_key(row)
            column_key = table._column_locations.get_key(column)
            assert row_key is not None and column_key is not None
            value: Any = table._data[row_key][column_key]
            fast = table._render_text_line(value, row_key, row, column, base, width + 2, cursor, hover)
            fast_used += fast is not None
        assert compared == len(cells) * len(WIDTHS) * 12
        assert fast_used > compared * 0.9  # the comparison exercised the fast path, not the fallback

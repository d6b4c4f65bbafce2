"""The README tells the truth about keys and pictures.

- The Keys table against the app's real bindings: every key a screen's footer can show is in the
  table for that screen (or "everywhere"); every key the table gives a screen is bound there; and the
  table's words for it include the binding's own (so `y` in logs "copies the line", not the link).
- The first screenshot is what `cptui --demo` shows: the generator runs the demo's own set-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.binding import Binding, BindingType

from tui.app.application import CptuiApp
from tui.ui.screens.approvals import ApprovalsScreen
from tui.ui.screens.execution import ExecutionScreen
from tui.ui.screens.history import HistoryScreen
from tui.ui.screens.logs import LogScreen
from tui.ui.screens.pipeline import PipelineScreen
from tui.ui.screens.pipelines import PipelinesScreen
from tui.ui.screens.watchlist import WatchListScreen

README = Path(__file__).resolve().parents[2] / "README.md"
# The README's words for the screens (the "where" column), and the screens they mean.
SCREENS: dict[str, type] = {
    "pipelines": PipelinesScreen,
    "pipeline": PipelineScreen,
    "history": HistoryScreen,
    "execution": ExecutionScreen,
    "logs": LogScreen,
    "inbox": ApprovalsScreen,
    "followed": WatchListScreen,
}
EVERYWHERE = "everywhere"
KEY_NAMES = {"slash": "/", "question_mark": "?", "escape": "esc", "asterisk": "*"}
STOP_WORDS = {"a", "an", "the", "to", "on", "of", "by", "or", "and", "in"}


@dataclass(frozen=True)
class Row:
    keys: frozenset[str]
    wheres: frozenset[str]
    does: str


def readme_rows() -> list[Row]:
    """The rows of the README's Keys table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Keys", 1)[1].split("\n## ", 1)[0]
    rows: list[Row] = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("key", "---"):
            continue
        keys = frozenset(k for token in re.findall(r"`([^`]+)`", cells[0]) for k in token.split())
        wheres = set()
        for term in re.split(r",|/", re.sub(r"\([^)]*\)", "", cells[1])):
            word = term.strip().split(" ")[0] if term.strip() else ""
            if word:
                wheres.add(word)
        rows.append(Row(keys, frozenset(wheres), cells[2].lower()))
    return rows


def key_names(binding: Binding) -> set[str]:
    if binding.key_display:
        return {binding.key_display}
    return {KEY_NAMES.get(k.strip(), k.strip()) for k in binding.key.split(",")}


def bindings_of(cls: type) -> list[Binding]:
    found: list[BindingType] = []
    for klass in reversed(cls.__mro__):
        found.extend(klass.__dict__.get("BINDINGS", []))
    return [b for b in found if isinstance(b, Binding)]


def footer_keys(cls: type) -> dict[str, Binding]:
    """The keys a screen's footer can show (bindings shown, with a description)."""
    return {k: b for b in bindings_of(cls) if b.show and b.description for k in key_names(b)}


def words(description: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", description.lower()) if w not in STOP_WORDS]


def says(does: str, description: str) -> bool:
    """Every word of the binding's description is in the row's text (a prefix or plural will do)."""
    text = re.findall(r"[a-z]+", does)
    return all(any(t.startswith(w.rstrip("s")) for t in text) for w in words(description))


def test_every_where_in_the_table_names_a_screen() -> None:
    rows = readme_rows()
    assert len(rows) > 10
    for row in rows:
        unknown = row.wheres - set(SCREENS) - {EVERYWHERE}
        assert not unknown, f"README Keys row {sorted(row.keys)}: unknown screen(s) {sorted(unknown)}"


def test_every_footer_key_is_in_the_readme_for_its_screen() -> None:
    rows = readme_rows()
    everywhere = {k for r in rows if EVERYWHERE in r.wheres for k in r.keys}
    for key in footer_keys(CptuiApp):
        assert key in everywhere, f"the app's `{key}` is not in the README's Keys table as 'everywhere'"
    for name, screen in SCREENS.items():
        documented = everywhere | {k for r in rows if name in r.wheres for k in r.keys}
        missing = set(footer_keys(screen)) - documented
        assert not missing, (
            f"{screen.__name__}'s footer keys {sorted(missing)} are not in the README for '{name}'"
        )


def test_the_readme_says_what_each_key_does_on_each_screen() -> None:
    app_keys = {k for b in bindings_of(CptuiApp) for k in key_names(b)}
    for row in readme_rows():
        screens = [SCREENS[w] for w in row.wheres if w in SCREENS]
        if not screens:
            continue
        for key in row.keys:
            bound = [footer_keys(s)[key] for s in screens if key in footer_keys(s)]
            hidden = [b for s in screens for b in bindings_of(s) if key in key_names(b)]
            assert bound or hidden or key in app_keys, (
                f"README says `{key}` works on {sorted(row.wheres)}, but none of them binds it"
            )
            for binding in bound:
                assert says(row.does, binding.description), (
                    f"README row for `{key}` on {sorted(row.wheres)} says {row.does!r}; "
                    f"the footer says {binding.description!r}"
                )


def test_the_check_catches_a_wrong_description() -> None:
    # `y` in logs copies the line: a README that says it copies the link must fail the check.
    (logs_y,) = [b for b in bindings_of(LogScreen) if "y" in key_names(b)]
    assert not says("copy the console link", logs_y.description)
    assert says("copy the line under the cursor", logs_y.description)


@pytest.mark.slow
async def test_the_first_screenshot_is_what_the_demo_shows(tmp_path: Path) -> None:
    from tui import screenshots
    from tui.cli import demo_targets

    first = re.search(r"!\[[^\]]*\]\(screenshots/([a-z_-]+)\.svg\)", README.read_text(encoding="utf-8"))
    assert first is not None
    name = first.group(1)
    assert name in screenshots.SCENES
    assert [t.key for t in screenshots.demo_setup_targets()] == [t.key for t in demo_targets()]
    svg = (await screenshots.capture(name, tmp_path)).read_text(encoding="utf-8")
    text = svg.replace("&#160;", " ")
    assert "3&#160;targets" in svg or "3 targets" in text
    for target in demo_targets():
        assert target.name and target.name in text, target.name

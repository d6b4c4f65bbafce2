"""The one sanitizer: build-log escapes (what is kept, what is dropped), invisible characters, and
markup escaping that neither Rich's nor Textual's own escape gets right."""

from __future__ import annotations

import re

import pytest
from rich.style import Style
from textual.content import Content

from tui.core.logbuffer import scan
from tui.core.sanitize import ansi_to_text, clean, escape_markup, safe_text, strip_ansi
from tui.ui.commands import safe_content

ESC = "\x1b"


def styles(line: str) -> list[tuple[str, Style]]:
    """(text, style) for each styled run of the rendered line."""
    text = ansi_to_text(line)
    return [(text.plain[s.start : s.end], Style.parse(str(s.style))) for s in text.spans]


@pytest.mark.parametrize(
    ("code", "attribute"),
    [("5", "blink"), ("6", "blink2"), ("7", "reverse"), ("8", "conceal")],
)
def test_blink_reverse_and_conceal_are_dropped(code: str, attribute: str) -> None:
    line = f"{ESC}[{code}mHIDDEN{ESC}[0m after"
    text = ansi_to_text(line)
    assert text.plain == "HIDDEN after"
    assert all(not getattr(Style.parse(str(s.style)), attribute) for s in text.spans)


def test_a_kept_style_survives_next_to_a_dropped_one() -> None:
    # One sequence that mixes both: red and bold stay, conceal goes (the line stays readable).
    (run,) = styles(f"{ESC}[1;8;31mtext{ESC}[0m")
    assert run[0] == "text"
    assert run[1].bold and run[1].color is not None and run[1].color.number == 1 and not run[1].conceal


@pytest.mark.parametrize(
    ("sgr", "check"),
    [
        ("31", lambda s: s.color.number == 1),
        ("97", lambda s: s.color.number == 15),
        ("44", lambda s: s.bgcolor.number == 4),
        ("38;5;8", lambda s: s.color.number == 8 and not s.conceal),
        ("48;5;200", lambda s: s.bgcolor.number == 200),
        ("38;2;1;2;3", lambda s: s.color.triplet == (1, 2, 3)),
        ("1", lambda s: s.bold),
        ("2", lambda s: s.dim),
        ("3", lambda s: s.italic),
        ("4", lambda s: s.underline),
        ("9", lambda s: s.strike),
    ],
)
def test_colours_and_text_styles_are_kept(sgr: str, check: object) -> None:
    (run,) = styles(f"{ESC}[{sgr}mx{ESC}[0m")
    assert callable(check) and check(run[1]), (sgr, run)


def test_every_other_sequence_is_stripped() -> None:
    line = f"a{ESC}[2J{ESC}]0;TITLE\x07{ESC}[10;5Hb{ESC}]52;c;SEVMTE8=\x07c{ESC}[?25l\x9b31md"
    assert ansi_to_text(line).plain == "abcd"
    assert strip_ansi(line) == "abcd"


@pytest.mark.parametrize(
    "char",
    ["\u200b", "\u200c", "\u200d", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069"],
)
def test_invisible_characters_are_shown(char: str) -> None:
    marker = f"⟨U+{ord(char):04X}⟩"
    assert clean(f"pay{char}ments") == f"pay{marker}ments"
    assert ansi_to_text(f"{ESC}[32mpay{char}ments").plain == f"pay{marker}ments"
    assert strip_ansi(f"pay{char}ments") == f"pay{marker}ments"


def test_a_joiner_inside_an_emoji_is_part_of_it() -> None:
    assert clean("dev 👩\u200d💻 ok") == "dev 👩\u200d💻 ok"
    assert clean("a\u200db") == "a⟨U+200D⟩b"


def test_search_reads_what_the_screen_shows() -> None:
    lines = [f"{ESC}[31mERROR{ESC}[0m x", f"hid{ESC}[8mden", "zero\u200bwidth"]
    assert scan(lines, re.compile("ERROR x")) == [0]
    assert scan(lines, re.compile("hidden")) == [1]
    assert scan(lines, re.compile("U\\+200B")) == [2]


@pytest.mark.parametrize(
    "name",
    [
        "prod [EU]",
        "a [/] b",
        "[link=https://evil.example]x[/link]",
        "[bold]B",
        "x [$v] y",
        "a\\[b]c",
        "end\\",
    ],
)
def test_markup_is_shown_as_typed(name: str) -> None:
    assert Content.from_markup(escape_markup(name)).plain == name
    assert safe_content(name).plain == name
    assert safe_text(name).plain == name


def test_nothing_in_the_app_parses_markup_from_a_string() -> None:
    """The guard behind "one helper": no module builds markup from a string (data goes through
    ``safe_text`` / ``safe_content``, or ``escape_markup`` where only a markup string is taken)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "tui"
    risky = ("from_markup(", "markup=True", "render_markup(", "Text.from_ansi(")
    found = [
        f"{path.relative_to(root)}: {needle}"
        for path in root.rglob("*.py")
        if "sim" not in path.relative_to(root).parts
        for needle in risky
        if needle in path.read_text(encoding="utf-8") and path.name != "sanitize.py"
    ]
    assert found == []

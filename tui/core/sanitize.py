"""The one sanitizer for text that comes from AWS: names, commit messages, reasons, log lines.

Text from AWS or from a user is data. Before it reaches a widget or ``notify`` it must not be able to:
- inject markup (``[link=...]``, ``[bold]``, ``[/]``) -> never parsed: ``safe_text`` (and the
  palette's ``safe_content``, in ``tui/ui/commands.py``) build ``Text`` / ``Content`` directly, and
  ``escape_markup`` escapes every ``[`` for the few places
  that only take a markup string (Rich's and Textual's own ``escape`` leave ``[EU]`` alone, and
  Textual's parser then drops it);
- drive the terminal (OSC 52 clipboard writes, clear screen, title changes, cursor moves) -> stripped;
- hide or reorder itself (zero-width characters, bidi overrides) -> shown as ``⟨U+200B⟩``.

``clean`` strips control sequences and returns plain text, for ``Text(...)`` or table cells.
``ansi_to_text`` is the one handler of build-log escapes: it keeps SGR colours (16, 256, truecolor),
bold, dim, italic, underline and strikethrough as styles and drops everything else (blink, reverse,
conceal, fonts, cursor moves, OSC ...). ``strip_ansi`` is the same line as plain text.
"""

from __future__ import annotations

import re
import unicodedata

from rich.text import Text

# OSC ... (BEL | ST), DCS/SOS/PM/APC ... ST, CSI sequences, two-char ESC sequences, lone C0/C1 controls.
_OSC = r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
_STRING_CMD = r"\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
_CSI = r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
_ESC2 = r"\x1b[@-Z\\-_]|\x1b[ -/]*[0-~]?"
_C1_OSC = r"\x9d[^\x07\x9c]*(?:\x07|\x9c)?"
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]"
_ALL = re.compile("|".join((_OSC, _C1_OSC, _STRING_CMD, _CSI, _ESC2, _CONTROL)))
_SGR = re.compile(r"\x1b\[([0-9;]*)m")
# Characters that take no cell or reorder text: a name or a log line could look like another, or
# hide a part of itself. Shown as a visible marker instead.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\ufeff\u2060\u061c\u180e"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_INVISIBLE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")
_ZWJ = "\u200d"


def visible(ch: str) -> str:
    """How an invisible character is shown: ``⟨U+200B⟩``."""
    return f"⟨U+{ord(ch):04X}⟩"


def _emoji_side(ch: str) -> bool:
    # A zero-width joiner inside an emoji sequence (👩‍💻) is part of the glyph, not hidden text.
    return ord(ch) >= 0x2190 and unicodedata.category(ch) in ("So", "Sk", "Mn")


def _show_invisible(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        ch = match.group(0)
        at = match.start()
        if (
            ch == _ZWJ
            and 0 < at < len(text) - 1
            and _emoji_side(text[at - 1])
            and unicodedata.category(text[at + 1]) == "So"
        ):
            return ch
        return visible(ch)

    return _INVISIBLE.sub(replace, text)


def clean(value: object, *, max_len: int | None = None, single_line: bool = True) -> str:
    """Strip terminal control sequences, show invisible characters; optionally fold to one line
    and cap the length."""
    if value is None:
        return ""
    text = str(value)
    if single_line:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    else:
        text = text.replace("\r\n", "\n").replace("\t", "    ")
    text = _ALL.sub("", text)
    if _INVISIBLE.search(text):
        text = _show_invisible(text)
    if max_len is not None and len(text) > max_len:
        text = text[: max(0, max_len - 1)] + "…"
    return text


def escape_markup(value: object, *, max_len: int | None = None, single_line: bool = True) -> str:
    """``clean`` plus escaping of every ``[`` for Textual's markup parser (``Static``, ``notify``,
    the command palette's help), which then finds no tag in it: ``prod [EU]`` stays ``prod [EU]``.
    Prefer ``safe_text``, which are never parsed at all."""
    return clean(value, max_len=max_len, single_line=single_line).replace("[", "\\[")


def safe_text(
    value: object, *, style: str = "", max_len: int | None = None, single_line: bool = True
) -> Text:
    """Data as Rich ``Text``: cleaned, never parsed as markup."""
    return Text(clean(value, max_len=max_len, single_line=single_line), style=style)


# SGR parameters kept from build logs: reset, bold, dim, italic, underline, strikethrough and their
# resets, and colours. Dropped: blink (5, 6), reverse (7), conceal (8) - a line could be invisible or
# flash - and fonts, frames, overlines and anything else.
_KEEP_SGR = (
    frozenset({0, 1, 2, 3, 4, 9, 22, 23, 24, 29, 39, 49})
    | frozenset(range(30, 38))
    | frozenset(range(40, 48))
    | frozenset(range(90, 98))
    | frozenset(range(100, 108))
)


def _filter_sgr(params: str) -> str:
    """The kept part of an SGR parameter list ('' when nothing is kept)."""
    if not params:
        return "0"
    codes = [int(p) if p else 0 for p in params.split(";")]
    kept: list[str] = []
    i = 0
    while i < len(codes):
        code = codes[i]
        if code in (38, 48):
            if i + 2 < len(codes) and codes[i + 1] == 5:
                if codes[i + 2] <= 255:
                    kept += [str(code), "5", str(codes[i + 2])]
                i += 3
                continue
            if i + 4 < len(codes) and codes[i + 1] == 2:
                rgb = codes[i + 2 : i + 5]
                if all(c <= 255 for c in rgb):
                    kept += [str(code), "2", *map(str, rgb)]
                i += 5
                continue
            break  # a malformed colour: the rest of the list cannot be read safely
        if code in _KEEP_SGR:
            kept.append(str(code))
        i += 1
    return ";".join(kept)


def ansi_to_text(line: str) -> Text:
    """A build-log line as Rich ``Text``: kept SGR styles applied, every other sequence stripped."""
    if "\x1b" not in line and "\x9b" not in line:
        return Text(clean(line))
    pieces: list[str] = []
    last = 0
    for match in _SGR.finditer(line):
        pieces.append(clean(line[last : match.start()]))
        kept = _filter_sgr(match.group(1))
        if kept:
            pieces.append(f"\x1b[{kept}m")
        last = match.end()
    pieces.append(clean(line[last:]))
    return Text.from_ansi("".join(pieces))


def strip_ansi(line: str) -> str:
    """What a log line reads as on screen (the plain text of ``ansi_to_text``)."""
    if line.isascii() and line.isprintable():
        return line
    return clean(line)

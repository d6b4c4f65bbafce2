"""The one sanitizer for text that comes from AWS: names, commit messages, reasons, log lines.

Text from AWS is data. Before it reaches a widget or ``notify`` it must not be able to:
- inject Rich markup (``[link=...]``, ``[bold]``) -> escaped, or rendered via ``Text`` (never markup);
- drive the terminal (OSC 52 clipboard writes, clear screen, title changes, cursor moves) -> stripped.

``clean`` strips control sequences and returns plain text, for ``Text(...)`` or table cells.
``safe_markup`` additionally escapes Rich markup, for the places that take a markup string.
``ansi_to_text`` keeps SGR colour sequences from build logs as styles and strips everything else.
"""

from __future__ import annotations

import re

from rich.markup import escape
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
# Bidi overrides can make text display differently from what it is.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def clean(value: object, *, max_len: int | None = None, single_line: bool = True) -> str:
    """Strip terminal control sequences; optionally fold to one line and cap the length."""
    if value is None:
        return ""
    text = str(value)
    if single_line:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    else:
        text = text.replace("\r\n", "\n").replace("\t", "    ")
    text = _ALL.sub("", text)
    text = _BIDI.sub("", text)
    if max_len is not None and len(text) > max_len:
        text = text[: max(0, max_len - 1)] + "…"
    return text


def safe_markup(value: object, *, max_len: int | None = None, single_line: bool = True) -> str:
    """``clean`` plus Rich markup escaping: for strings that will be parsed as markup."""
    return escape(clean(value, max_len=max_len, single_line=single_line))


def ansi_to_text(line: str) -> Text:
    """A build-log line as Rich ``Text``: SGR colours kept as styles, every other sequence stripped."""
    if "\x1b" not in line and "\x9b" not in line:
        return Text(clean(line))
    pieces: list[str] = []
    last = 0
    for match in _SGR.finditer(line):
        pieces.append(clean(line[last : match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(clean(line[last:]))
    return Text.from_ansi("".join(pieces))

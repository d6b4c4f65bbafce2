"""Where a table or key sits in a TOML text, so config errors can name the line.

tomllib returns plain dicts without positions. This scanner reads the text line by line, tracks
the current table header (``[polling]``, the n-th ``[[targets]]``) and records the line of every
``key = ...``. It handles what cptui's config uses (bare and quoted keys, dotted keys, comments,
multi-line strings and arrays); anything it cannot place falls back to the table's header line.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[(?P<array>\[)?\s*(?P<name>[^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ONE_KEY = r"""[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'"""  # bare, "basic" or 'literal'
_PART = re.compile(_ONE_KEY)
_KEY = re.compile(rf"^\s*(?P<key>(?:{_ONE_KEY})(?:\s*\.\s*(?:{_ONE_KEY}))*)\s*=")

# A table: its dotted name ("" for the root) and, for [[arrays]], which entry.
TableId = tuple[str, int | None]


def _key_path(raw: str) -> str:
    return ".".join(part.strip("\"'") for part in _PART.findall(raw))


class TomlLines:
    """Line numbers (1-based) of table headers and keys in one TOML document."""

    def __init__(self, text: str) -> None:
        self._headers: dict[TableId, int] = {}
        self._keys: dict[tuple[str, int | None, str], int] = {}
        self._scan(text)

    def _scan(self, text: str) -> None:
        table: TableId = ("", None)
        array_counts: dict[str, int] = {}
        in_string: str | None = None  # the delimiter of an open multi-line string
        depth = 0  # open brackets of a multi-line array value
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            if depth > 0:
                depth = max(0, depth + _bracket_balance(line))
                continue
            header = _HEADER.match(line)
            if header:
                name = ".".join(p.strip("\"'") for p in _PART.findall(header["name"]))
                if header["array"]:
                    index = array_counts.get(name, 0)
                    array_counts[name] = index + 1
                    table = (name, index)
                else:
                    table = (name, None)
                self._headers.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self._keys.setdefault((table[0], table[1], _key_path(key["key"])), number)
                value = line[key.end() :]
                for delimiter in ('"""', "'''"):
                    if value.count(delimiter) % 2 == 1:
                        in_string = delimiter
                        break
                else:
                    depth = max(0, _bracket_balance(value))

    def table(self, name: str, index: int | None = None) -> int | None:
        """The header line of ``[name]`` (or the ``index``-th ``[[name]]``), or of a dotted key
        ``name.x = ...`` at the root that creates it."""
        line = self._headers.get((name, index))
        if line is not None:
            return line
        if index is None:
            candidates = [
                n
                for (t, i, k), n in self._keys.items()
                if t == "" and i is None and (k == name or k.startswith(name + "."))
            ]
            if candidates:
                return min(candidates)
        return None

    def key(self, table: str, key: str, index: int | None = None) -> int | None:
        """The line of ``key`` inside ``table``; falls back to the table's own line."""
        line = self._keys.get((table, index, key))
        if line is not None:
            return line
        if index is None and table:
            # A dotted key at the root: polling.tps = 3
            line = self._keys.get(("", None, f"{table}.{key}"))
            if line is not None:
                return line
        return self.table(table, index)


def _bracket_balance(text: str) -> int:
    """Open minus close brackets outside strings and comments (for multi-line arrays)."""
    balance = 0
    quote: str | None = None
    escaped = False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            balance += 1
        elif ch in "]}":
            balance -= 1
    return balance

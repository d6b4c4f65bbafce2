"""What cptui remembers between runs to start faster: ``$XDG_CACHE_HOME/cptui/``.

- ``startup-burst.json``: per target, the start-up burst that the endpoint did not throttle
  (a throttle during a start-up burst halves it for the next start).

Every file is written atomically (a temporary file renamed over it), holds no tokens or secrets, and
is only a head start: a missing, corrupt or foreign file is ignored (one log line), never an error.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BURST_FILE = "startup-burst.json"
_FORMAT = 1
_MAX_BURST_ENTRIES = 200


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/cptui``, else ``~/.cache/cptui``."""
    value = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says relative paths in these variables are invalid and must be ignored.
    base = Path(value) if value and os.path.isabs(value) else Path.home() / ".cache"
    return base / "cptui"


def write_atomic(path: Path, data: object) -> bool:
    """Replace ``path`` with ``data`` as JSON, atomically; False (and one log line) on failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, TypeError, ValueError) as exc:
        log.warning("cannot write %s: %s", path, exc)
        return False
    return True


def read_json(path: Path) -> Any:
    """The JSON in ``path``; None when missing or unreadable (logged once when corrupt)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("ignoring %s: %s", path, exc)
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        log.warning("ignoring corrupt cache file %s: %s", path, exc)
        return None


def load_bursts(folder: Path | None) -> dict[str, int]:
    """The remembered start-up bursts, by target key (empty when none or unreadable)."""
    if folder is None:
        return {}
    data = read_json(folder / BURST_FILE)
    if data is None:
        return {}
    bursts = data.get("bursts") if isinstance(data, dict) and data.get("format") == _FORMAT else None
    if not isinstance(bursts, dict):
        log.warning("ignoring %s: not a start-up burst file of this version", folder / BURST_FILE)
        return {}
    return {k: v for k, v in bursts.items() if isinstance(k, str) and type(v) is int and v >= 1}


def remember_burst(folder: Path | None, target: str, burst: int) -> None:
    """Remember ``burst`` as the start-up burst of ``target`` for the next start."""
    if folder is None:
        return
    bursts = load_bursts(folder)
    bursts.pop(target, None)
    bursts[target] = int(burst)
    newest = dict(list(bursts.items())[-_MAX_BURST_ENTRIES:])
    write_atomic(folder / BURST_FILE, {"format": _FORMAT, "bursts": newest})

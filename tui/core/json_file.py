"""Writing a JSON state file so that a crash never leaves half of one: a temporary file, then a rename."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def write_json_atomic(path: Path, data: object, *, indent: int | None = None) -> bool:
    """Replace ``path`` with ``data`` as JSON, atomically (a unique temporary file beside it, then a
    rename); False and one log line on failure, never raised: the state and cache files are a
    convenience across restarts, and nothing the operator does may fail because of one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=indent, separators=None if indent else (",", ":"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, TypeError, ValueError) as exc:
        log.warning("cannot write %s: %s", path, exc)
        return False
    return True

"""What cptui remembers between runs to start faster: ``$XDG_CACHE_HOME/cptui/``.

- ``startup-burst.json``: per target, the start-up burst that the endpoint did not throttle
  (a throttle during a start-up burst halves it for the next start).
- ``list-<hash>.json``: per target (profile, region, endpoint) the last pipeline list read live, with
  each row's latest execution and where it stands, and the account it was read from; painted at the
  first frame of the next start (tui/app/warm_start.py). At most ``MAX_ROWS`` rows and ``MAX_TEXT``
  characters per text; at most ``MAX_LISTS`` such files (the oldest go).

Every file is written atomically (a temporary file renamed over it), holds no tokens or secrets, and
is only a head start: a missing, corrupt or foreign file is ignored (one log line), never an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tui import __version__
from tui.core.json_file import write_json_atomic as write_atomic
from tui.core.model import (
    ExecutionMode,
    ExecutionSummary,
    PipelineType,
    SourceRevision,
    Standing,
    StandingKind,
    Status,
    Target,
    Trigger,
    TriggerType,
)
from tui.core.store import PipelineRow

log = logging.getLogger(__name__)

BURST_FILE = "startup-burst.json"
_FORMAT = 1
_MAX_BURST_ENTRIES = 200


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


# --- the last pipeline list per target -----------------------------------------------------------

LIST_FORMAT = 1
MAX_ROWS = 5000
MAX_TEXT = 200
MAX_LISTS = 64


@dataclass(frozen=True)
class CachedList:
    """One target's last list as read live: from which account, when, and its rows."""

    account: str
    saved_at: datetime
    rows: tuple[PipelineRow, ...]


def list_path(folder: Path, target: Target, endpoint_url: str | None) -> Path:
    """The file of one target: named by a hash of its key and endpoint (no names in file names)."""
    digest = hashlib.sha256(f"{target.key}\n{endpoint_url or ''}".encode()).hexdigest()[:20]
    return folder / f"list-{digest}.json"


def _text(value: str | None) -> str | None:
    return value[:MAX_TEXT] if value is not None else None


def _status(value: Status | None) -> str | None:
    return _text(value.value) if value is not None else None


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _row_json(row: PipelineRow) -> dict[str, Any]:
    latest = row.latest
    data: dict[str, Any] = {
        "name": row.name,
        "type": row.pipeline_type.value,
        "mode": row.execution_mode.value,
        "updated": _when(row.updated),
        "stage": _text(row.stage),
        "standing": [row.standing.kind.value, _status(row.standing.status), _text(row.standing.stage)],
        "at": _when(row.cached_at),  # None: read live in the run that saved it
    }
    if latest is not None:
        revisions = [
            # (no URL: a link may carry a token; the summary is the commit message, cut)
            [_text(r.action_name), _text(r.revision_id), _text(r.revision_summary)]
            for r in latest.source_revisions[:2]
        ]
        trigger = latest.trigger
        data["latest"] = {
            "id": _text(latest.execution_id),
            "status": latest.status.value,
            "start": _when(latest.start_time),
            "update": _when(latest.last_update_time),
            "revisions": revisions,
            "trigger": [trigger.trigger_type.value, _text(trigger.detail)] if trigger else None,
        }
    return data


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    when = datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        raise ValueError("a time without its zone")
    return when


def _opt(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return value[:MAX_TEXT]


def _row_from(data: Any, target: Target) -> PipelineRow:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"]:
        raise ValueError("a row without a name")
    name: str = data["name"][:MAX_TEXT]
    latest: ExecutionSummary | None = None
    raw = data.get("latest")
    if raw is not None:
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("id"), str)
            or not isinstance(raw.get("status"), str)
        ):
            raise ValueError("a latest execution without its id or status")
        trigger = raw.get("trigger")
        latest = ExecutionSummary(
            pipeline_name=name,
            execution_id=raw["id"][:MAX_TEXT],
            status=Status(raw["status"][:MAX_TEXT]),
            start_time=_time(raw.get("start")),
            last_update_time=_time(raw.get("update")),
            source_revisions=tuple(
                SourceRevision(str(r[0])[:MAX_TEXT], _opt(r[1]), _opt(r[2]))
                for r in raw.get("revisions") or []
            ),
            trigger=Trigger(TriggerType(str(trigger[0])[:MAX_TEXT]), str(trigger[1] or "")[:MAX_TEXT])
            if trigger
            else None,
        )
    kind, status, where = data.get("standing") or [StandingKind.LOADING.value, None, None]
    standing = Standing(StandingKind(kind), Status(status) if status else None, _opt(where))
    return PipelineRow(
        target=target,
        name=name,
        pipeline_type=PipelineType(str(data.get("type", "V1"))[:MAX_TEXT]),
        execution_mode=ExecutionMode(str(data.get("mode", "SUPERSEDED"))[:MAX_TEXT]),
        latest=latest,
        stage=_opt(data.get("stage")),
        updated=_time(data.get("updated")),
        standing=standing,
        cached_at=_time(data.get("at")),
    )


def save_list(
    folder: Path,
    target: Target,
    endpoint_url: str | None,
    account: str,
    rows: Iterable[PipelineRow],
    saved_at: datetime,
) -> bool:
    """Keep ``rows`` (read live from ``account``) as ``target``'s last list; prune old lists."""
    kept = [_row_json(row) for row in list(rows)[:MAX_ROWS]]
    data = {
        "format": LIST_FORMAT,
        "version": __version__,
        "target": target.key,
        "endpoint": endpoint_url or "",
        "account": account,
        "saved_at": saved_at.isoformat(),
        "rows": kept,
    }
    path = list_path(folder, target, endpoint_url)
    written = write_atomic(path, data)
    if written:
        _prune(folder, keep=path)
    return written


def _prune(folder: Path, keep: Path) -> None:
    try:
        lists = sorted(folder.glob("list-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in lists[MAX_LISTS:]:
        if old != keep:
            old.unlink(missing_ok=True)


def load_list(folder: Path, target: Target, endpoint_url: str | None) -> CachedList | None:
    """``target``'s last list, or None (missing; corrupt, or of another version, target or
    endpoint: one log line)."""
    path = list_path(folder, target, endpoint_url)
    data = read_json(path)
    if data is None:
        return None
    try:
        if (
            not isinstance(data, dict)
            or data.get("format") != LIST_FORMAT
            or data.get("version") != __version__
        ):
            raise ValueError("written by another version of cptui")
        if data.get("target") != target.key or data.get("endpoint") != (endpoint_url or ""):
            raise ValueError("of another target")
        account = data.get("account")
        saved_at = _time(data.get("saved_at"))
        rows = data.get("rows")
        if not isinstance(account, str) or saved_at is None or not isinstance(rows, list):
            raise ValueError("incomplete")
        return CachedList(account, saved_at, tuple(_row_from(r, target) for r in rows[:MAX_ROWS]))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        log.warning("ignoring the cached list %s: %s", path, exc)
        return None

"""Executions the operator follows (`w`), what `gh run watch` does for one run, here for many.

Plain Python (no Textual). Each followed execution is tracked until it ends: from the store while it
is its pipeline's latest execution (the poller watches the pipeline meanwhile), else from
GetPipelineExecution calls the app makes for ``needs_fetch()``. Its end is an ``Event`` (finished or
failed); finished entries stay, greyed on screen, until dismissed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.core.model import Status, Target
from tui.core.notify import Event, EventKind, write_state
from tui.core.store import Store

log = logging.getLogger(__name__)

WATCH_FILE = "watchlist.json"


def followed_key(target: Target, pipeline: str, execution_id: str) -> str:
    return f"{target.key}/{pipeline}/{execution_id}"


@dataclass(frozen=True)
class Followed:
    """One followed execution and what is known of it."""

    target: Target
    pipeline: str
    execution_id: str
    added_at: datetime
    status: Status | None = None  # None until first seen
    stage: str | None = None  # where it runs, or where it stopped (while it is the latest)
    started: datetime | None = None
    finished_at: datetime | None = None  # when cptui saw it end

    @property
    def key(self) -> str:
        return followed_key(self.target, self.pipeline, self.execution_id)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


def ended(status: Status | None) -> bool:
    """A status an execution does not leave (Succeeded, Failed, Stopped, Superseded, ...)."""
    return status is not None and status.is_terminal and status is not Status.IDLE


class WatchList:
    """The followed executions, in the order they were added. ``version`` moves on every change."""

    def __init__(self) -> None:
        self._entries: dict[str, Followed] = {}
        self.version = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def follow(
        self,
        target: Target,
        pipeline: str,
        execution_id: str,
        now: datetime,
        *,
        status: Status | None = None,
        started: datetime | None = None,
    ) -> Followed | None:
        """Start following; None if it is followed already. An execution that has already ended is
        added as finished (no event: nothing happened while it was followed)."""
        key = followed_key(target, pipeline, execution_id)
        if key in self._entries:
            return None
        entry = Followed(
            target,
            pipeline,
            execution_id,
            now,
            status=status,
            started=started,
            finished_at=now if ended(status) else None,
        )
        self._entries[key] = entry
        self.version += 1
        return entry

    def restore(self, entries: Iterable[Followed]) -> int:
        """Add entries read back after a restart (no event: nothing was seen to change); how many."""
        added = 0
        for entry in entries:
            if entry.key not in self._entries:
                self._entries[entry.key] = entry
                added += 1
        if added:
            self.version += 1
        return added

    def get(self, key: str) -> Followed | None:
        return self._entries.get(key)

    def entries(self) -> list[Followed]:
        """Running ones first (oldest followed first), then finished ones (latest ended first)."""
        running = [e for e in self._entries.values() if not e.finished]
        done = [e for e in self._entries.values() if e.finished]
        done.sort(key=lambda e: e.finished_at or e.added_at, reverse=True)
        return running + done

    def running(self) -> list[Followed]:
        return [e for e in self._entries.values() if not e.finished]

    def dismiss(self, key: str) -> bool:
        """Stop following (or forget a finished one)."""
        if self._entries.pop(key, None) is None:
            return False
        self.version += 1
        return True

    def dismiss_finished(self) -> int:
        """Forget every finished entry; how many went."""
        done = [k for k, e in self._entries.items() if e.finished]
        for key in done:
            del self._entries[key]
        if done:
            self.version += 1
        return len(done)

    def update(
        self,
        key: str,
        status: Status,
        now: datetime,
        *,
        stage: str | None = None,
        started: datetime | None = None,
    ) -> Event | None:
        """New data on a followed execution; the event when this is the moment it ended."""
        entry = self._entries.get(key)
        if entry is None or entry.finished:
            return None
        done = ended(status)
        updated = replace(
            entry,
            status=status,
            stage=stage if stage is not None else entry.stage,
            started=started or entry.started,
            finished_at=now if done else None,
        )
        if updated == entry:
            return None
        self._entries[key] = updated
        self.version += 1
        if not done or entry.status is None:
            # Never seen running: it may well have ended before it was followed. No news.
            return None
        kind = EventKind.FAILED if status is Status.FAILED else EventKind.FINISHED
        return Event(kind, entry.target, entry.pipeline, entry.execution_id, status, stage=updated.stage)

    def update_from_store(self, store: Store, now: datetime) -> list[Event]:
        """Bring running entries that are their pipeline's latest execution up to date."""
        events = []
        for entry in self.running():
            latest = store.latest_execution(entry.target, entry.pipeline)
            if latest is None or latest.execution_id != entry.execution_id:
                continue
            row = store.row(entry.target, entry.pipeline)
            stage = row.stage if row is not None else None
            event = self.update(entry.key, latest.status, now, stage=stage, started=latest.start_time)
            if event is not None:
                events.append(event)
        return events

    def needs_fetch(self, store: Store) -> list[Followed]:
        """Running entries the store cannot tell about: no longer (or not yet) the latest execution."""
        found = []
        for entry in self.running():
            latest = store.latest_execution(entry.target, entry.pipeline)
            if latest is None or latest.execution_id != entry.execution_id:
                found.append(entry)
        return found


# --- kept across restarts -----------------------------------------------------------------------


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    stamp = datetime.fromisoformat(value)
    return stamp if stamp.tzinfo is not None else None


class WatchListFile:
    """The followed executions in a JSON file (beside ``notified.json``), so that following survives
    a restart of the app (an SSH session that dropped). ``path`` None: nothing is kept.

    Entries of targets the app does not watch now are kept in the file, untouched, for the run that
    watches them again. A file that cannot be read or written costs only that: never an error.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._others: list[dict[str, Any]] = []  # entries of targets not watched in this run

    def load(self, targets: Mapping[str, Target]) -> list[Followed]:
        """The entries of ``targets`` (by ``Target.key``); the others are kept for ``save``."""
        self._others = []
        if self.path is None:
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", self.path, exc)
            return []
        items = data.get("followed", []) if isinstance(data, dict) else []
        found: list[Followed] = []
        for item in items if isinstance(items, list) else []:
            try:
                target = targets.get(str(item["target"]))
                if target is None:
                    self._others.append(item)
                    continue
                status = item.get("status")
                added_at = _when(item["added_at"])
                if added_at is None:
                    raise ValueError("added_at is not a time with a zone")
                found.append(
                    Followed(
                        target,
                        str(item["pipeline"]),
                        str(item["execution_id"]),
                        added_at=added_at,
                        status=Status(status) if isinstance(status, str) else None,
                        stage=item.get("stage") if isinstance(item.get("stage"), str) else None,
                        started=_when(item.get("started")),
                        finished_at=_when(item.get("finished_at")),
                    )
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                log.warning("ignoring a malformed entry of %s: %s", self.path, exc)
        return found

    def save(self, entries: Iterable[Followed]) -> None:
        if self.path is None:
            return
        mine = [
            {
                "target": e.target.key,
                "pipeline": e.pipeline,
                "execution_id": e.execution_id,
                "added_at": _stamp(e.added_at),
                "status": e.status.value if e.status is not None else None,
                "stage": e.stage,
                "started": _stamp(e.started),
                "finished_at": _stamp(e.finished_at),
            }
            for e in entries
        ]
        write_state(self.path, {"version": 1, "followed": mine + self._others})

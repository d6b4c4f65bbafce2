"""What is worth telling the operator, how a terminal is told, and what was told already.

Plain Python (no Textual): the app feeds store changes in and delivers the events it gets back
(tui/app/alert_control.py).

- ``EventDetector.observe`` compares what it saw last of each pipeline with the store now. An approval
  that starts waiting is an event for any pipeline; a new failed execution only for favourite
  pipelines (followed executions are the watch list's, tui/core/watchlist.py). What a target's first load
  finds is news only if it happened within ``recent`` seconds: opening cptui on a fleet must not
  announce every approval that has been waiting since yesterday.
- ``NotifiedLog`` remembers event keys with when they were told, in a JSON file
  (``$XDG_STATE_HOME/cptui/notified.json``), pruned by the dedupe window: a restart of the app or of
  the polling within the window finds the same event again and stays quiet.
- ``desktop_sequence`` builds the OSC 9 / OSC 777 escape that asks the terminal for a desktop
  notification; its text is stripped of every control character, so AWS text cannot end the
  sequence early and smuggle in its own.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from tui.core.json_file import write_json_atomic
from tui.core.model import ApprovalRequest, ExecutionSummary, Status, Target
from tui.core.sanitize import clean
from tui.core.store import Store

log = logging.getLogger(__name__)

BELL = "\x07"
STATE_FILE = "notified.json"
_MAX_KEYS = 5000  # a bound on the file, far above what a window of seconds can hold
_TEXT_MAX = 180


class EventKind(StrEnum):
    FAILED = "failed"  # a followed execution, or a favourite pipeline's latest, failed
    APPROVAL = "approval"  # a manual approval started waiting
    FINISHED = "finished"  # a followed execution ended without failing


@dataclass(frozen=True)
class Event:
    """One thing to tell the operator. ``key`` identifies it across restarts."""

    kind: EventKind
    target: Target
    pipeline: str
    execution_id: str | None = None
    status: Status | None = None
    stage: str | None = None
    action: str | None = None
    token: str | None = None  # an approval's token: each wait is its own event

    @property
    def key(self) -> str:
        parts = [self.kind.value, self.target.key, self.pipeline, self.execution_id or ""]
        if self.kind is EventKind.APPROVAL:
            parts += [self.stage or "", self.action or "", self.token or ""]
        return "|".join(parts)

    @property
    def severity(self) -> str:
        """Textual's notice severity: information, warning or error."""
        if self.kind is EventKind.FAILED:
            return "error"
        if self.kind is EventKind.APPROVAL or self.status is not Status.SUCCEEDED:
            return "warning"
        return "information"

    @property
    def title(self) -> str:
        if self.kind is EventKind.FAILED:
            return "Pipeline failed"
        if self.kind is EventKind.APPROVAL:
            return "Approval waiting"
        status = self.status.label if self.status is not None else "ended"
        return f"Execution {status.lower()}"

    @property
    def body(self) -> str:
        """One sanitized line: what, where (pipeline, stage, execution) and which target."""
        name = clean(self.pipeline, max_len=80)
        short = clean(self.execution_id or "")[:8]
        where = clean(self.target.label, max_len=40)
        if self.kind is EventKind.APPROVAL:
            what = f"{name} › {clean(self.stage)} › {clean(self.action)}"
        elif self.kind is EventKind.FAILED:
            what = f"{name} {short} failed" + (f" in {clean(self.stage)}" if self.stage else "")
        else:
            status = self.status.label if self.status is not None else "ended"
            what = f"{name} {short} {status.lower()}"
        return f"{what} ({where})"

    @property
    def text(self) -> str:
        return f"{self.title}: {self.body}"


# --- detection --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineSeen:
    """What the detector knew of one pipeline after its last look."""

    latest: ExecutionSummary | None
    loaded: bool  # the latest execution was fetched
    state_known: bool  # GetPipelineState was fetched (approvals come from it)
    approvals: frozenset[tuple[str, str, str]]  # (stage, action, token)


def _approvals_of(store: Store, target: Target, name: str) -> list[ApprovalRequest]:
    return [a for a in store.approvals(target) if a.pipeline_name == name]


def seen_in(store: Store, target: Target, name: str) -> PipelineSeen | None:
    """The store's data on one pipeline, as the detector compares it (None: not listed or hidden)."""
    row = store.row(target, name)
    if row is None or row.cached_at is not None:
        # Not listed, hidden, or only painted from the warm-start cache: nothing read in this run
        # to tell about (its first live read is judged as a first load).
        return None
    approvals = frozenset((a.stage_name, a.action_name, a.token) for a in _approvals_of(store, target, name))
    return PipelineSeen(row.latest, row.loaded, store.state(target, name) is not None, approvals)


def _recent(when: datetime | None, now: datetime, window: float) -> bool:
    return when is not None and abs((now - when).total_seconds()) <= window


class EventDetector:
    """Finds events by comparing each pipeline's data with what it saw the last time."""

    def __init__(
        self, *, is_favourite: Callable[[str], bool] = lambda _name: False, recent: float = 30.0
    ) -> None:
        self.is_favourite = is_favourite
        self.recent = recent
        self._seen: dict[tuple[str, str], PipelineSeen] = {}

    def observe(self, store: Store, target: Target, names: Iterable[str], now: datetime) -> list[Event]:
        """The events in ``names`` of ``target`` since the last look (then remembers the data)."""
        events: list[Event] = []
        for name in sorted(set(names)):
            slot = (target.key, name)
            before = self._seen.get(slot)
            after = seen_in(store, target, name)
            if after is None:
                self._seen.pop(slot, None)
                continue
            self._seen[slot] = after
            events += self._approvals(store, target, name, before, after, now)
            failed = self._failure(target, name, before, after, now)
            if failed is not None:
                # Where it failed, in the words of the list and the graph (the row's ``Standing``).
                row = store.row(target, name)
                failing = row is not None and row.standing.status is Status.FAILED
                stage = row.standing.stage if row is not None and failing else None
                events.append(replace(failed, stage=stage) if stage else failed)
        return events

    def forget(self, target: Target) -> None:
        """Drop what was seen of a target (its polling restarts from nothing)."""
        self._seen = {k: v for k, v in self._seen.items() if k[0] != target.key}

    def _approvals(
        self,
        store: Store,
        target: Target,
        name: str,
        before: PipelineSeen | None,
        after: PipelineSeen,
        now: datetime,
    ) -> list[Event]:
        if not after.approvals:
            return []
        known = before is not None and before.state_known
        old = before.approvals if before is not None else frozenset()
        events = []
        for a in _approvals_of(store, target, name):
            if (a.stage_name, a.action_name, a.token) in old:
                continue
            if known or _recent(a.waiting_since, now, self.recent):
                events.append(
                    Event(
                        EventKind.APPROVAL,
                        target,
                        name,
                        a.execution_id,
                        stage=a.stage_name,
                        action=a.action_name,
                        token=a.token,
                    )
                )
        return events

    def _failure(
        self, target: Target, name: str, before: PipelineSeen | None, after: PipelineSeen, now: datetime
    ) -> Event | None:
        latest = after.latest
        if latest is None or latest.status is not Status.FAILED or not self.is_favourite(name):
            return None
        if before is not None and before.loaded:
            prior = before.latest
            if prior is not None and (prior.execution_id, prior.status) == (
                latest.execution_id,
                latest.status,
            ):
                return None
        elif not _recent(latest.last_update_time or latest.start_time, now, self.recent):
            return None
        return Event(EventKind.FAILED, target, name, latest.execution_id, latest.status)


# --- what was told already ----------------------------------------------------------------------


class NotifiedLog:
    """Event keys told within the last ``window`` seconds, kept in a JSON file across restarts.

    ``path`` None keeps them in memory only. A file that cannot be read or written costs only the
    memory across restarts: notifications never fail because of it.
    """

    def __init__(self, path: Path | None, window: float) -> None:
        self.path = path
        self.window = window
        self._told: dict[str, datetime] | None = None

    def claim(self, key: str, now: datetime) -> bool:
        """True (and remembered) when ``key`` was not told within the window; else False."""
        told = self._load()
        self._prune(told, now)
        if key in told:
            return False
        told[key] = now
        self._save(told)
        return True

    def told(self, now: datetime) -> dict[str, datetime]:
        """The keys still within the window, with when they were told."""
        told = self._load()
        self._prune(told, now)
        return dict(told)

    def _prune(self, told: dict[str, datetime], now: datetime) -> None:
        # abs(): a clock that moved backwards (or a file from another clock) ages entries out too.
        for key in [k for k, when in told.items() if abs((now - when).total_seconds()) > self.window]:
            del told[key]

    def _load(self) -> dict[str, datetime]:
        if self._told is not None:
            return self._told
        self._told = {}
        if self.path is None:
            return self._told
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data.get("notified", {}) if isinstance(data, dict) else {}
            for key, when in entries.items():
                if isinstance(key, str) and isinstance(when, str):
                    stamp = datetime.fromisoformat(when)
                    if stamp.tzinfo is not None:
                        self._told[key] = stamp
        except FileNotFoundError:
            pass
        except (OSError, ValueError, AttributeError) as exc:
            log.warning("ignoring unreadable %s: %s", self.path, exc)
        return self._told

    def _save(self, told: dict[str, datetime]) -> None:
        if self.path is None:
            return
        newest = sorted(told.items(), key=lambda item: item[1])[-_MAX_KEYS:]
        write_state(self.path, {"version": 1, "notified": {k: when.isoformat() for k, when in newest}})


def write_state(path: Path, data: object) -> None:
    """Replace a state file (JSON) atomically; a failure is logged, never raised."""
    write_json_atomic(path, data, indent=1)


# --- the terminal's desktop notifications -------------------------------------------------------


class Desktop(StrEnum):
    OSC9 = "osc9"  # iTerm2, WezTerm, kitty, Windows Terminal, ...: ESC ] 9 ; text BEL
    OSC777 = (
        "osc777"  # foot, VTE terminals (GNOME Terminal, Tilix, ...): ESC ] 777 ; notify ; title ; body BEL
    )


def desktop_protocol(env: Mapping[str, str]) -> Desktop:
    """Which escape the terminal understands, from ``$TERM_PROGRAM`` / ``$TERM`` (OSC 9 if unsure)."""
    program = env.get("TERM_PROGRAM", "").lower()
    term = env.get("TERM", "").lower()
    if program in ("iterm.app", "wezterm") or "kitty" in term or env.get("KITTY_WINDOW_ID"):
        return Desktop.OSC9
    if term.startswith("foot") or env.get("VTE_VERSION"):
        return Desktop.OSC777
    return Desktop.OSC9


def osc_text(value: object, max_len: int = _TEXT_MAX) -> str:
    """Text safe inside an OSC string: no control or format character at all (ESC, BEL, the C1
    string terminator, bidi overrides ...), one line, bounded."""
    text = clean(value, max_len=max_len)
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))


def tmux_passthrough(sequence: str) -> str:
    """Wrap an escape sequence so tmux hands it to the outer terminal (needs ``allow-passthrough``)."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def desktop_sequence(protocol: Desktop, title: str, body: str) -> str:
    """The escape sequence that asks the terminal for a desktop notification."""
    if protocol is Desktop.OSC777:
        # ';' separates OSC 777's fields: inside them it would cut the title or the body short.
        safe_title = osc_text(title, 60).replace(";", ",")
        return f"\x1b]777;notify;{safe_title};{osc_text(body).replace(';', ',')}\x07"
    return f"\x1b]9;{osc_text(f'{title}: {body}')}\x07"
